// deploy-api.yml end to end, as the workflow file says: its action steps, in order, with the inputs the file
// gives them (expressions evaluated like the runner, outputs of each step feeding the next), each run as
// the bundled action through the runner contract, against the rollout simulator seeded with the platform's
// staging parameters. Uses the example task definition and parameters manifest, so the workflow, the
// actions and the examples are proven to fit together — and a missing parameter stops the run before deploy.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { jest } from '@jest/globals';
import { startAwsSim, type AwsSim } from '@deploy-actions/aws-sim';
import { REPO_ROOT, everythingVisible, runBundle, type RunResult } from '@deploy-actions/testing';
import { actionSteps, inputsWithDefaults, loadWorkflow, runScriptStep, stepInputs } from '../support/workflows';
import { condition, type Value } from '../support/expressions';

// Three bundled actions, each a fresh Node process, plus a migration task and a rollout on the simulator.
jest.setTimeout(60_000);

const CLUSTER = 'learning-platform-cluster1';
const SERVICE = 'learning-platform-api-staging';
const IMAGE = `r.example/learning-platform-api@sha256:${'5e'.repeat(32)}`;

// Valid staging values for every manifest rule; the secret ones must never be printed.
const VALUES: Record<string, { value: string; secure?: boolean }> = {
  HOST_NAME: { value: 'app.staging.zanda360.com' },
  MAIL_DEFAULT_FROM_ADDRESS: { value: 'noreply@zanda360.com' },
  POSTGRES_DB: { value: 'learning_platform' },
  POSTGRES_HOST: { value: 'db.staging.internal' },
  POSTGRES_PASSWORD: { value: 'pg "s3cret" with spaces', secure: true },
  POSTGRES_USERNAME: { value: 'platform' },
  RAILS_MASTER_KEY: { value: '0123456789abcdef0123456789abcdef', secure: true },
  REDIS_HOST: { value: 'redis.staging.internal' },
  S3_BUCKET_ACCESS_KEY_ID: { value: 'AKIAQWERTYUIOPASDFGH', secure: true },
  S3_BUCKET_NAME: { value: 'learning-platform-staging' },
  S3_BUCKET_REGION: { value: 'eu-west-2' },
  S3_BUCKET_SECRET_KEY: { value: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYsecretKEY', secure: true },
  SMTP_ADDRESS: { value: 'smtp.mail.example.com' },
  SMTP_DOMAIN: { value: 'zanda360.com' },
  SMTP_USERNAME: { value: 'smtp-user-7781', secure: true },
  SMTP_PASSWORD: { value: 'smtp-pass-0c7e1d', secure: true },
  SMTP_PORT: { value: '587' },
};
const SECRET_VALUES = Object.values(VALUES)
  .filter((v) => v.secure === true)
  .map((v) => v.value);

interface StepRun {
  readonly action: string;
  readonly id: string | undefined;
  readonly run: RunResult;
}

/**
 * Runs the deploy job's steps as the runner would: our actions as bundles, its own scripts in bash; the
 * steps that need GitHub (checkout, OIDC credentials) are what the test set up. Stops at the first failure.
 */
async function runDeployApi(sim: AwsSim, workspace: string, given: Record<string, Value>): Promise<StepRun[]> {
  const workflow = loadWorkflow('.github/workflows/deploy-api.yml');
  const steps: Record<string, Value> = {};
  const vars = { AWS_DEPLOY_ROLE_ARN: 'arn:aws:iam::123456789012:role/learning-platform-deploy-staging' };
  const contexts: Record<string, Value> = { inputs: inputsWithDefaults(workflow, given), steps, vars };
  const ours = new Map(actionSteps(workflow, 'deploy').map((s) => [s.index, s]));
  const runs: StepRun[] = [];
  for (const [index, spec] of (workflow.jobs['deploy']?.steps ?? []).entries()) {
    const step = ours.get(index);
    if (!condition(step?.if ?? spec.if, { contexts })) continue;
    let run: RunResult;
    if (step !== undefined) {
      run = await runBundle(step.action, { inputs: stepInputs(step, { contexts }), env: sim.env, workspace });
    } else if (spec.run !== undefined) {
      const script = await runScriptStep(
        workflow,
        'deploy',
        spec.id ?? spec.name ?? '',
        { contexts },
        { cwd: workspace },
      );
      run = {
        ...script,
        visible: script.stdout,
        runnerTemp: '',
        workspace,
        outputFile: Object.entries(script.outputs)
          .map(([k, v]) => `${k}=${v}`)
          .join('\n'),
        masked: [],
        firstOutputMs: undefined,
        wallMs: 0,
      };
    } else continue;
    runs.push({ action: step?.action ?? 'run', id: spec.id, run });
    if (spec.id !== undefined)
      steps[spec.id] = { outputs: run.outputs, outcome: run.code === 0 ? 'success' : 'failure' };
    if (run.code !== 0) break;
  }
  return runs;
}

function serviceTaskDefinition(sim: AwsSim): Record<string, unknown> {
  const services = sim.call('ecs', 'DescribeServices', { cluster: CLUSTER, services: [SERVICE] })['services'] as {
    taskDefinition: string;
  }[];
  const arn = services[0]?.taskDefinition ?? '';
  return sim.call('ecs', 'DescribeTaskDefinition', { taskDefinition: arn })['taskDefinition'] as Record<
    string,
    unknown
  >;
}

let sim: AwsSim;
let workspace: string;
beforeAll(async () => {
  sim = await startAwsSim({ timeScale: 600 });
  sim.seedPlatform({
    cluster: CLUSTER,
    services: [
      {
        name: SERVICE,
        family: 'learning-platform-api-staging',
        containerName: 'api',
        image: 'busybox:latest',
        containerPort: 3000,
      },
    ],
    parameters: Object.entries(VALUES).map(([name, v]) => ({
      name: `/learning-platform/staging/${name}`,
      value: v.value,
      type: v.secure === true ? ('SecureString' as const) : ('String' as const),
    })),
  });
  workspace = mkdtempSync(path.join(tmpdir(), 'api-repo-'));
  cpSync(path.join(REPO_ROOT, 'examples/api/.aws'), path.join(workspace, '.aws'), { recursive: true });
  cpSync(path.join(REPO_ROOT, 'examples/parameters.yml'), path.join(workspace, '.aws/parameters.yml'));
});
afterAll(async () => {
  await sim?.stop();
  if (workspace) rmSync(workspace, { recursive: true, force: true });
});

test('render → verify → migrate + deploy: staging runs the image with the staging parameters as secrets', async () => {
  const runs = await runDeployApi(sim, workspace, {
    environment: 'staging',
    service: SERVICE,
    image: IMAGE,
    family: 'learning-platform-api-staging',
    'log-group': '/ecs/learning-platform-api-staging',
    'migration-command': '["bin/rails", "db:migrate"]',
    'wait-for-minutes': 2,
  });
  // On a failure, the step's last lines are part of the difference jest prints.
  expect(
    runs.map((r) => [r.action, r.run.code, r.run.code === 0 ? '' : (r.run.visible + r.run.stderr).slice(-800)]),
  ).toEqual([
    ['run', 0, ''],
    ['render-task-def', 0, ''],
    ['run', 0, ''],
    ['verify-params', 0, ''],
    ['deploy-service', 0, ''],
  ]);
  const [, render, , verify, deploy] = runs.map((r) => r.run);
  // The file's family is production's; the workflow's family input gives staging its own.
  expect(render?.outputs['family']).toBe('learning-platform-api-production');
  expect(deploy?.outputs['task-definition-arn']).toMatch(/:task-definition\/learning-platform-api-staging:\d+$/);
  expect(JSON.parse(verify?.outputs['missing'] ?? 'null')).toEqual([]);
  expect(JSON.parse(verify?.outputs['invalid'] ?? 'null')).toEqual([]);
  expect(deploy?.outputs['outcome']).toBe('succeeded');
  expect(JSON.parse(deploy?.outputs['run-task-arn'] ?? '')).toEqual([
    expect.stringMatching(/^arn:aws:ecs:eu-west-2:\d{12}:task\//),
  ]);

  const td = serviceTaskDefinition(sim);
  const [api] = td['containerDefinitions'] as {
    name: string;
    image: string;
    secrets: { name: string; valueFrom: string }[];
  }[];
  expect(api?.image).toBe(IMAGE);
  expect(td['taskDefinitionArn']).toBe(deploy?.outputs['task-definition-arn']);
  const secrets = Object.fromEntries((api?.secrets ?? []).map((s) => [s.name, s.valueFrom]));
  expect(Object.keys(secrets).sort()).toEqual(Object.keys(VALUES).sort());
  for (const name of Object.keys(VALUES)) {
    expect(secrets[name]).toBe(`arn:aws:ssm:eu-west-2:123456789012:parameter/learning-platform/staging/${name}`);
  }
  // Nothing any step showed (the log after the runner's masking), output or summarised contains a secret value.
  for (const { run } of runs) {
    const everything = everythingVisible(run);
    for (const secret of SECRET_VALUES) expect(everything).not.toContain(secret);
  }
});

test('a missing parameter fails verify-params and nothing is deployed', async () => {
  sim.call('ssm', 'DeleteParameter', { Name: '/learning-platform/staging/SMTP_PASSWORD' });
  const before = serviceTaskDefinition(sim)['taskDefinitionArn'];
  const runs = await runDeployApi(sim, workspace, { environment: 'staging', service: SERVICE, image: IMAGE });
  expect(runs.map((r) => [r.action, r.run.code === 0])).toEqual([
    ['run', true],
    ['render-task-def', true],
    ['run', true],
    ['verify-params', false],
  ]);
  expect(JSON.parse(runs[3]?.run.outputs['missing'] ?? 'null')).toEqual(['/learning-platform/staging/SMTP_PASSWORD']);
  expect(serviceTaskDefinition(sim)['taskDefinitionArn']).toBe(before);
});
