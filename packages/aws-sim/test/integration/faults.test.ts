// Injected faults, seen through real SDK clients: the typed error each one raises, which ones the SDK's own
// retries absorb, and the call log that lets tests count API calls.
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { DescribeTargetGroupsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { GetParameterCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { type AwsSim, type FaultSpec, manualClock, startAwsSim } from '@deploy-actions/aws-sim';
import { type Clients, clients, destroy } from './helpers';

let sim: AwsSim;
let once: Clients; // maxAttempts 1: every fault surfaces
let retrying: Clients; // maxAttempts 3: transient faults are retried by the SDK
const CLUSTER = 'learning-platform-cluster1';
const SERVICE = 'learning-platform-nginx';

beforeAll(async () => {
  sim = await startAwsSim();
  sim.seedPlatform();
  once = clients(sim.env, 1);
  retrying = clients(sim.env, 3);
  await once.ssm.send(new PutParameterCommand({ Name: '/faults/A', Value: 'a', Type: 'String' }));
});
afterAll(async () => {
  destroy(once);
  destroy(retrying);
  await sim.stop();
});
afterEach(() => sim.clearFaults());

const describe_ = (c: Clients) => c.ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [SERVICE] }));

async function failure(p: Promise<unknown>): Promise<{ name: string; status: number | undefined }> {
  try {
    await p;
  } catch (error) {
    const e = error as { name?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
    // A reset connection surfaces as a network error (code ECONNRESET, or Node's "socket hang up").
    // (under jest the SDK wraps it: "AWS SDK error wrapper for TimeoutError: socket hang up").
    const reset = e.code === 'ECONNRESET' || (e.message ?? '').includes('socket hang up');
    return { name: reset ? 'ECONNRESET' : (e.name ?? String(error)), status: e.$metadata?.httpStatusCode };
  }
  return { name: 'no error', status: undefined };
}

const callsOf = (operation: string, from: number) => sim.calls.slice(from).filter((c) => c.operation === operation);

test.each<[string, FaultSpec, (c: Clients) => Promise<unknown>, string, number | undefined]>([
  ['ECS throttling', { operation: 'DescribeServices', kind: 'throttle' }, describe_, 'ThrottlingException', 400],
  ['ECS 5xx', { operation: 'DescribeServices', kind: 'server-error' }, describe_, 'ServerException', 500],
  [
    'SSM 5xx',
    { service: 'ssm', kind: 'server-error' },
    (c) => c.ssm.send(new GetParameterCommand({ Name: '/faults/A' })),
    'InternalServerError',
    500,
  ],
  [
    'ELBv2 (query) throttling',
    { service: 'elbv2', kind: 'throttle' },
    (c) => c.elb.send(new DescribeTargetGroupsCommand({})),
    'Throttling',
    400,
  ],
  [
    'ELBv2 (query) 5xx',
    { service: 'elbv2', kind: 'server-error' },
    (c) => c.elb.send(new DescribeTargetGroupsCommand({})),
    'InternalFailure',
    500,
  ],
  ['connection reset', { operation: 'DescribeServices', kind: 'reset' }, describe_, 'ECONNRESET', undefined],
])('%s: raised without retries, absorbed by the SDK retrying', async (_label, spec, call, name, status) => {
  sim.injectFault(spec);
  const from = sim.calls.length;
  expect(await failure(call(once))).toEqual({ name, status });
  sim.injectFault(spec);
  await expect(call(retrying)).resolves.toBeDefined();
  // One failed call without retries, then one failed and one successful attempt.
  const faulted = sim.calls.slice(from).filter((c) => c.fault !== undefined);
  expect(faulted).toHaveLength(2);
  expect(sim.calls.length - from).toBe(3);
});

test('times and afterCalls: the fault starts after N good calls and lasts `times` calls', async () => {
  sim.injectFault({ operation: 'DescribeServices', kind: 'throttle', afterCalls: 2, times: 2 });
  const results: string[] = [];
  for (let i = 0; i < 5; i++) results.push((await failure(describe_(once))).name);
  expect(results).toEqual(['no error', 'no error', 'ThrottlingException', 'ThrottlingException', 'no error']);
});

test('a fault for one operation leaves the others alone', async () => {
  sim.injectFault({ operation: 'DescribeServices', kind: 'server-error', times: 10 });
  await expect(once.ssm.send(new GetParameterCommand({ Name: '/faults/A' }))).resolves.toBeDefined();
  await expect(once.sts.send(new GetCallerIdentityCommand({}))).resolves.toBeDefined();
  expect((await failure(describe_(once))).name).toBe('ServerException');
});

test('expired credentials: from the Nth call on, every call fails and the SDK does not retry', async () => {
  sim.injectFault({ kind: 'expired-credentials', afterCalls: 3 });
  const from = sim.calls.length;
  for (let i = 0; i < 3; i++) await expect(describe_(retrying)).resolves.toBeDefined();
  expect(await failure(describe_(retrying))).toEqual({ name: 'ExpiredTokenException', status: 400 });
  expect(await failure(retrying.ssm.send(new GetParameterCommand({ Name: '/faults/A' })))).toEqual({
    name: 'ExpiredTokenException',
    status: 400,
  });
  // Query protocol services answer 403 ExpiredToken, as STS and ELBv2 do.
  expect(await failure(retrying.sts.send(new GetCallerIdentityCommand({})))).toEqual({
    name: 'ExpiredToken',
    status: 403,
  });
  // Not retried: one attempt each.
  expect(callsOf('DescribeServices', from)).toHaveLength(4);
  expect(sim.calls.slice(from).filter((c) => c.fault === 'expired-credentials')).toHaveLength(3);
});

test('slow replies: a client with a request timeout gives up, a patient one gets the answer', async () => {
  sim.injectFault({ operation: 'DescribeServices', kind: 'slow', delayMs: 400, times: 2 });
  const impatient = new ECSClient({
    region: sim.region,
    endpoint: sim.endpoint,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    maxAttempts: 1,
    requestHandler: { requestTimeout: 50, throwOnRequestTimeout: true },
  });
  try {
    expect(
      (await failure(impatient.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [SERVICE] })))).name,
    ).toBe('TimeoutError');
  } finally {
    impatient.destroy();
  }
  const out = await describe_(once);
  expect(out.services?.[0]?.serviceName).toBe(SERVICE);
  expect(sim.calls.filter((c) => c.fault === 'slow')).toHaveLength(2);
});

test('every call is recorded with its service, operation and the request as sent', async () => {
  const from = sim.calls.length;
  await describe_(once);
  await once.ssm.send(new GetParameterCommand({ Name: '/faults/A' }));
  await once.elb.send(new DescribeTargetGroupsCommand({}));
  await once.sts.send(new GetCallerIdentityCommand({}));
  expect(sim.calls.slice(from)).toEqual([
    {
      service: 'ecs',
      operation: 'DescribeServices',
      input: { cluster: 'learning-platform-cluster1', services: ['learning-platform-nginx'] },
    },
    { service: 'ssm', operation: 'GetParameter', input: { Name: '/faults/A' } },
    { service: 'elbv2', operation: 'DescribeTargetGroups', input: {} },
    { service: 'sts', operation: 'GetCallerIdentity', input: {} },
  ]);
});

test('afterMs: credentials expire after a span of simulated time (a one-hour role session)', async () => {
  const clock = manualClock();
  const timed = await startAwsSim({ clock });
  timed.seedPlatform();
  const c = clients(timed.env, 3);
  try {
    timed.injectFault({ kind: 'expired-credentials', afterMs: 3_600_000 });
    await expect(describe_(c)).resolves.toBeDefined();
    clock.advance(3_599_000);
    await expect(describe_(c)).resolves.toBeDefined();
    clock.advance(1_000);
    expect(await failure(describe_(c))).toEqual({ name: 'ExpiredTokenException', status: 400 });
    expect(timed.calls.map((x) => x.fault)).toEqual([undefined, undefined, 'expired-credentials']);
  } finally {
    destroy(c);
    await timed.stop();
  }
});

test('blackhole: the request is never answered; a client with a request timeout gives up', async () => {
  sim.injectFault({ operation: 'DescribeServices', kind: 'blackhole' });
  const client = new ECSClient({
    region: 'eu-west-2',
    endpoint: sim.endpoint,
    credentials: { accessKeyId: 't', secretAccessKey: 't' },
    maxAttempts: 1,
    requestHandler: { requestTimeout: 300, throwOnRequestTimeout: true },
  });
  const result = await failure(client.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [SERVICE] })));
  expect(result.name).toBe('TimeoutError');
  client.destroy();
});

test('stale: the first answer to the same request since injection is replayed, once the fault fires', async () => {
  const first = await describe_(once);
  sim.injectFault({ operation: 'DescribeServices', kind: 'stale', afterCalls: 1, times: 2 });
  const seen = await describe_(once); // recorded, not faulted
  sim.call('ecs', 'UpdateService', { cluster: CLUSTER, service: SERVICE, desiredCount: 3 });
  const stale = await describe_(once);
  expect(stale.services?.[0]?.desiredCount).toBe(seen.services?.[0]?.desiredCount);
  expect(stale.services?.[0]?.desiredCount).toBe(first.services?.[0]?.desiredCount);
  await describe_(once);
  const fresh = await describe_(once);
  expect(fresh.services?.[0]?.desiredCount).toBe(3);
  sim.call('ecs', 'UpdateService', { cluster: CLUSTER, service: SERVICE, desiredCount: 2 });
});

test('empty: every list of the answer is empty (no service returned)', async () => {
  sim.injectFault({ operation: 'DescribeServices', kind: 'empty' });
  const out = await describe_(once);
  expect(out.services).toEqual([]);
  expect((await describe_(once)).services).toHaveLength(1);
});

test('forMs: an outage fails every matching call for a simulated duration, then ends', async () => {
  const clock = manualClock();
  const s = await startAwsSim({ clock });
  s.seedPlatform();
  const c = clients(s.env, 1);
  s.injectFault({ service: 'ecs', kind: 'server-error', forMs: 60_000 });
  for (let i = 0; i < 4; i++) expect((await failure(describe_(c))).name).toBe('ServerException');
  clock.advance(60_000);
  expect((await failure(describe_(c))).name).toBe('no error');
  destroy(c);
  await s.stop();
});
