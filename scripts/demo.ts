/**
 * `npm run demo`: the platform's whole delivery on this machine, offline, on 127.0.0.1, in well under a
 * minute. It starts the AWS simulator with the in-memory registry as ECR's registry, seeds the platform, then
 * runs our reusable workflows' steps (taken from the workflow files, bundled actions run as the runner runs
 * them): the frontend pipeline to staging, the API pipeline to staging, a promotion of what staging runs to
 * production, and an API deploy whose tasks crash and is rolled back. It ends with what runs where and exits
 * non-zero when anything did not go as it should.
 *
 * Options: `--state-file FILE` writes the final state as JSON (the demo's test reads it); `--quiet` prints
 * only progress lines and the final table; DEMO_TIME_SCALE overrides the simulator's clock speed;
 * DEMO_AWS_CLI=1 runs workflow scripts that call the AWS CLI for real (CLI on PATH) instead of their stand-ins.
 */
import { rmSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, ECSClient } from '@aws-sdk/client-ecs';
import { DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { REPO_ROOT } from '@deploy-actions/testing';
import type { JobRecord, StepRecord } from './demo/jobs';
import {
  apiService,
  CLUSTER,
  ENVIRONMENTS,
  frontendService,
  seededSecrets,
  startPlatform,
  type EnvironmentName,
  type Platform,
} from './demo/platform';
import {
  banner,
  callerJob,
  client,
  failedSteps,
  runWorkflow,
  type RunContext,
  type WorkflowRun,
} from './demo/pipelines';
import { bold, columns, dim, green, red, shortDigests } from './demo/terminal';

// The AWS SDK's notice about future Node versions is noise in a demo (the actions declare node24).
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = (warning: string | Error, ...rest: unknown[]) => {
  const text = typeof warning === 'string' ? warning : `${warning.name} ${warning.message}`;
  const type = typeof rest[0] === 'string' ? rest[0] : '';
  if (/NodeVersionSupportWarning/.test(`${type} ${text}`)) return;
  (emitWarning as (w: string | Error, ...r: unknown[]) => void)(warning, ...rest);
};

const FRONTEND_CALLER = 'examples/frontend/.github/workflows/deploy.yml';
const API_CALLER = 'examples/api/.github/workflows/deploy.yml';
const MANUAL = '.github/workflows/deploy.yml';

export interface ServiceState {
  readonly service: string;
  readonly environment: EnvironmentName;
  readonly kind: 'frontend' | 'api';
  readonly taskDefinition: string;
  readonly revision: number;
  readonly image: string;
  readonly rolloutState: string;
  readonly runningCount: number;
  readonly desiredCount: number;
  /** Healthy targets in the service's target group (the frontend's), read from ELBv2. */
  readonly healthyTargets?: number;
  /** deploy-service's outcome of the last deploy of this service in the demo. */
  readonly outcome: string;
}

export interface DemoState {
  readonly ok: boolean;
  readonly problems: readonly string[];
  readonly services: readonly ServiceState[];
  /** The crash deploy: what deploy-service said and what the service runs afterwards. */
  readonly crash: {
    readonly outcome: string;
    readonly diagnosis: string;
    readonly rolledBackTo: string;
    readonly before: string;
  };
  readonly stagingApiTaskDefinition: string;
  readonly seconds: number;
}

interface Options {
  readonly stateFile: string | undefined;
  readonly quiet: boolean;
}

function parseArgs(argv: readonly string[]): Options {
  let stateFile: string | undefined;
  let quiet = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--state-file') stateFile = argv[++i];
    else if (a === '--quiet') quiet = true;
    else throw new Error(`unknown argument '${a}' (use --state-file FILE, --quiet)`);
  }
  return { stateFile, quiet };
}

const deployStep = (jobs: readonly JobRecord[]): StepRecord | undefined =>
  jobs.flatMap((j) => j.steps).find((s) => s.action === 'deploy-service' && s.outcome !== 'skipped');

async function prepareRepo(base: string, name: 'frontend' | 'api'): Promise<string> {
  const dir = path.join(base, `learning-platform-${name}`);
  await mkdir(dir, { recursive: true });
  await cp(path.join(REPO_ROOT, 'examples', name), dir, { recursive: true });
  if (name === 'frontend') await cp(path.join(REPO_ROOT, 'scripts/demo/site'), dir, { recursive: true });
  // The API caller's comment: "Copy examples/parameters.yml to .aws/parameters.yml".
  else await cp(path.join(REPO_ROOT, 'examples/parameters.yml'), path.join(dir, '.aws/parameters.yml'));
  return dir;
}

async function readState(platform: Platform, outcomes: Record<string, string>): Promise<ServiceState[]> {
  const ecs = client(ECSClient, platform.sim.env);
  const elb = client(ElasticLoadBalancingV2Client, platform.sim.env);
  const states: ServiceState[] = [];
  for (const environment of ENVIRONMENTS) {
    for (const [kind, service, container] of [
      ['frontend', frontendService(environment), 'nginx'],
      ['api', apiService(environment), 'api'],
    ] as const) {
      const out = await ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [service] }));
      const svc = out.services?.[0];
      const primary = svc?.deployments?.find((d) => d.status === 'PRIMARY');
      const taskDefinition = svc?.taskDefinition ?? '';
      const targetGroupArn = svc?.loadBalancers?.[0]?.targetGroupArn;
      const health =
        targetGroupArn === undefined
          ? undefined
          : await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }));
      const healthy = health?.TargetHealthDescriptions?.filter((t) => t.TargetHealth?.State === 'healthy').length;
      const td = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition }));
      states.push({
        service,
        environment,
        kind,
        taskDefinition,
        revision: td.taskDefinition?.revision ?? 0,
        image: td.taskDefinition?.containerDefinitions?.find((c) => c.name === container)?.image ?? '',
        rolloutState: primary?.rolloutState ?? 'none',
        runningCount: svc?.runningCount ?? 0,
        desiredCount: svc?.desiredCount ?? 0,
        ...(healthy !== undefined ? { healthyTargets: healthy } : {}),
        outcome: outcomes[service] ?? 'not deployed',
      });
    }
  }
  return states;
}

export async function main(argv: readonly string[]): Promise<number> {
  const options = parseArgs(argv);
  const started = Date.now();
  const print = (line: string, kind?: 'detail' | 'important'): void => {
    if (!options.quiet || kind !== 'detail') console.log(line);
  };
  const problems: string[] = [];
  const expect = (ok: boolean, what: string, run?: WorkflowRun): void => {
    print(`  ${ok ? green('✓') : red('✗')} ${what}`);
    if (!ok) problems.push(what, ...(run === undefined ? [] : failedSteps(run).map((f) => `  ${f}`)));
  };

  print(bold('deploy-actions demo: the learning platform delivered to a local AWS'));
  const timeScale = Number(process.env['DEMO_TIME_SCALE'] ?? '1200');
  if (!Number.isFinite(timeScale) || timeScale < 1) {
    throw new Error(
      `DEMO_TIME_SCALE must be a number ≥ 1 (simulated ms per real ms), not '${process.env['DEMO_TIME_SCALE']}'`,
    );
  }
  const platform = await startPlatform(timeScale);
  const base = await mkdtemp(path.join(tmpdir(), 'deploy-actions-demo-'));
  // Ctrl-C: the servers die with the process; the run's directory is removed here.
  process.once('SIGINT', () => {
    rmSync(base, { recursive: true, force: true });
    process.exit(130);
  });
  // Every temporary directory of the run (runner temp dirs, runBundle's output files) lands in `base`,
  // which is removed at the end: os.tmpdir() reads TMPDIR on each call.
  const previousTmp = process.env['TMPDIR'];
  process.env['TMPDIR'] = base;
  try {
    const secrets = seededSecrets(platform.manifest);
    const run: RunContext = {
      awsEnv: platform.sim.env,
      artifacts: path.join(base, 'artifacts'),
      secrets,
      awsCli: process.env['DEMO_AWS_CLI'] === '1',
      print,
    };
    print(
      `  AWS simulator ${platform.sim.endpoint} (ECS, ELBv2, Logs, SSM, ECR, STS; clock ×${timeScale}), ` +
        `ECR registry ${platform.registry.url}`,
    );
    print(
      `  seeded cluster ${CLUSTER}: ${ENVIRONMENTS.flatMap((e) => [frontendService(e), apiService(e)]).join(', ')}; ` +
        `${platform.manifest.parameters.length} parameters × ${ENVIRONMENTS.length} environments (secrets as SecureString); ` +
        `base image ${platform.baseImage}`,
    );
    const frontendRepo = await prepareRepo(base, 'frontend');
    const apiRepo = await prepareRepo(base, 'api');
    const vars = (env: EnvironmentName): Record<string, string> => ({
      AWS_DEPLOY_ROLE_ARN: `arn:aws:iam::${platform.sim.accountId}:role/learning-platform-deploy-${env}`,
    });
    const sha = (n: number): string => `${String(n).repeat(8)}${'0'.repeat(32)}`.slice(0, 40);
    // The simulator's clock runs much faster than real time; deploy-service's default 5 s poll would make
    // every rollout wait seconds for what took a moment.
    const fastPoll = { 'poll-interval-seconds': '0.25' };
    const pollWhy = `the simulator's clock runs ×${timeScale}`;
    const overrides = {
      'build-image': {
        inputs: {
          repository: `${platform.registry.host}/learning-platform-nginx`,
          ecr: 'true',
          'base-image': platform.baseImage,
        },
        why: 'ECR and the base image are on the local registry (127.0.0.1), not amazonaws.com / public.ecr.aws',
      },
      deploy: { inputs: fastPoll, why: pollWhy },
    };
    const outcomes: Record<string, string> = {};
    const record = (service: string, runResult: WorkflowRun): StepRecord | undefined => {
      const step = deployStep(runResult.jobs);
      outcomes[service] = step?.outputs['outcome'] ?? (step === undefined ? 'not run' : 'failed');
      return step;
    };

    // 1. Frontend: the example caller's staging job → deploy-frontend.yml.
    banner(
      print,
      '1. Frontend pipeline → staging',
      `${FRONTEND_CALLER} jobs.staging → .github/workflows/deploy-frontend.yml`,
    );
    const fe = callerJob(FRONTEND_CALLER, 'staging', {});
    const feRun = await runWorkflow(
      {
        file: fe.file,
        inputs: fe.inputs,
        vars: vars('staging'),
        workspace: frontendRepo,
        repository: 'eLearning-Plus/learning-platform-frontend',
        sha: sha(1),
        overrides,
      },
      run,
    );
    record(frontendService('staging'), feRun);
    expect(
      feRun.result === 'success' && feRun.outputs['outcome'] === 'succeeded',
      `frontend staging deploy succeeded (outcome: ${feRun.outputs['outcome'] || 'none'})`,
      feRun,
    );

    // 2. API: the caller's image job is simulated (its docker build pushed the release at seed time).
    banner(print, '2. API pipeline → staging', `${API_CALLER} jobs.staging → .github/workflows/deploy-api.yml`);
    print(`  ${dim(`jobs.image simulated: the caller's docker build → ${platform.apiImages.good}`)}`);
    const api = callerJob(API_CALLER, 'staging', {
      needs: { image: { result: 'success', outputs: { image: platform.apiImages.good } } },
    });
    const apiRun = await runWorkflow(
      {
        file: api.file,
        inputs: api.inputs,
        vars: vars('staging'),
        workspace: apiRepo,
        repository: 'eLearning-Plus/learning-platform-api',
        sha: sha(2),
        overrides,
      },
      run,
    );
    record(apiService('staging'), apiRun);
    expect(
      apiRun.result === 'success' && apiRun.outputs['outcome'] === 'succeeded',
      `API staging deploy (with migration task) succeeded (outcome: ${apiRun.outputs['outcome'] || 'none'})`,
      apiRun,
    );
    const stagingApiTd = apiRun.outputs['task-definition-arn'] ?? '';

    // 3. Promotion: the manual workflow, both services, production, "promote what staging runs now".
    banner(
      print,
      '3. Promote staging to production',
      `${MANUAL} (workflow_dispatch: service=both, environment=production, source=promote-staging)`,
    );
    const promoteRun = await runWorkflow(
      {
        file: MANUAL,
        inputs: { service: 'both', environment: 'production', source: 'promote-staging' },
        vars: vars('production'),
        workspace: await mkdtemp(path.join(base, 'manual-')),
        repository: 'eLearning-Plus/deploy-actions',
        sha: sha(3),
        overrides,
      },
      run,
    );
    for (const job of promoteRun.jobs.filter((j) => j.job === 'deploy')) {
      const step = deployStep([job]);
      const kind = job.title.startsWith('api') ? 'api' : 'frontend';
      const service = kind === 'api' ? apiService('production') : frontendService('production');
      outcomes[service] = step?.outputs['outcome'] ?? 'not run';
    }
    expect(promoteRun.result === 'success', 'promotion to production succeeded for both services', promoteRun);

    // 4. A bad API release: its tasks crash at boot; deploy-service must roll back and explain why.
    banner(
      print,
      '4. API deploy whose tasks crash → rolled back',
      `${API_CALLER} jobs.staging with the next (broken) release`,
    );
    print(
      `  ${dim(`jobs.image simulated: the caller's docker build → ${platform.apiImages.crashing} (crashes at boot)`)}`,
    );
    const crash = callerJob(API_CALLER, 'staging', {
      needs: { image: { result: 'success', outputs: { image: platform.apiImages.crashing } } },
    });
    const crashRun = await runWorkflow(
      {
        file: crash.file,
        inputs: crash.inputs,
        vars: vars('staging'),
        workspace: apiRepo,
        repository: 'eLearning-Plus/learning-platform-api',
        sha: sha(4),
        overrides,
      },
      run,
    );
    const crashStep = record(apiService('staging'), crashRun);
    const crashOutcome = crashStep?.outputs['outcome'] ?? 'none';
    const diagnosis = `${crashStep?.summary ?? ''}\n${crashStep?.log ?? ''}`;
    expect(
      crashRun.result === 'failure' && crashOutcome === 'rolled-back',
      `crash deploy failed and was rolled back (outcome: ${crashOutcome})`,
      // Its deploy step is meant to fail; any earlier failed step is the problem.
      crashStep === undefined ? crashRun : undefined,
    );
    expect(
      /exit code\D{0,20}1\b|exitCode\D{0,5}1\b|exited with (code|status) 1/i.test(diagnosis),
      'the diagnosis names the exit code of the crashed container',
    );

    // What runs where, read back from ECS.
    const services = await readState(platform, outcomes);
    const byName = (name: string): ServiceState | undefined => services.find((s) => s.service === name);
    for (const kind of ['frontend', 'api'] as const) {
      const name = kind === 'frontend' ? frontendService : apiService;
      const staging = byName(name('staging'));
      const production = byName(name('production'));
      expect(
        staging !== undefined &&
          production !== undefined &&
          /@sha256:[0-9a-f]{64}$/.test(staging.image) &&
          staging.image === production.image,
        `production ${kind} runs the exact digest staging runs`,
      );
    }
    const apiStaging = byName(apiService('staging'));
    expect(
      apiStaging?.taskDefinition === stagingApiTd && stagingApiTd !== '',
      `staging API is back on ${stagingApiTd.split('/').pop() ?? ''} after the rollback`,
    );
    expect(
      services.every((s) => s.rolloutState === 'COMPLETED' && s.runningCount === s.desiredCount),
      'every service is settled (COMPLETED, running = desired)',
    );
    expect(
      services.filter((s) => s.kind === 'frontend').every((s) => s.healthyTargets === s.desiredCount),
      "every frontend task is a healthy target in its environment's target group",
    );

    print('');
    print(bold('What runs where'));
    const rows = [
      ['Service', 'Environment', 'Task definition', 'Image', 'Tasks', 'Targets', 'Last deploy'],
      ...services.map((s) => [
        s.service,
        s.environment,
        s.taskDefinition.split('/').pop() ?? '',
        shortDigests(s.image),
        `${s.runningCount}/${s.desiredCount} ${s.rolloutState}`,
        s.healthyTargets === undefined ? '—' : `${s.healthyTargets} healthy`,
        s.outcome,
      ]),
    ];
    for (const line of columns(rows, true)) console.log(line);
    const seconds = (Date.now() - started) / 1000;
    console.log('');
    console.log(
      problems.length === 0
        ? green(`Demo finished in ${seconds.toFixed(1)} s: every step went as it should.`)
        : red(
            `Demo finished in ${seconds.toFixed(1)} s with ${problems.length} problem(s):\n  - ${problems.join('\n  - ')}`,
          ),
    );
    const state: DemoState = {
      ok: problems.length === 0,
      problems,
      services,
      crash: { outcome: crashOutcome, diagnosis, rolledBackTo: apiStaging?.taskDefinition ?? '', before: stagingApiTd },
      stagingApiTaskDefinition: stagingApiTd,
      seconds,
    };
    if (options.stateFile !== undefined) await writeFile(options.stateFile, JSON.stringify(state, null, 2));
    return problems.length === 0 ? 0 : 1;
  } finally {
    if (previousTmp === undefined) delete process.env['TMPDIR'];
    else process.env['TMPDIR'] = previousTmp;
    await platform.stop();
    await rm(base, { recursive: true, force: true });
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  console.error(red(`demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`));
  process.exitCode = 1;
}
