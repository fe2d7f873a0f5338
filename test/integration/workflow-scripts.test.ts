// The shell steps of our workflows, run as the runner runs them (bash -e, env from the step's `env:` evaluated
// against the contexts, GITHUB_OUTPUT): input validation of the manual deploy, name resolution, the release
// version check, the frontend build check, and "find what to deploy" (promote / image / rollback) with the
// real AWS CLI against a real moto server, and against the rollout simulator where a rollout must have
// COMPLETED (moto never completes one). Values that reach the scripts through env are never executed.
import { spawnSync } from 'node:child_process';
import { jest } from '@jest/globals';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { startAwsSim, type AwsSim } from '@deploy-actions/aws-sim';
import { REPO_ROOT, runBundle, startMoto, type Moto } from '@deploy-actions/testing';
import { actionSteps, loadWorkflow, runScriptStep, stepInputs } from '../support/workflows';
import type { Value } from '../support/expressions';

// Each aws CLI call starts a Python process (about a second on a shared machine).
jest.setTimeout(30_000);

const DIGEST = 'sha256:' + 'ab'.repeat(32);
const deploy = loadWorkflow('.github/workflows/deploy.yml');
const ctx = (contexts: Record<string, Value>) => ({ contexts });

describe('deploy.yml: Check the inputs', () => {
  const check = (inputs: Record<string, string>) =>
    runScriptStep(deploy, 'plan', 'check', ctx({ inputs: { image: '', revision: '', ...inputs } }));

  test.each([
    [
      { service: 'frontend', environment: 'staging', source: 'image', image: `r.example/nginx@${DIGEST}` },
      ['frontend'],
    ],
    [{ service: 'both', environment: 'production', source: 'promote-staging' }, ['frontend', 'api']],
    [{ service: 'api', environment: 'production', source: 'rollback', revision: 'learning-platform-api:41' }, ['api']],
    [
      {
        service: 'api',
        environment: 'staging',
        source: 'rollback',
        revision: 'arn:aws:ecs:eu-west-2:123456789012:task-definition/learning-platform-api:7',
      },
      ['api'],
    ],
  ])('accepts %j', async (inputs, services) => {
    const run = await check(inputs);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.outputs['services'] ?? 'null')).toEqual(services);
  });

  test.each([
    [{ service: 'frontend', environment: 'staging', source: 'image', image: 'r.example/nginx:latest' }, 'by digest'],
    [{ service: 'both', environment: 'staging', source: 'image', image: `r/n@${DIGEST}` }, 'choose frontend or api'],
    [{ service: 'api', environment: 'staging', source: 'promote-staging' }, 'choose environment=production'],
    [{ service: 'api', environment: 'production', source: 'rollback' }, 'family:revision'],
    [
      { service: 'api', environment: 'production', source: 'rollback', revision: 'learning-platform-api:0' },
      'family:revision',
    ],
    [{ service: 'both', environment: 'production', source: 'rollback', revision: 'a:1' }, 'choose frontend or api'],
    [{ service: 'web', environment: 'production', source: 'image' }, 'service must be frontend, api or both'],
    [{ service: 'api', environment: 'dev', source: 'image' }, 'environment must be staging or production'],
    [
      { service: 'api', environment: 'production', source: 'yolo' },
      'source must be image, promote-staging or rollback',
    ],
  ])('refuses %j', async (inputs, message) => {
    const run = await check(inputs);
    expect(run.code).not.toBe(0);
    expect(run.stdout).toContain('::error title=Invalid request::');
    expect(run.stdout).toContain(message);
    expect(run.outputs['services']).toBeUndefined();
  });

  test('an input carrying shell syntax is data, not code', async () => {
    const run = await check({
      service: 'api$(echo INJECTED >&2)',
      environment: 'production`echo INJECTED`',
      source: 'image',
    });
    expect(run.code).not.toBe(0);
    expect(`${run.stdout}${run.stderr}`).not.toMatch(/^INJECTED$/m);
  });
});

describe('deploy.yml: Resolve names', () => {
  const names = (kind: string, vars: Record<string, string>) =>
    runScriptStep(
      deploy,
      'deploy',
      'names',
      ctx({ matrix: { service: kind }, inputs: { environment: 'production' }, vars }),
    );

  test.each([
    [
      'frontend',
      {},
      {
        cluster: 'learning-platform-cluster1',
        service: 'learning-platform-nginx-production',
        'staging-service': 'learning-platform-nginx-staging',
        container: 'nginx',
      },
    ],
    [
      'api',
      { ECS_CLUSTER: 'other', API_SERVICE: 'api-prod', API_CONTAINER: 'rails', STAGING_API_SERVICE: 'api-stg' },
      { cluster: 'other', service: 'api-prod', 'staging-service': 'api-stg', container: 'rails' },
    ],
  ])('%s with variables %j', async (kind, vars, expected) => {
    const run = await names(kind, { AWS_DEPLOY_ROLE_ARN: 'arn:aws:iam::123456789012:role/deploy', ...vars });
    expect(run.code).toBe(0);
    expect(run.outputs).toEqual(expected);
  });

  test('refuses to go on without a deploy role', async () => {
    const run = await names('api', {});
    expect(run.code).not.toBe(0);
    expect(run.stdout).toContain("set the AWS_DEPLOY_ROLE_ARN variable on the 'production' environment");
  });
});

test.each([
  ['1.4.0', 'refs/heads/main', 0, ''],
  ['10.20.30', 'refs/heads/main', 0, ''],
  ['v1.4.0', 'refs/heads/main', 1, 'is not X.Y.Z'],
  ['1.4', 'refs/heads/main', 1, 'is not X.Y.Z'],
  ['01.4.0', 'refs/heads/main', 1, 'is not X.Y.Z'],
  ['1.4.0; echo hacked', 'refs/heads/main', 1, 'is not X.Y.Z'],
  ['1.4.0', 'refs/heads/feature', 1, 'releases are cut from main'],
])('release.yml refuses bad versions and branches: %s on %s', async (version, ref, code, message) => {
  const release = loadWorkflow('.github/workflows/release.yml');
  const run = await runScriptStep(
    release,
    'check-dist',
    'Check the version and the branch',
    ctx({ inputs: { version }, github: { ref, event: { repository: { default_branch: 'main' } } } }),
  );
  expect(run.code).toBe(code);
  expect(run.stdout).toContain(message);
});

describe('deploy-frontend.yml build job', () => {
  const workflow = loadWorkflow('.github/workflows/deploy-frontend.yml');
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'frontend-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const build = (command: string) =>
    runScriptStep(
      workflow,
      'build',
      'Build the site',
      ctx({ inputs: { 'working-directory': '.', 'build-command': command, 'build-directory': 'dist' } }),
      { cwd: dir },
    );

  test('runs the caller build command and finds index.html', async () => {
    const run = await build('mkdir -p dist && echo "<h1>hi</h1>" > dist/index.html');
    expect(run.code).toBe(0);
    expect(existsSync(path.join(dir, 'dist/index.html'))).toBe(true);
  });

  test.each([
    ['true', 'the build did not produce dist/index.html'],
    ['exit 3', ''],
  ])('fails when the build %s', async (command, message) => {
    const run = await build(command);
    expect(run.code).not.toBe(0);
    expect(run.stdout).toContain(message);
  });
});

test.each([
  ['', '', 1],
  ['arn:aws:iam::123456789012:role/x', '', 0],
  ['', 'arn:aws:iam::123456789012:role/from-environment', 0],
])('deploy-api.yml checks the deploy role (input %j, variable %j)', async (input, variable, code) => {
  const run = await runScriptStep(
    loadWorkflow('.github/workflows/deploy-api.yml'),
    'deploy',
    'Check the deploy role',
    ctx({ inputs: { 'role-to-assume': input, environment: 'staging' }, vars: { AWS_DEPLOY_ROLE_ARN: variable } }),
  );
  expect(run.code).toBe(code);
  if (code !== 0) expect(run.stdout).toContain('No deploy role');
});

// --- Find what to deploy: the real AWS CLI against moto and the rollout simulator ----------------------------

// The AWS CLI is part of what .ci/run installs (.ci/requirements.txt); a missing CLI is a failure, not a skip.
const venvBin = path.join(REPO_ROOT, '.venv', 'bin');
const cliPath = `${venvBin}:${process.env['PATH'] ?? ''}`;
test('the AWS CLI is installed (bash .ci/run installs it into .venv)', () => {
  expect(spawnSync('aws', ['--version'], { encoding: 'utf8', env: { ...process.env, PATH: cliPath } }).status).toBe(0);
});

const CLUSTER = 'learning-platform-cluster1';
const PRODUCTION = 'learning-platform-api-production';
const image = (hex: string) => `r.example/api@sha256:${hex.repeat(32)}`;

/** Runs "Find what to deploy" of deploy.yml for the API against an AWS endpoint. */
function find(env: Record<string, string>, inputs: Record<string, string>, names: Record<string, string> = {}) {
  return runScriptStep(
    deploy,
    'deploy',
    'source',
    ctx({
      inputs: { image: '', revision: '', ...inputs },
      steps: {
        names: {
          outputs: {
            cluster: CLUSTER,
            service: PRODUCTION,
            'staging-service': 'learning-platform-api-staging',
            container: 'api',
            ...names,
          },
        },
      },
    }),
    { processEnv: { ...env, PATH: cliPath, AWS_DEFAULT_REGION: 'eu-west-2', AWS_PAGER: '' } },
  );
}

describe('deploy.yml: Find what to deploy (aws CLI against moto)', () => {
  let moto: Moto;
  let ecs: ECSClient;
  const arns: Record<string, string> = {};

  const register = async (img: string): Promise<string> => {
    const out = await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'learning-platform-api',
        containerDefinitions: [{ name: 'api', image: img, memory: 512 }],
      }),
    );
    return out.taskDefinition?.taskDefinitionArn ?? '';
  };

  beforeAll(async () => {
    moto = await startMoto();
    ecs = new ECSClient({
      endpoint: moto.endpoint,
      region: 'eu-west-2',
      credentials: { accessKeyId: 't', secretAccessKey: 't' },
    });
    await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
    arns['production'] = await register(image('11'));
    arns['staging'] = await register(image('ab'));
    for (const [service, td] of [
      [PRODUCTION, arns['production']],
      ['learning-platform-api-staging', arns['staging']],
    ] as const) {
      await ecs.send(
        new CreateServiceCommand({ cluster: CLUSTER, serviceName: service, taskDefinition: td, desiredCount: 1 }),
      );
    }
  });
  afterAll(async () => {
    ecs?.destroy();
    await moto?.stop();
  });

  test('promote-staging waits for staging to settle (moto keeps rollouts IN_PROGRESS)', async () => {
    const run = await find(moto.env, { source: 'promote-staging' });
    expect(run.code).not.toBe(0);
    expect(run.stdout).toContain('is IN_PROGRESS, not COMPLETED: promote once staging has settled');
    expect(run.outputs).toEqual({});
  });

  test('image: the given digest into what the service runs now', async () => {
    const run = await find(moto.env, { source: 'image', image: image('cd') });
    expect(run.code).toBe(0);
    expect(run.outputs).toEqual({ image: image('cd'), 'task-definition-arn': arns['production'] });
  });

  test('rollback: the named revision; refused when the service already runs it', async () => {
    const run = await find(moto.env, { source: 'rollback', revision: 'learning-platform-api:2' });
    expect(run.code).toBe(0);
    expect(run.outputs).toEqual({ image: '', 'task-definition-arn': 'learning-platform-api:2' });
    await ecs.send(
      new UpdateServiceCommand({ cluster: CLUSTER, service: PRODUCTION, taskDefinition: arns['staging'] }),
    );
    const again = await find(moto.env, { source: 'rollback', revision: 'learning-platform-api:2' });
    expect(again.code).not.toBe(0);
    expect(again.stdout).toContain('already runs learning-platform-api:2');
  });

  test('a service that does not exist is named', async () => {
    const run = await find(
      moto.env,
      { source: 'image', image: image('cd') },
      { service: 'learning-platform-api-nope' },
    );
    expect(run.code).not.toBe(0);
    expect(run.stdout).toContain('service learning-platform-api-nope not found in cluster learning-platform-cluster1');
  });
});

describe('deploy.yml: promote-staging (aws CLI against the rollout simulator)', () => {
  let sim: AwsSim;
  let seeded: Record<string, string> = {};
  beforeAll(async () => {
    sim = await startAwsSim({ timeScale: 600 });
    const result = sim.seedPlatform({
      cluster: CLUSTER,
      services: [
        { name: PRODUCTION, family: 'learning-platform-api', containerName: 'api', image: image('11') },
        {
          name: 'learning-platform-api-staging',
          family: 'learning-platform-api',
          containerName: 'api',
          image: image('ab'),
        },
        {
          name: 'learning-platform-api-tagged',
          family: 'learning-platform-api',
          containerName: 'api',
          image: 'r.example/api:latest',
        },
      ],
    });
    seeded = Object.fromEntries(Object.entries(result.services).map(([name, s]) => [name, s.taskDefinitionArn]));
  });
  afterAll(async () => {
    await sim?.stop();
  });

  test('the exact digest staging runs, into what production runs now', async () => {
    const run = await find(sim.env, { source: 'promote-staging' });
    expect(run.code).toBe(0);
    expect(run.outputs).toEqual({ image: image('ab'), 'task-definition-arn': seeded[PRODUCTION] });
    expect(run.stdout).toContain(`staging (${seeded['learning-platform-api-staging']}) runs ${image('ab')}`);
  });

  test('refuses a staging image that is not a digest', async () => {
    const run = await find(
      sim.env,
      { source: 'promote-staging' },
      { 'staging-service': 'learning-platform-api-tagged' },
    );
    expect(run.code).not.toBe(0);
    expect(run.stdout).toContain("runs 'r.example/api:latest' in container api");
    expect(run.stdout).toContain('not an image by digest: promotion must copy an exact digest');
  });

  test('rollback end to end: the named revision is what deploy-service deploys, nothing rendered or registered', async () => {
    const revision = 'learning-platform-api:2';
    const found = await find(sim.env, { source: 'rollback', revision });
    expect(found.outputs).toEqual({ image: '', 'task-definition-arn': revision });
    // deploy-service with the inputs deploy.yml's step gives it (its render step is skipped for a rollback).
    const step = actionSteps(deploy, 'deploy').find((s) => s.action === 'deploy-service');
    const inputs = step
      ? stepInputs(step, {
          contexts: {
            inputs: { service: 'api', environment: 'production', source: 'rollback', image: '', revision },
            steps: {
              names: { outputs: { cluster: CLUSTER, service: PRODUCTION, container: 'api' } },
              source: { outputs: found.outputs },
              render: { outputs: {} },
            },
            vars: {},
          },
        })
      : {};
    const from = sim.calls.length;
    const run = await runBundle('deploy-service', {
      env: sim.env,
      inputs: { ...inputs, 'poll-interval-seconds': '0.05', 'wait-for-minutes': '0.5' },
    });
    expect(run.code).toBe(0);
    expect(run.outputs['outcome']).toBe('succeeded');
    expect(run.outputs['previous-task-definition-arn']).toBe(seeded[PRODUCTION]);
    expect(run.outputs['task-definition-arn']).toBe(seeded['learning-platform-api-staging']);
    expect(sim.calls.slice(from).map((c) => c.operation)).not.toContain('RegisterTaskDefinition');
    const services = sim.call('ecs', 'DescribeServices', { cluster: CLUSTER, services: [PRODUCTION] })['services'];
    expect((services as { taskDefinition?: string }[])[0]?.taskDefinition).toBe(
      seeded['learning-platform-api-staging'],
    );
  });
});
