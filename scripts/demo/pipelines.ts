/**
 * Whole workflow runs for the demo: a caller's job (`uses: .../deploy-*.yml@v1` with its `with:`) or a manual
 * dispatch, expanded into the reusable workflow's jobs in `needs` order (matrix jobs one after the other),
 * with the stand-ins for the steps that need GitHub or real AWS.
 */
import { cp, mkdir } from 'node:fs/promises';
import * as path from 'node:path';
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, ECSClient } from '@aws-sdk/client-ecs';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { interpolate, type Value } from '../../test/support/expressions';
import {
  callOutputs,
  loadWorkflow,
  localWorkflow,
  needsOf,
  type Step,
  type Workflow,
} from '../../test/support/workflows';
import {
  failureReason,
  matrixOf,
  runJob,
  type JobRecord,
  type Outcome,
  type Printer,
  type Simulation,
  type SimulationContext,
} from './jobs';
import { bold } from './terminal';

export interface RunContext {
  /** The simulator's AWS environment (endpoint, region, dummy credentials). */
  readonly awsEnv: Record<string, string>;
  /** Where upload-artifact keeps artifacts between the jobs of one run. */
  readonly artifacts: string;
  readonly secrets: readonly string[];
  /** Run `aws` CLI scripts for real (the CLI must be on PATH) instead of their SDK stand-ins. */
  readonly awsCli: boolean;
  readonly print: Printer;
}

export interface WorkflowRun {
  readonly workflow: string;
  readonly jobs: readonly JobRecord[];
  readonly outputs: Record<string, string>;
  readonly result: Outcome;
}

interface ClientConfig {
  region: string;
  endpoint: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

/** An SDK client on the job's credentials (the simulator's endpoint and dummy keys). */
export function client<T>(make: new (config: ClientConfig) => T, env: Record<string, string>): T {
  const endpoint = env['AWS_ENDPOINT_URL'];
  const region = env['AWS_REGION'];
  const accessKeyId = env['AWS_ACCESS_KEY_ID'];
  const secretAccessKey = env['AWS_SECRET_ACCESS_KEY'];
  if (endpoint === undefined || region === undefined || accessKeyId === undefined || secretAccessKey === undefined) {
    throw new Error('no AWS credentials in the job: configure-aws-credentials did not run before this step');
  }
  const sessionToken = env['AWS_SESSION_TOKEN'];
  return new make({
    region,
    endpoint,
    credentials: { accessKeyId, secretAccessKey, ...(sessionToken !== undefined ? { sessionToken } : {}) },
  });
}

/** `aws ecs ...` calls of deploy.yml's "Find what to deploy" script, made with the SDK against the simulator. */
async function findWhatToDeploy(ctx: SimulationContext): Promise<Record<string, string>> {
  const e = ctx.env;
  const ecs = client(ECSClient, ctx.job.env);
  const service = async (
    name: string,
  ): Promise<{ td: string | undefined; primary: { td?: string; rollout?: string }; deployments: number }> => {
    const out = await ecs.send(new DescribeServicesCommand({ cluster: e['CLUSTER'], services: [name] }));
    const svc = out.services?.[0];
    const primary = svc?.deployments?.find((d) => d.status === 'PRIMARY');
    return {
      td: svc?.taskDefinition,
      primary: {
        ...(primary?.taskDefinition !== undefined ? { td: primary.taskDefinition } : {}),
        ...(primary?.rolloutState !== undefined ? { rollout: primary.rolloutState } : {}),
      },
      deployments: svc?.deployments?.length ?? 0,
    };
  };
  const current = (await service(e['SERVICE'] ?? '')).td;
  if (current === undefined) throw new Error(`service ${e['SERVICE']} not found in cluster ${e['CLUSTER']}`);
  switch (e['SOURCE']) {
    case 'image':
      return { image: e['IMAGE'] ?? '', 'task-definition-arn': current };
    case 'promote-staging': {
      const { primary: staging, deployments } = await service(e['STAGING_SERVICE'] ?? '');
      if (staging.td === undefined) throw new Error(`staging service ${e['STAGING_SERVICE']} not found`);
      // Settled: the PRIMARY rollout COMPLETED (or, where ECS reports no rolloutState, it is the only one).
      if (staging.rollout !== 'COMPLETED' && !(staging.rollout === undefined && deployments === 1)) {
        throw new Error(`staging's deployment of ${staging.td} is ${staging.rollout ?? 'None'}, not COMPLETED`);
      }
      const td = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: staging.td }));
      const image = td.taskDefinition?.containerDefinitions?.find((c) => c.name === e['CONTAINER'])?.image ?? '';
      if (!/@sha256:[0-9a-f]{64}$/.test(image)) {
        throw new Error(
          `staging runs '${image}' in container ${e['CONTAINER']} of ${staging.td}, not an image by digest`,
        );
      }
      return { image, 'task-definition-arn': current };
    }
    case 'rollback': {
      const revision = e['REVISION'] ?? '';
      if (current.split('/').pop() === revision.split('/').pop())
        throw new Error(`${e['SERVICE']} already runs ${revision}`);
      return { image: '', 'task-definition-arn': revision };
    }
    default:
      throw new Error(`unknown source '${e['SOURCE']}'`);
  }
}

/** The stand-ins for steps that need GitHub or real AWS. */
export function simulator(run: RunContext): (step: Step) => Simulation | undefined {
  return (step) => {
    const uses = step.uses ?? '';
    if (uses.startsWith('actions/checkout@')) {
      return { note: "the caller's repository is the demo's copy of examples/<repo>", run: async () => ({}) };
    }
    if (uses.startsWith('actions/setup-node@')) {
      return { note: "this machine's Node.js", run: async () => ({}) };
    }
    if (uses.startsWith('actions/upload-artifact@')) {
      return {
        note: 'artifact kept in a local directory',
        run: async (ctx) => {
          const name = ctx.with['name'] ?? 'artifact';
          await cp(path.resolve(ctx.job.workspace, ctx.with['path'] ?? '.'), path.join(run.artifacts, name), {
            recursive: true,
          });
          return {};
        },
      };
    }
    if (uses.startsWith('actions/download-artifact@')) {
      return {
        note: 'artifact copied from the local directory',
        run: async (ctx) => {
          const target = path.resolve(ctx.job.workspace, ctx.with['path'] ?? '.');
          await mkdir(target, { recursive: true });
          await cp(path.join(run.artifacts, ctx.with['name'] ?? 'artifact'), target, { recursive: true });
          return {};
        },
      };
    }
    if (uses.startsWith('aws-actions/configure-aws-credentials@')) {
      return {
        note: 'OIDC role assumption → the simulator’s dummy credentials',
        run: async (ctx) => {
          const role = ctx.with['role-to-assume'] ?? '';
          if (role === '') throw new Error('role-to-assume is empty');
          const region = ctx.with['aws-region'] || run.awsEnv['AWS_REGION'] || '';
          // What the real action exports: credentials, AWS_REGION and AWS_DEFAULT_REGION.
          Object.assign(ctx.job.env, run.awsEnv, { AWS_REGION: region, AWS_DEFAULT_REGION: region });
          const identity = await client(STSClient, ctx.job.env).send(new GetCallerIdentityCommand({}));
          return { 'aws-account-id': identity.Account ?? '' };
        },
      };
    }
    if (step.run !== undefined && /\baws\s+(ecs|ecr|sts|ssm)\b/.test(step.run)) {
      // DEMO_AWS_CLI=1 runs the script itself with the AWS CLI against the simulator (the demo's test does,
      // where the CLI is installed, to prove the stand-in and the script agree).
      if (run.awsCli) return undefined;
      if (step.id === 'source') {
        return { note: 'its `aws ecs` CLI calls made with the SDK against the simulator', run: findWhatToDeploy };
      }
      return {
        note: 'no stand-in for this AWS CLI script',
        run: async () => {
          throw new Error(`step '${step.name ?? step.id}' calls the AWS CLI and the demo has no stand-in for it`);
        },
      };
    }
    return undefined;
  };
}

export interface WorkflowCall {
  readonly file: string;
  readonly inputs: Record<string, Value>;
  readonly vars: Record<string, string>;
  readonly workspace: string;
  readonly repository: string;
  readonly sha: string;
  readonly overrides?: Record<string, { readonly inputs: Record<string, string>; readonly why: string }>;
}

/** Runs every job of a workflow in `needs` order, like one workflow run. */
export async function runWorkflow(call: WorkflowCall, run: RunContext): Promise<WorkflowRun> {
  const workflow: Workflow = loadWorkflow(call.file);
  const done: Record<string, { result: Outcome; outputs: Record<string, string> }> = {};
  const jobs: JobRecord[] = [];
  const pending = Object.keys(workflow.jobs);
  while (pending.length > 0) {
    const next = pending.findIndex((id) => needsOf(workflow.jobs[id] ?? {}).every((n) => n in done));
    if (next < 0) throw new Error(`${call.file}: jobs ${pending.join(', ')} wait for each other`);
    const [id] = pending.splice(next, 1);
    if (id === undefined) break;
    const job = workflow.jobs[id] ?? {};
    const notRun: { result: Outcome; outputs: Record<string, string> } = { result: 'skipped', outputs: {} };
    const needs = Object.fromEntries(needsOf(job).map((n) => [n, done[n] ?? notRun]));
    // GitHub skips a job whose needs did not succeed unless its `if:` uses a status function.
    const blocked =
      Object.values(needs).some((n) => n.result !== 'success') &&
      !/\b(always|cancelled|failure)\(/.test(String(job.if ?? ''));
    const matrix = blocked ? undefined : matrixOf(job, { inputs: call.inputs, needs, vars: call.vars });
    const variants = matrix === undefined ? [undefined] : matrix.values.map((v) => ({ [matrix.key]: v }));
    const records: JobRecord[] = [];
    for (const m of variants) {
      if (blocked) {
        run.print(`  ○ job '${job.name ?? id}' skipped: a job it needs did not succeed`);
        records.push({
          workflow: call.file,
          job: id,
          title: job.name ?? id,
          result: 'skipped',
          outputs: {},
          steps: [],
        });
        continue;
      }
      const record = await runJob({
        workflow,
        job: id,
        inputs: call.inputs,
        vars: call.vars,
        needs,
        ...(m !== undefined ? { matrix: m } : {}),
        workspace: call.workspace,
        repository: call.repository,
        sha: call.sha,
        simulate: simulator(run),
        ...(call.overrides !== undefined ? { overrides: call.overrides } : {}),
        secrets: run.secrets,
        print: run.print,
      });
      records.push(record);
      jobs.push(record);
    }
    const failed = records.some((r) => r.result === 'failure');
    const ran = records.filter((r) => r.result !== 'skipped');
    done[id] = {
      result: failed ? 'failure' : ran.length === 0 ? 'skipped' : 'success',
      outputs: Object.assign({}, ...records.map((r) => r.outputs)) as Record<string, string>,
    };
  }
  const jobsContext = Object.fromEntries(
    Object.entries(done).map(([k, v]) => [k, { result: v.result, outputs: v.outputs }]),
  );
  const outputs = Object.fromEntries(
    Object.entries(callOutputs(workflow)).map(([k, spec]) => [
      k,
      interpolate(spec.value ?? '', { contexts: { jobs: jobsContext } }),
    ]),
  );
  const result: Outcome = jobs.some((j) => j.result === 'failure') ? 'failure' : 'success';
  return { workflow: call.file, jobs, outputs, result };
}

/** The `with:` of a job in an example caller workflow, evaluated (e.g. `needs.image.outputs.image`). */
export function callerJob(
  callerFile: string,
  jobId: string,
  contexts: Record<string, Value>,
): { file: string; inputs: Record<string, Value> } {
  const caller = loadWorkflow(callerFile);
  const job = caller.jobs[jobId];
  const file = job?.uses === undefined ? undefined : localWorkflow(job.uses);
  if (job === undefined || file === undefined)
    throw new Error(`${callerFile}: jobs.${jobId} does not call one of our workflows`);
  const inputs = Object.fromEntries(
    Object.entries(job.with ?? {}).map(([k, v]) => [
      k,
      typeof v === 'string' ? interpolate(v, { contexts }) : (v as Value),
    ]),
  );
  return { file, inputs };
}

export function banner(print: Printer, title: string, subtitle: string): void {
  print('');
  print(bold(`▶ ${title}`));
  print(`  ${subtitle}`);
}

/** "workflow jobs.x step 'name' failed: reason" for each failed step of a run (the demo's problem list). */
export function failedSteps(run: WorkflowRun): string[] {
  return run.jobs.flatMap((job) =>
    job.steps
      .filter((s) => s.outcome === 'failure')
      .map((s) => `${run.workflow} jobs.${job.job} step '${s.name}' failed: ${failureReason(s)}`),
  );
}
