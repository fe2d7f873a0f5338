// The four bundles side by side with aws-actions' bundles of the same job: size, time to first output, wall time
// and peak memory, each process started as the runner starts it (runActionScript). Runs are paired (ours, theirs,
// alternating which goes first) on the same machine, and medians are reported; nothing here asserts a timing.
//
// aws-actions' committed bundles are not part of this repository. To compare start-up, put them in a directory and
// point AWS_ACTIONS_BENCH_DIR at it (render/ from amazon-ecs-render-task-definition v1.9.0, deploy/ from
// amazon-ecs-deploy-task-definition v2.6.3, each with the tag's dist/):
//   git clone https://github.com/aws-actions/amazon-ecs-render-task-definition r && mkdir -p $DIR/render
//   git -C r archive v1.9.0 dist | tar -x -C $DIR/render        (likewise deploy/ at v2.6.3)
// Without it, sizes are compared with the recorded figures below and start-up is not compared (it says so).
// BENCH_BASELINE_DIR=<another checkout> adds that checkout's bundles to every pair (e.g. the branch point),
// BENCH_RUNS sets the number of pairs (default 21), BENCH_ACTIONS=a,b limits the run to those actions.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT, runActionScript, type RunOptions, type RunResult } from '@deploy-actions/testing';
import type { Figure } from '../bench';
import { CLUSTER, frontendService, MANIFEST_FILE, startPlatform, type Platform } from '../demo/platform';

/** aws-actions' bundles of the same jobs, as committed at the tag (dist/index.js). */
const REFERENCE = {
  render: { repo: 'aws-actions/amazon-ecs-render-task-definition', tag: 'v1.9.0', bytes: 2_161_189 },
  deploy: { repo: 'aws-actions/amazon-ecs-deploy-task-definition', tag: 'v2.6.3', bytes: 2_628_630 },
} as const;
type Reference = keyof typeof REFERENCE;

const ACTIONS: Record<string, Reference> = {
  'render-task-def': 'render',
  'verify-params': 'render',
  'build-nginx-image': 'render',
  'deploy-service': 'deploy',
};

const RUNS = Number(process.env['BENCH_RUNS'] ?? '21');
const RSS_RUNS = 5;
const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

/** A CommonJS preload that writes the process's peak resident set size (KiB) when it exits. */
async function rssProbe(dir: string): Promise<string> {
  const file = path.join(dir, 'rss-probe.cjs');
  await writeFile(
    file,
    "process.on('exit', () => require('fs').writeFileSync(process.env.BENCH_RSS_FILE, String(process.resourceUsage().maxRSS)));\n",
  );
  return file;
}

interface Job {
  readonly options: RunOptions;
  /** Checks a run did the job (so a broken bundle is never timed as a fast one). */
  readonly ok: (run: RunResult) => boolean;
}

/** The job each action is timed on, on the local AWS simulator and registry (the demo's platform). */
async function jobs(platform: Platform, ws: string): Promise<Record<string, Job>> {
  const env = { ...platform.sim.env, SOURCE_DATE_EPOCH: '1714557600' };
  const frontendTd = 'examples/frontend/.aws/learning-platform-nginx-task-definition.json';
  let deploys = 0;
  return {
    'render-task-def': {
      options: {
        workspace: REPO_ROOT,
        env,
        inputs: { 'task-definition': frontendTd, 'container-name': 'nginx', image: 'nginx@sha256:'.padEnd(77, '0') },
      },
      ok: (r) => r.code === 0 && r.outputs['task-definition'] !== undefined,
    },
    'verify-params': {
      options: {
        workspace: REPO_ROOT,
        env,
        inputs: { 'parameters-manifest': path.relative(REPO_ROOT, MANIFEST_FILE), environment: 'staging' },
      },
      ok: (r) => r.code === 0 && r.outputs['missing'] === '[]',
    },
    'build-nginx-image': {
      options: {
        workspace: ws,
        env,
        inputs: {
          directory: 'site/src',
          // The local registry stands in for ECR's; ecr: true logs in with GetAuthorizationToken as for ECR.
          repository: `${platform.registry.host}/learning-platform-nginx`,
          ecr: 'true',
          'base-image': platform.baseImage,
          tags: 'bench',
          platform: 'linux/amd64',
        },
      },
      ok: (r) => r.code === 0 && /^sha256:/.test(r.outputs['digest'] ?? ''),
    },
    'deploy-service': {
      get options(): RunOptions {
        // Each deploy a new image, so every run registers a revision and follows a real rollout.
        deploys += 1;
        return {
          workspace: ws,
          env,
          inputs: {
            'task-definition': `td-${deploys % 2}.json`,
            service: frontendService('staging'),
            cluster: CLUSTER,
            'force-new-deployment': 'true',
            'poll-interval-seconds': '0.5',
          },
        };
      },
      ok: (r) => r.code === 0 && r.outputs['outcome'] === 'succeeded',
    },
  };
}

/** The aws-actions job of the same kind: render the same file; deploy the same file without waiting. */
function theirJob(reference: Reference, platform: Platform, ws: string): Job {
  const env = platform.sim.env;
  return reference === 'render'
    ? {
        options: {
          workspace: REPO_ROOT,
          env,
          inputs: {
            'task-definition': 'examples/frontend/.aws/learning-platform-nginx-task-definition.json',
            'container-name': 'nginx',
            image: 'nginx@sha256:'.padEnd(77, '0'),
          },
        },
        ok: (r) => r.code === 0,
      }
    : {
        options: {
          workspace: ws,
          env,
          inputs: { 'task-definition': 'td-0.json', service: frontendService('staging'), cluster: CLUSTER },
        },
        ok: (r) => r.code === 0,
      };
}

interface Sample {
  first: number[];
  wall: number[];
}

async function timed(script: string, job: Job, label: string, into: Sample): Promise<void> {
  const run = await runActionScript(script, job.options, label);
  if (!job.ok(run) || run.firstOutputMs === undefined) {
    throw new Error(
      `${label} did not do its job (exit ${run.code}):\n${run.stdout.slice(-2000)}\n${run.stderr.slice(-2000)}`,
    );
  }
  into.first.push(run.firstOutputMs);
  into.wall.push(run.wallMs);
}

async function peakRss(script: string, job: Job, probe: string, dir: string): Promise<number> {
  const values: number[] = [];
  for (let i = 0; i < RSS_RUNS; i++) {
    const file = path.join(dir, `rss-${i}`);
    const options = job.options;
    const run = await runActionScript(
      script,
      { ...options, nodeArgs: ['--require', probe], env: { ...options.env, BENCH_RSS_FILE: file } },
      'rss',
    );
    if (!job.ok(run)) throw new Error(`${script} failed while measuring memory:\n${run.stdout.slice(-2000)}`);
    values.push(Number(await readFile(file, 'utf8')) / 1024);
  }
  return median(values);
}

function distBytes(dist: string): { index: number; chunks: number } {
  let chunks = 0;
  for (const f of readdirSync(dist)) if (/^\d+\.index\.js$/.test(f)) chunks += statSync(path.join(dist, f)).size;
  return { index: statSync(path.join(dist, 'index.js')).size, chunks };
}

export default async function bench(): Promise<Figure[]> {
  const figures: Figure[] = [];
  const node = process.env['ACTIONS_NODE'] ?? process.execPath;
  const theirsDir = process.env['AWS_ACTIONS_BENCH_DIR'];
  const baselineDir = process.env['BENCH_BASELINE_DIR'];
  const theirs = (ref: Reference): string | undefined => {
    const file = theirsDir ? path.join(theirsDir, ref, 'dist', 'index.js') : undefined;
    return file && existsSync(file) ? file : undefined;
  };
  figures.push({
    name: 'node',
    value: execFileSync(node, ['--version'], { encoding: 'utf8' }).trim(),
    note: process.env['ACTIONS_NODE']
      ? 'ACTIONS_NODE'
      : 'this node (set ACTIONS_NODE to a Node 24, as the runner uses)',
  });
  for (const ref of Object.keys(REFERENCE) as Reference[]) {
    const r = REFERENCE[ref];
    const file = theirs(ref);
    const found = file ? statSync(file).size : undefined;
    figures.push({
      name: `aws-actions ${ref} ${r.tag}`,
      value: file ? `${found} B` : 'not found',
      note: file
        ? found === r.bytes
          ? `${r.repo} at ${r.tag}, as recorded`
          : `size differs from ${r.tag}'s ${r.bytes} B: check the tag`
        : `sizes compared with the recorded ${r.bytes} B; set AWS_ACTIONS_BENCH_DIR to also compare start-up`,
    });
  }

  const dir = await mkdtemp(path.join(tmpdir(), 'bundle-bench-'));
  const probe = await rssProbe(dir);
  const ws = path.join(dir, 'ws');
  await cp(path.join(REPO_ROOT, 'scripts/demo/site'), path.join(ws, 'site'), { recursive: true });
  const td = JSON.parse(
    await readFile(path.join(REPO_ROOT, 'examples/frontend/.aws/learning-platform-nginx-task-definition.json'), 'utf8'),
  ) as { containerDefinitions: { image: string }[] };
  for (const i of [0, 1]) {
    td.containerDefinitions[0]!.image = `public.ecr.aws/nginx/nginx:bench-${i}`;
    await writeFile(path.join(ws, `td-${i}.json`), JSON.stringify(td));
  }
  const platform = await startPlatform(1200);
  try {
    const ours = await jobs(platform, ws);
    const only = process.env['BENCH_ACTIONS']?.split(',').map((a) => a.trim());
    for (const [action, ref] of Object.entries(ACTIONS)) {
      if (only && !only.includes(action)) continue;
      const job = ours[action]!;
      const script = path.join(REPO_ROOT, 'actions', action, 'dist', 'index.js');
      const baseline = baselineDir ? path.join(baselineDir, 'actions', action, 'dist', 'index.js') : undefined;
      const their = theirs(ref);
      const theirJobOf = theirJob(ref, platform, ws);
      const { index, chunks } = distBytes(path.dirname(script));
      const reference = REFERENCE[ref];
      figures.push({
        name: `${action}: dist/index.js`,
        value: index,
        unit: 'B',
        note: `${(index / reference.bytes).toFixed(3)}× aws-actions ${ref} ${reference.tag} (${reference.bytes} B); chunks loaded on demand: ${chunks} B`,
      });
      const mine: Sample = { first: [], wall: [] };
      const base: Sample = { first: [], wall: [] };
      const other: Sample = { first: [], wall: [] };
      for (let i = 0; i < RUNS; i++) {
        const order: [string, Job, Sample][] = [[script, job, mine]];
        if (baseline) order.push([baseline, job, base]);
        if (their) order.push([their, theirJobOf, other]);
        if (i % 2 === 1) order.reverse();
        for (const [s, j, into] of order)
          await timed(s, j, s === script ? action : path.basename(path.dirname(path.dirname(s))), into);
      }
      const firstNote = (s: Sample): string => `median of ${s.first.length}`;
      figures.push({
        name: `${action}: first output`,
        value: median(mine.first),
        unit: 'ms',
        note: their
          ? `${(median(mine.first) / median(other.first)).toFixed(3)}× aws-actions ${ref} (${median(other.first).toFixed(1)} ms), ${firstNote(mine)} pairs`
          : `${firstNote(mine)}; aws-actions not measured (AWS_ACTIONS_BENCH_DIR unset)`,
      });
      figures.push({
        name: `${action}: wall time`,
        value: median(mine.wall),
        unit: 'ms',
        note:
          their && ref === 'render' && action === 'render-task-def'
            ? `${(median(mine.wall) / median(other.wall)).toFixed(3)}× aws-actions render (${median(other.wall).toFixed(1)} ms) on the same file`
            : 'the whole job on the simulator (not the same work as the aws-actions run)',
      });
      if (baseline) {
        figures.push({
          name: `${action}: vs baseline`,
          value: median(mine.first) / median(base.first),
          unit: '× first output',
          note: `${median(base.first).toFixed(1)} ms first output, ${median(base.wall).toFixed(1)} ms wall in ${baselineDir}`,
        });
      }
      const rss = await peakRss(script, job, probe, dir);
      const baseRss = baseline ? await peakRss(baseline, job, probe, dir) : undefined;
      const theirRss = their ? await peakRss(their, theirJobOf, probe, dir) : undefined;
      figures.push({
        name: `${action}: peak RSS`,
        value: rss,
        unit: 'MiB',
        note: [
          `median of ${RSS_RUNS}`,
          baseRss !== undefined ? `baseline ${baseRss.toFixed(1)} MiB (${(rss / baseRss).toFixed(3)}×)` : undefined,
          theirRss !== undefined ? `aws-actions ${ref} ${theirRss.toFixed(1)} MiB` : undefined,
        ]
          .filter(Boolean)
          .join('; '),
      });
    }
  } finally {
    await platform.stop();
    await rm(dir, { recursive: true, force: true });
  }
  return figures;
}
