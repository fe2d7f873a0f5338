// deploy-service on the rollout simulator: how late the action notices a finished rollout, how soon it exits
// after the evidence of a failure (circuit breaker, a crash loop without one, an alarm), how many API calls a
// healthy deploy costs per deployment strategy, and its cold start (sizes and the comparison with aws-actions:
// scripts/bench/bundles.bench.ts). Figures only; nothing asserts timings.
import { startAwsSim, type AwsSim, type ScenarioName } from '@deploy-actions/aws-sim';
import { runBundle } from '@deploy-actions/testing';
import type { Figure } from '../../../scripts/bench';
import { CLUSTER, NGINX, callCounts, nginxService, nginxTaskDefinition, workspace } from '../test/integration/helpers';

type Obj = Record<string, unknown>;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
// A slow clock (30x) so a rollout takes several real seconds and the poll interval is what decides the lags.
const SCALE = 30;

interface Bench {
  readonly sim: AwsSim;
  /** Real epoch ms of a simulated instant. */
  toReal(simMs: number): number;
}

async function run(
  b: Bench,
  service: string,
  image: string,
  inputs: Record<string, string>,
): Promise<{ exited: number; code: number | null; calls: Record<string, number> }> {
  const ws = await workspace({ 'td.json': JSON.stringify({ ...nginxTaskDefinition(image), family: service }) });
  const from = b.sim.calls.length;
  const result = await runBundle('deploy-service', {
    workspace: ws,
    env: b.sim.env,
    inputs: { 'task-definition': 'td.json', service, cluster: CLUSTER, 'wait-for-minutes': '5', ...inputs },
  });
  return { exited: Date.now(), code: result.code, calls: callCounts(b.sim, from) };
}

/** Real seconds from the rollout's end (its service deployment finishing) to the process exiting. */
async function completionLag(b: Bench, poll: number, tag: string): Promise<number> {
  const r = await run(b, NGINX, `nginx:bench-${tag}`, { 'poll-interval-seconds': String(poll) });
  if (r.code !== 0) throw new Error(`a healthy deploy failed (${tag})`);
  const listed = b.sim.call('ecs', 'ListServiceDeployments', { cluster: CLUSTER, service: NGINX });
  const newest = ((listed['serviceDeployments'] as { finishedAt?: number; createdAt?: number }[]) ?? []).sort(
    (x, y) => (y.createdAt ?? 0) - (x.createdAt ?? 0),
  )[0];
  return (r.exited - b.toReal((newest?.finishedAt ?? NaN) * 1000)) / 1000;
}

/** Real seconds from the service event that is the failure's evidence to the process exiting (rollback off). */
async function evidenceToExit(
  b: Bench,
  service: string,
  scenario: ScenarioName,
  evidence: RegExp,
  tag: string,
): Promise<number> {
  b.sim.setScenario({ image: `ev-${tag}` }, scenario);
  const since = b.sim.now();
  const r = await run(b, service, `nginx:ev-${tag}`, { 'poll-interval-seconds': '2', rollback: 'false' });
  if (r.code === 0) throw new Error(`the ${scenario} deploy did not fail (${tag})`);
  const described = b.sim.call('ecs', 'DescribeServices', { cluster: CLUSTER, services: [service] });
  const events = ((described['services'] as Obj[])[0]?.['events'] as { message: string; createdAt: number }[]) ?? [];
  const seen = events
    .filter((e) => evidence.test(e.message) && e.createdAt * 1000 >= since)
    .map((e) => e.createdAt * 1000);
  if (seen.length === 0) throw new Error(`no evidence event for ${scenario}`);
  return (r.exited - b.toReal(Math.min(...seen))) / 1000;
}

function seed(sim: AwsSim): void {
  sim.seedPlatform();
  sim.seedPlatform({
    cluster: CLUSTER,
    services: [
      nginxService('bench-bg', { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 1 }),
      nginxService('bench-linear', {
        strategy: 'LINEAR',
        bakeTimeInMinutes: 1,
        linearConfiguration: { stepPercent: 50, stepBakeTimeInMinutes: 1 },
      }),
      nginxService('bench-canary', {
        strategy: 'CANARY',
        bakeTimeInMinutes: 1,
        canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 1 },
      }),
      nginxService('bench-noloop', {}, false),
      nginxService(
        'bench-alarm',
        { bakeTimeInMinutes: 2, alarms: { alarmNames: ['api-5xx'], enable: true, rollback: false } },
        false,
      ),
    ],
  });
}

const total = (calls: Record<string, number>): number => Object.values(calls).reduce((a, b) => a + b, 0);
const spelled = (calls: Record<string, number>): string =>
  Object.entries(calls)
    .map(([op, count]) => `${op} ${count}`)
    .join(', ');

async function figures(b: Bench): Promise<Figure[]> {
  const out: Figure[] = [];
  for (const poll of [0.5, 2]) {
    const lags = [await completionLag(b, poll, `${poll}-a`), await completionLag(b, poll, `${poll}-b`)];
    out.push({
      name: `COMPLETED → exit, poll ${poll}s`,
      value: median(lags),
      unit: 's',
      note: `median of 2; one poll interval + process exit`,
    });
  }
  for (const [service, label] of [
    [NGINX, 'ROLLING'],
    ['bench-bg', 'BLUE_GREEN'],
    ['bench-linear', 'LINEAR'],
    ['bench-canary', 'CANARY'],
  ] as const) {
    const r = await run(b, service, `nginx:calls-${label}`, { 'poll-interval-seconds': '2' });
    if (r.code !== 0) throw new Error(`a healthy ${label} deploy failed`);
    out.push({
      name: `API calls per healthy deploy, ${label} (poll 2s)`,
      value: total(r.calls),
      note: spelled(r.calls),
    });
  }
  const evidence: [string, string, ScenarioName, RegExp][] = [
    ['circuit breaker FAILED', NGINX, 'crash', /deployment failed: tasks failed to start/],
    ['crash loop, no circuit breaker', 'bench-noloop', 'crash', /unable to consistently start tasks/],
    ['deployment alarm', 'bench-alarm', 'alarm', /deployment failed: alarm detected/],
  ];
  for (const [name, service, scenario, pattern] of evidence) {
    out.push({
      name: `failure evidence → exit: ${name}`,
      value: await evidenceToExit(b, service, scenario, pattern, name.replace(/\W+/g, '-')),
      unit: 's',
      note: 'poll 2s, rollback off; a verdict needs two agreeing polls, then the diagnosis',
    });
  }
  return out;
}

export default async function bench(): Promise<Figure[]> {
  const realStart = Date.now();
  const sim = await startAwsSim({ clock: { now: () => realStart + (Date.now() - realStart) * SCALE } });
  const out: Figure[] = [];
  try {
    seed(sim);
    out.push(...(await figures({ sim, toReal: (simMs) => realStart + (simMs - realStart) / SCALE })));
  } finally {
    await sim.stop();
  }
  // Cold start: load the bundle and fail on the first input check (no AWS call).
  const starts: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = Date.now();
    const r = await runBundle('deploy-service', { inputs: { 'task-definition': 'none.json' } });
    if (r.code !== 1) throw new Error('the cold start run did not fail on its missing input');
    starts.push(Date.now() - t0);
  }
  out.push({
    name: 'cold start (load + input validation)',
    value: median(starts),
    unit: 'ms',
    note: `median of 3, ${process.env['ACTIONS_NODE'] ? 'ACTIONS_NODE' : `node ${process.version}`}`,
  });
  return out;
}
