import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { readOptions, redactor } from '../../src/options';
import { memoryIO } from '@deploy-actions/testing';

const TD = {
  family: 'learning-platform-api',
  networkMode: 'awsvpc',
  requiresCompatibilities: ['FARGATE'],
  cpu: '256',
  memory: '512',
  containerDefinitions: [
    {
      name: 'api',
      image: 'busybox:latest',
      essential: true,
      environment: [
        { name: 'RAILS_MASTER_KEY', value: 'plain-master-key-0123456789' },
        { name: 'RAILS_ENV', value: 'production' },
      ],
    },
  ],
};

async function ws(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'deploy-unit-'));
  await writeFile(path.join(dir, 'td.json'), JSON.stringify(TD));
  return dir;
}

test('defaults: wait on, 30 minutes, 5 s polls, rollback on, cluster default', async () => {
  const io = memoryIO({ 'task-definition': 'td.json', service: 'api' }, { GITHUB_WORKSPACE: await ws() });
  const { deploy } = await readOptions(io);
  expect(deploy).toMatchObject({
    cluster: 'default',
    wait: true,
    waitMinutes: 30,
    pollSeconds: 5,
    rollback: true,
    forceNewDeployment: false,
    logLines: 20,
  });
  expect(deploy.runTask).toBeUndefined();
  expect(deploy.revision).toMatchObject({ register: { family: 'learning-platform-api' } });
});

test('fractions, run-task with its network, and the token and secret-looking values are masked at once', async () => {
  const io = memoryIO(
    {
      'task-definition': 'td.json',
      service: 'api',
      'wait-for-minutes': '0.5',
      'poll-interval-seconds': '0.25',
      'run-task': 'true',
      'run-task-command': 'bin/rails db:migrate',
      'run-task-subnets': 'subnet-1, subnet-2',
      'run-task-security-groups': 'sg-1',
      'github-token': 'ghs_unitTestToken000000000000',
      environment: 'staging',
    },
    { GITHUB_WORKSPACE: await ws() },
  );
  const options = await readOptions(io);
  expect(options.deploy.waitMinutes).toBe(0.5);
  expect(options.deploy.pollSeconds).toBe(0.25);
  expect(options.deploy.runTask).toEqual({
    command: ['bin/rails', 'db:migrate'],
    container: undefined,
    containerOverrides: undefined,
    startedBy: 'deploy-actions',
    network: {
      awsvpcConfiguration: { subnets: ['subnet-1', 'subnet-2'], securityGroups: ['sg-1'], assignPublicIp: 'DISABLED' },
    },
    assignPublicIp: undefined,
    launch: undefined,
    tags: undefined,
    enableEcsManagedTags: undefined,
    volume: undefined,
    wait: true,
  });
  expect(io.secrets).toEqual(expect.arrayContaining(['ghs_unitTestToken000000000000', 'plain-master-key-0123456789']));
  expect(io.secrets).not.toContain('production');
  expect(options.warnings.join('\n')).toMatch(/RAILS_MASTER_KEY as a plain environment value/);
});

test('every input problem is reported at once, before any AWS call', async () => {
  const io = memoryIO(
    {
      'task-definition': 'td.json',
      service: 'api',
      'wait-for-minutes': '0',
      'poll-interval-seconds': 'fast',
      'desired-count': '-1',
      'propagate-tags': 'ALL',
      'run-task-container': 'api',
      environment: 'staging',
      'environment-url': 'not a url',
      'keep-revisions': '0',
    },
    { GITHUB_WORKSPACE: await ws() },
  );
  const error = await readOptions(io).catch((e: unknown) => e as Error);
  const message = error instanceof Error ? error.message : '';
  for (const expected of [
    /input 'wait-for-minutes': is out of range/,
    /input 'poll-interval-seconds': is not a number/,
    /input 'desired-count': is out of range/,
    /input 'propagate-tags': is not one of the allowed values/,
    /input 'run-task-container': is set but run-task is false/,
    /input 'environment': needs github-token/,
    /input 'environment-url': is not an http\(s\) URL/,
    /input 'keep-revisions': is out of range/,
  ]) {
    expect(message).toMatch(expected);
  }
  expect(message).toMatch(/^8 problems:/);
});

test.each([
  ['a known secret value', 'login with hunter2-secret-value ok', 'login with *** ok'],
  [
    'NAME=value with a secret-looking name',
    'POSTGRES_PASSWORD=abc123 RAILS_ENV=production',
    'POSTGRES_PASSWORD=*** RAILS_ENV=production',
  ],
  ['NAME: "quoted value"', 'SECRET_KEY_BASE: "x y z" next', 'SECRET_KEY_BASE: *** next'],
  ['lower-case api_key=', 'api_key=zzz', 'api_key=***'],
  [
    'a _KEY name the environment rule masks too',
    'STRIPE_KEY=sk_live_1 DB_CREDENTIALS=u:p',
    'STRIPE_KEY=*** DB_CREDENTIALS=***',
  ],
  ['nothing secret', 'GET /health 200', 'GET /health 200'],
])('redactor: %s', (_name, input, output) => {
  expect(redactor(['hunter2-secret-value'])(input)).toBe(output);
});

test.each([
  ['learning-platform-api:41', 'learning-platform-api:41'],
  [
    'arn:aws:ecs:eu-west-2:123456789012:task-definition/learning-platform-api:41',
    'arn:aws:ecs:eu-west-2:123456789012:task-definition/learning-platform-api:41',
  ],
])('task-definition-arn %s: an existing revision, nothing to read or register', async (input, existing) => {
  const io = memoryIO({ 'task-definition-arn': input, service: 'api' }, { GITHUB_WORKSPACE: await ws() });
  const { deploy } = await readOptions(io);
  expect(deploy.revision).toEqual({ existing });
});

test.each([
  [
    { service: 'api' },
    /input 'task-definition': is required — set 'with: task-definition: <file>' to register one, or 'task-definition-arn/,
  ],
  [
    { service: 'api', 'task-definition': 'td.json', 'task-definition-arn': 'learning-platform-api:41' },
    /input 'task-definition-arn': is set together with 'task-definition' — give one of them/,
  ],
  [
    { service: 'api', 'task-definition-arn': 'learning-platform-api' },
    /input 'task-definition-arn': is not a task definition revision — use family:revision/,
  ],
  [
    { service: 'api', 'task-definition': 'td.json', 'wait-until': 'BAKING' },
    /input 'wait-until': is not a lifecycle stage — use one of: completed, paused, RECONCILE_SERVICE, .*BAKE_TIME, CLEAN_UP/,
  ],
  [
    { service: 'api', 'task-definition': 'td.json', 'wait-until': 'paused', 'wait-for-service-stability': 'false' },
    /input 'wait-until': needs wait-for-service-stability: true/,
  ],
])('refused with a clear message: %j', async (inputs, message) => {
  const io = memoryIO(inputs, { GITHUB_WORKSPACE: await ws() });
  await expect(readOptions(io)).rejects.toThrow(message);
});

test.each([
  [undefined, { kind: 'completed' }],
  ['paused', { kind: 'paused' }],
  ['bake_time', { kind: 'stage', stage: 'BAKE_TIME' }],
  ['POST_TEST_TRAFFIC_SHIFT', { kind: 'stage', stage: 'POST_TEST_TRAFFIC_SHIFT' }],
])('wait-until %s', async (value, waitUntil) => {
  const inputs: Record<string, string> = { service: 'api', 'task-definition': 'td.json' };
  if (value !== undefined) inputs['wait-until'] = value;
  const { deploy } = await readOptions(memoryIO(inputs, { GITHUB_WORKSPACE: await ws() }));
  expect(deploy.waitUntil).toEqual(waitUntil);
});
