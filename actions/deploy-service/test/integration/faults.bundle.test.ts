// The bundled action against the simulator with injected faults, the one-off task (migrations), GitHub
// Deployments (a local stand-in for api.github.com) and the leak test.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startAwsSim, type AwsSim, type FaultSpec } from '@deploy-actions/aws-sim';
import { everythingVisible } from '@deploy-actions/testing';
import { deployImage, NGINX, type Deployed } from './helpers';

/** Per-test limit: the SDK's adaptive retry slows a throttled client down on purpose; the machine is shared. */
const LIMIT = 60_000;
let sim: AwsSim;
let github: Server;
let githubUrl: string;
const requests: { method: string; url: string; body: Record<string, unknown>; auth: string }[] = [];

beforeAll(async () => {
  sim = await startAwsSim({ timeScale: 600 });
  sim.seedPlatform();
  // Stands in for api.github.com: deployments get id 42, statuses are recorded.
  github = createServer((req, res) => {
    let text = '';
    req.on('data', (d: Buffer) => (text += d.toString()));
    req.on('end', () => {
      requests.push({
        method: req.method ?? '',
        url: req.url ?? '',
        body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
        auth: req.headers.authorization ?? '',
      });
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(JSON.stringify(req.url?.endsWith('/deployments') ? { id: 42 } : { id: 7, state: 'x' }));
    });
  });
  await new Promise<void>((resolve) => github.listen(0, '127.0.0.1', resolve));
  githubUrl = `http://127.0.0.1:${(github.address() as AddressInfo).port}`;
}, LIMIT);
afterAll(async () => {
  await sim?.stop();
  await new Promise((resolve) => github?.close(resolve));
}, LIMIT);
afterEach(() => {
  sim.clearFaults();
});

let n = 0;
function deploy(
  options: {
    image?: string;
    inputs?: Record<string, string>;
    env?: Record<string, string>;
    environment?: { name: string; value: string }[];
  } = {},
): Promise<Deployed> {
  return deployImage(sim, { service: NGINX, image: options.image ?? `nginx:1.29-f${++n}`, ...options });
}

test.each<{ name: string; fault: FaultSpec }>([
  { name: 'throttling', fault: { operation: 'DescribeServices', kind: 'throttle', times: 2, afterCalls: 1 } },
  { name: '5xx', fault: { operation: 'DescribeServices', kind: 'server-error', times: 3, afterCalls: 1 } },
  { name: 'connection resets', fault: { operation: 'DescribeServices', kind: 'reset', times: 2, afterCalls: 1 } },
  {
    name: 'slow replies',
    fault: { operation: 'DescribeServices', kind: 'slow', times: 1, delayMs: 1500, afterCalls: 1 },
  },
  { name: 'throttled target health', fault: { operation: 'DescribeTargetHealth', kind: 'throttle', times: 2 } },
  // The attempt is abandoned at its time limit (10 s) and retried, instead of waiting for the job timeout.
  {
    name: 'a black-holed request',
    fault: { operation: 'DescribeServices', kind: 'blackhole', times: 1, afterCalls: 1 },
  },
  // A stale read replays DescribeServices from before the update: three of them, never taken for a rollback.
  { name: 'three stale reads', fault: { operation: 'DescribeServices', kind: 'stale', times: 3, afterCalls: 1 } },
  { name: 'three empty reads', fault: { operation: 'DescribeServices', kind: 'empty', times: 3, afterCalls: 1 } },
  {
    name: 'stale reads where the service deployment is not readable either',
    fault: { operation: 'DescribeServiceDeployments', kind: 'empty', times: 3 },
  },
])(
  '$name: survived, and the deploy still succeeds on the new revision',
  async ({ fault }) => {
    const from = sim.calls.length;
    sim.injectFault(fault);
    if (fault.operation === 'DescribeServiceDeployments') {
      sim.injectFault({ operation: 'DescribeServices', kind: 'stale', times: 3, afterCalls: 1 });
    }
    const { run, after } = await deploy();
    expect(sim.calls.slice(from).filter((c) => c.fault === fault.kind).length).toBe(fault.times);
    expect(run.code).toBe(0);
    expect(run.outputs['outcome']).toBe('succeeded');
    expect(after).toBe(run.outputs['task-definition-arn']);
  },
  LIMIT,
);

test(
  'an ECS outage many polls long is waited out: the deploy still succeeds',
  async () => {
    const from = sim.calls.length;
    // Thirty simulated minutes (three real seconds: sixty poll intervals), starting right after the update.
    sim.injectFault({ service: 'ecs', kind: 'server-error', forMs: 1_800_000, afterCalls: 3 });
    const { run, after } = await deploy({ inputs: { 'wait-for-minutes': '1' } });
    // Retried with growing back-off (not hammered every poll), and never given up on before the deadline.
    expect(sim.calls.slice(from).filter((c) => c.fault === 'server-error').length).toBeGreaterThanOrEqual(3);
    expect(run.code).toBe(0);
    expect(run.outputs['outcome']).toBe('succeeded');
    expect(after).toBe(run.outputs['task-definition-arn']);
  },
  LIMIT,
);

test('every DescribeServices black-holed: the step still ends by its deadlines, with every output and a summary', async () => {
  sim.injectFault({ operation: 'DescribeServices', kind: 'blackhole', times: 1000, afterCalls: 1 });
  const { run } = await deploy({ inputs: { 'wait-for-minutes': '0.2' } });
  sim.clearFaults();
  expect(run.code).toBe(1);
  expect(run.outputs['outcome']).toBe('failed');
  expect(run.outputs['cause']).toBe('timeout');
  expect(Object.keys(run.outputs)).toEqual(
    expect.arrayContaining(['task-definition-arn', 'deployment-id', 'duration-seconds']),
  );
  expect(run.stdout).toMatch(/DescribeServices: no answer before the deadline \(last error: TimeoutError\)/);
  expect(run.stdout).toMatch(/rolling back to learning-platform-nginx:\d+ did not settle/);
  expect(run.summary).toContain('❌ failed');
  // Rollout and rollback get 12 s each, the diagnosis answers at once.
  expect(Number(run.outputs['duration-seconds'])).toBeLessThan(40);
  await new Promise((r) => setTimeout(r, 500));
}, 90_000);

test(
  'credentials expiring for good mid-wait: fails at once with a clear message, attempts no rollback, no raw JSON',
  async () => {
    sim.injectFault({ kind: 'expired-credentials', operation: 'DescribeServices', afterCalls: 2 });
    const from = sim.calls.length;
    const { run } = await deploy();
    expect(run.code).toBe(1);
    expect(run.outputs['outcome']).toBe('failed');
    expect(run.outputs['cause']).toBe('credentials-expired');
    expect(run.stdout).toMatch(
      /::error::deploy-service: AWS credentials expired while deploying learning-platform-nginx:\d+: give the role session more time \(role-duration-seconds\)/,
    );
    expect(run.stdout).toMatch(/no rollback was attempted \(it needs valid credentials\)/);
    // After the first rejection: one retry (a refreshable session would get a new one), then nothing at all.
    const calls = sim.calls.slice(from);
    const first = calls.findIndex((c) => c.fault === 'expired-credentials');
    expect(calls.slice(first + 1).map((c) => c.operation)).toEqual(['DescribeServices']);
    expect(Number(run.outputs['duration-seconds'])).toBeLessThan(20);
    expect(run.stdout).not.toMatch(/"\$metadata"|\{"__type"/);
    sim.clearFaults();
    // The deploy goes on inside ECS without us; leave the service settled for the next test.
    await new Promise((r) => setTimeout(r, 500));
  },
  LIMIT,
);

test(
  'credentials rejected once mid-wait (then refreshed): the deploy goes on and succeeds',
  async () => {
    sim.injectFault({ kind: 'expired-credentials', operation: 'DescribeServices', afterCalls: 3, times: 1 });
    const { run, after } = await deploy();
    expect(run.code).toBe(0);
    expect(run.outputs['outcome']).toBe('succeeded');
    expect(after).toBe(run.outputs['task-definition-arn']);
  },
  LIMIT,
);

test.each([
  {
    name: 'migration succeeds: then the service is updated',
    image: 'nginx:migrate-ok',
    code: 0,
    outcome: 'succeeded',
    updated: true,
    log: '| + bin/rails db:migrate',
  },
  {
    name: 'migration fails: no service update',
    image: 'nginx:migrate-crash',
    code: 1,
    outcome: 'failed',
    updated: false,
    log: '| nginx: [emerg] host not found',
  },
])(
  'run-task, $name',
  async ({ image, code, outcome, updated, log }) => {
    sim.setScenario({ image: 'migrate-crash' }, 'crash');
    const from = sim.calls.length;
    const { run, before, after } = await deploy({
      image,
      inputs: { 'run-task': 'true', 'run-task-command': '["bin/rails", "db:migrate"]', 'run-task-container': 'nginx' },
    });
    expect(run.code).toBe(code);
    expect(run.outputs['outcome']).toBe(outcome);
    // A JSON array, as aws-actions sets it.
    expect(JSON.parse(run.outputs['run-task-arn'] ?? '')).toEqual([
      expect.stringMatching(/^arn:aws:ecs:eu-west-2:123456789012:task\//),
    ]);
    expect(run.visible).toContain(log);
    const updates = sim.calls.slice(from).filter((c) => c.operation === 'UpdateService').length;
    expect(updates).toBe(updated ? 1 : 0);
    if (updated) {
      expect(after).toBe(run.outputs['task-definition-arn']);
    } else {
      expect(after).toBe(before);
      expect(run.stdout).toMatch(
        /::error::deploy-service: the one-off task \w+ failed \(nginx exited 1; Essential container in task exited\); the service was not updated/,
      );
    }
  },
  LIMIT,
);

test.each([
  { name: 'success', image: 'nginx:gh-ok', final: 'success' },
  { name: 'failure', image: 'nginx:gh-crash', final: 'failure' },
])(
  'GitHub Deployments: a deployment for the commit, then in_progress and $final',
  async ({ image, final }) => {
    sim.setScenario({ image: 'gh-crash' }, 'crash');
    requests.length = 0;
    const { run } = await deploy({
      image,
      env: { GITHUB_API_URL: githubUrl },
      inputs: {
        'github-token': 'ghs_fakeTokenForTheLocalStandIn000000',
        environment: 'staging',
        'environment-url': 'https://app.staging.zanda360.com',
      },
    });
    expect(run.outputs['github-deployment-id']).toBe('42');
    expect(
      requests.map((r) => `${r.method} ${r.url} ${typeof r.body['state'] === 'string' ? r.body['state'] : ''}`.trim()),
    ).toEqual([
      'POST /repos/eLearning-Plus/learning-platform-frontend/deployments',
      'POST /repos/eLearning-Plus/learning-platform-frontend/deployments/42/statuses in_progress',
      `POST /repos/eLearning-Plus/learning-platform-frontend/deployments/42/statuses ${final}`,
    ]);
    expect(requests[0]?.body).toMatchObject({
      ref: '0123456789abcdef0123456789abcdef01234567',
      environment: 'staging',
      auto_merge: false,
    });
    expect(requests[2]?.body).toMatchObject({
      environment_url: 'https://app.staging.zanda360.com',
      log_url: 'https://github.com/eLearning-Plus/learning-platform-frontend/actions/runs/1',
    });
    expect(requests[0]?.auth).toBe('token ghs_fakeTokenForTheLocalStandIn000000');
  },
  LIMIT,
);

test(
  'leak test: secret environment values, the token and secrets in log lines never reach stdout, stderr, outputs or the summary',
  async () => {
    const masterKey = 'c0ffee5ecretRailsMasterKey0123456789abcdef';
    const password = 'pg-Pa55word-that-must-not-leak';
    const token = 'ghs_leakTestToken1234567890abcdefABCDEF';
    sim.setScenario({ image: 'leak-crash' }, 'crash');
    const { run } = await deploy({
      image: '123456789012.dkr.ecr.eu-west-2.amazonaws.com/api:leak-crash',
      env: { GITHUB_API_URL: githubUrl },
      environment: [
        { name: 'RAILS_MASTER_KEY', value: masterKey },
        { name: 'RAILS_ENV', value: 'production' },
      ],
      inputs: {
        'github-token': token,
        environment: 'staging',
        'run-task': 'true',
        // The one-off task echoes its command in its log: both secrets come back in CloudWatch lines.
        'run-task-command': `["bin/rails", "db:migrate", "RAILS_MASTER_KEY=${masterKey}", "POSTGRES_PASSWORD=${password}"]`,
      },
    });
    expect(run.code).toBe(1);
    expect(run.visible).toContain('| + bin/rails db:migrate RAILS_MASTER_KEY=*** POSTGRES_PASSWORD=***');
    const everything = everythingVisible(run);
    for (const secret of [masterKey, password, token]) expect(everything).not.toContain(secret);
    expect(run.masked).toEqual(expect.arrayContaining([token, masterKey]));
    expect(run.stdout).toMatch(/RAILS_MASTER_KEY as a plain environment value; use secrets/);
  },
  LIMIT,
);
