// The verdict over sequences of observations, table-driven: what one read may and may not decide (stale and
// empty reads, takeovers, rollbacks, crash loops), and what the native strategies' service deployments say.
import type { Deployment, Service, ServiceDeployment, ServiceEvent } from '@aws-sdk/client-ecs';
import { classify, sawUnableToStart } from '../../src/classify';
import { describeStrategy, type WaitUntil } from '../../src/strategy';
import { decide, type Expectation, type Observation, type Verdict } from '../../src/verdict';
import { ARN, dep, OURS, PREV, prevDep } from './fixtures';

const NEW = OURS;
const OLD = PREV;
const TD = ARN;
const SD_OLD = 'arn:aws:ecs:eu-west-2:123456789012:service-deployment/c/web/old';
const SD_NEW = 'arn:aws:ecs:eu-west-2:123456789012:service-deployment/c/web/new';
const SD_OTHER = 'arn:aws:ecs:eu-west-2:123456789012:service-deployment/c/web/other';

const old = prevDep;
const done = (over: Partial<Deployment> = {}): Deployment =>
  dep({ rolloutState: 'COMPLETED', runningCount: 2, pendingCount: 0, ...over });

const svc = (deployments: Deployment[], over: Partial<Service> = {}): Service => ({
  status: 'ACTIVE',
  desiredCount: 2,
  runningCount: 2,
  deployments,
  currentServiceDeployment: SD_NEW,
  ...over,
});
const sd = (over: Partial<ServiceDeployment> = {}): ServiceDeployment => ({
  serviceDeploymentArn: SD_NEW,
  status: 'IN_PROGRESS',
  ...over,
});

const rolling = describeStrategy({});
const noBreaker = rolling;
const withBreaker = describeStrategy({
  deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } },
});
const blueGreen = describeStrategy({
  deploymentConfiguration: {
    strategy: 'BLUE_GREEN',
    bakeTimeInMinutes: 30,
    deploymentCircuitBreaker: { enable: true, rollback: true },
    lifecycleHooks: [{ targetType: 'PAUSE', lifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'] }],
  },
});
const early = describeStrategy({
  deploymentConfiguration: {
    deploymentCircuitBreaker: { enable: true, rollback: true },
    earlySuccessCriteria: { enable: true, healthyPercent: 50, sourceServiceRevisionCleanup: 'DEFERRED' },
  },
});

function expectation(over: Partial<Expectation> = {}): Expectation {
  return {
    mode: 'rollout',
    taskDefinitionArn: NEW,
    previousTaskDefinitionArn: OLD,
    deploymentId: 'ecs-svc/2',
    serviceDeploymentArn: SD_NEW,
    before: { deploymentIds: new Set(['ecs-svc/1']), serviceDeploymentArns: new Set([SD_OLD]) },
    strategy: withBreaker,
    waitUntil: { kind: 'completed' },
    ...over,
  };
}

type Read = { service?: Service | undefined; sd?: ServiceDeployment | undefined; events?: string[] };
let eventId = 0;

/** The verdict after each read of the sequence. */
function verdicts(reads: Read[], expect: Expectation): Verdict[] {
  const signals = [];
  const events: ServiceEvent[] = [];
  const out: Verdict[] = [];
  for (const [i, read] of reads.entries()) {
    const fresh = (read.events ?? []).map((message) => ({ id: `e${++eventId}`, message }));
    events.push(...fresh);
    const obs: Observation = { at: i, service: read.service, serviceDeployment: read.sd, events: fresh };
    signals.push(classify(obs, expect, sawUnableToStart(events)));
    out.push(decide(signals));
  }
  return out;
}
const twice = (read: Read): Read[] => [read, read];
const kinds = (vs: Verdict[]): string[] => vs.map((v) => (v.kind === 'failed' ? `failed:${v.cause}` : v.kind));

describe('one read is not evidence', () => {
  test.each<{ name: string; reads: Read[]; expected: string[] }>([
    {
      name: 'three stale reads (the old PRIMARY, as before the update), then ours completes',
      reads: [
        { service: svc([old()], { currentServiceDeployment: SD_OLD }) },
        { service: svc([old()], { currentServiceDeployment: SD_OLD }) },
        { service: svc([old()], { currentServiceDeployment: SD_OLD }) },
        { service: svc([done()]), sd: sd({ status: 'SUCCESSFUL' }) },
      ],
      expected: ['waiting', 'waiting', 'waiting', 'done'],
    },
    {
      name: 'stale reads without the service-deployments API (DescribeServices only)',
      reads: [
        { service: svc([old()], { currentServiceDeployment: undefined }) },
        { service: svc([old()], { currentServiceDeployment: undefined }) },
        { service: svc([done(), old({ status: 'ACTIVE' })], { currentServiceDeployment: undefined }) },
        { service: svc([done()], { currentServiceDeployment: undefined }) },
      ],
      expected: ['waiting', 'waiting', 'progress', 'done'],
    },
    {
      name: 'empty reads (no service returned), then progress',
      reads: [
        { service: undefined },
        { service: undefined },
        { service: svc([dep({}), old({ status: 'ACTIVE' })]), sd: sd() },
      ],
      expected: ['waiting', 'waiting', 'progress'],
    },
    {
      name: 'a single read showing another PRIMARY is re-read; it was a glitch',
      reads: [
        { service: svc([dep({ id: 'ecs-svc/9', taskDefinition: TD(9) })], { currentServiceDeployment: undefined }) },
        { service: svc([dep({}), old({ status: 'ACTIVE' })]), sd: sd() },
      ],
      expected: ['waiting', 'progress'],
    },
    {
      name: 'a takeover by another deploy, seen twice',
      reads: [
        {
          service: svc([dep({ id: 'ecs-svc/9', taskDefinition: TD(9) }), dep({ status: 'ACTIVE' })], {
            currentServiceDeployment: SD_OTHER,
          }),
        },
        {
          service: svc([dep({ id: 'ecs-svc/9', taskDefinition: TD(9) }), dep({ status: 'ACTIVE' })], {
            currentServiceDeployment: SD_OTHER,
          }),
        },
      ],
      expected: ['waiting', 'failed:replaced'],
    },
    {
      name: 'a takeover seen through our service deployment stopped for a newer one',
      reads: [
        {
          service: svc([dep({})]),
          sd: sd({
            status: 'STOPPED',
            statusReason: 'Service deployment stopped because a newer deployment was started.',
          }),
        },
        {
          service: svc([dep({})]),
          sd: sd({
            status: 'STOPPED',
            statusReason: 'Service deployment stopped because a newer deployment was started.',
          }),
        },
      ],
      expected: ['waiting', 'failed:replaced'],
    },
    {
      name: 'the service deleted (DRAINING), confirmed',
      reads: [{ service: svc([dep({})], { status: 'DRAINING' }) }, { service: svc([dep({})], { status: 'DRAINING' }) }],
      expected: ['waiting', 'failed:service-inactive'],
    },
  ])('$name', ({ reads, expected }) => {
    expect(kinds(verdicts(reads, expectation()))).toEqual(expected);
  });

  test('a failure must be the same twice: two different failures in a row decide nothing yet', () => {
    const reads: Read[] = [
      { service: svc([dep({ rolloutState: 'FAILED', rolloutStateReason: 'image pull failed' })]) },
      { service: svc([dep({ id: 'ecs-svc/9', taskDefinition: TD(9) })], { currentServiceDeployment: SD_OTHER }) },
    ];
    expect(kinds(verdicts(reads, expectation({ strategy: rolling })))).toEqual(['waiting', 'waiting']);
  });
});

describe('ECS rolled back, or our deployment failed', () => {
  test.each<{ name: string; reads: Read[]; cause: string; reason: RegExp }>([
    {
      name: 'circuit breaker with rollback (service deployment)',
      reads: twice({
        service: svc([
          old({ id: 'ecs-svc/3', rolloutState: 'IN_PROGRESS' }),
          dep({ status: 'ACTIVE', rolloutState: 'FAILED' }),
        ]),
        sd: sd({ status: 'ROLLBACK_IN_PROGRESS', deploymentCircuitBreaker: { status: 'TRIGGERED', failureCount: 3 } }),
      }),
      cause: 'circuit-breaker',
      reason: /the circuit breaker tripped after 3 failed tasks \(ROLLBACK_IN_PROGRESS\)/,
    },
    {
      name: 'circuit breaker rollback seen in DescribeServices only',
      reads: twice({
        service: svc(
          [
            old({
              id: 'ecs-svc/3',
              rolloutState: 'IN_PROGRESS',
              rolloutStateReason: 'ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/1.',
            }),
            dep({
              status: 'ACTIVE',
              rolloutState: 'FAILED',
              rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.',
            }),
          ],
          { currentServiceDeployment: undefined },
        ),
      }),
      cause: 'circuit-breaker',
      reason: /the rollout FAILED: ECS deployment circuit breaker/,
    },
    {
      name: 'a CloudWatch alarm (named)',
      reads: twice({
        service: svc([dep({})]),
        sd: sd({
          status: 'ROLLBACK_IN_PROGRESS',
          alarms: { status: 'TRIGGERED', alarmNames: ['api-5xx'], triggeredAlarmNames: ['api-5xx'] },
        }),
      }),
      cause: 'alarm',
      reason: /CloudWatch alarm api-5xx went into ALARM/,
    },
    {
      name: 'a pause hook that timed out with ROLLBACK',
      reads: twice({
        service: svc([dep({})]),
        sd: sd({
          status: 'ROLLBACK_IN_PROGRESS',
          lifecycleHookDetails: [{ hookId: 'ecs-pause-1', targetType: 'PAUSE', status: 'TIMED_OUT' }],
        }),
      }),
      cause: 'hook',
      reason: /lifecycle hook ecs-pause-1 timed out/,
    },
    {
      name: 'rolloutState FAILED without a rollback (circuit breaker without rollback)',
      reads: twice({
        service: svc([dep({ rolloutState: 'FAILED', rolloutStateReason: 'image pull failed' })], {
          currentServiceDeployment: undefined,
        }),
      }),
      cause: 'rollout-failed',
      reason: /the rollout FAILED: image pull failed/,
    },
  ])('$name: a failure once confirmed, with its cause', ({ reads, cause, reason }) => {
    const vs = verdicts(reads, expectation());
    expect(kinds(vs)).toEqual(['waiting', `failed:${cause}`]);
    const last = vs.at(-1);
    expect(last?.kind === 'failed' ? last.reason : '').toMatch(reason);
  });
});

describe('crash loops without a circuit breaker fail within two polls of the evidence', () => {
  const loop = (failed: number): Read => ({
    service: svc([dep({ failedTasks: failed, runningCount: 1 }), old({ status: 'ACTIVE' })]),
    sd: sd(),
  });
  test.each<{ name: string; reads: Read[]; expected: string[] }>([
    {
      name: 'failed tasks reach the threshold (3 for 2 tasks)',
      reads: [loop(1), loop(2), loop(3), loop(3)],
      expected: ['progress', 'progress', 'waiting', 'failed:crash-loop'],
    },
    {
      name: 'ECS says it is unable to consistently start tasks',
      reads: [
        loop(1),
        { ...loop(1), events: ['(service web) is unable to consistently start tasks successfully.'] },
        loop(2),
      ],
      expected: ['progress', 'waiting', 'failed:crash-loop'],
    },
  ])('$name', ({ reads, expected }) => {
    expect(kinds(verdicts(reads, expectation({ strategy: noBreaker })))).toEqual(expected);
  });

  test('with a circuit breaker ECS decides: the same failures are only progress', () => {
    expect(
      kinds(
        verdicts(
          [loop(3), loop(4)].map((r) => r),
          expectation(),
        ),
      ),
    ).toEqual(['progress', 'progress']);
  });
});

describe('what done means', () => {
  test.each<{
    name: string;
    read: Read;
    strategy?: ReturnType<typeof describeStrategy>;
    expected: string;
    required?: number;
  }>([
    {
      name: 'rolling: COMPLETED, running = desired, nothing draining, service deployment SUCCESSFUL',
      read: { service: svc([done()]), sd: sd({ status: 'SUCCESSFUL' }) },
      expected: 'done',
      required: 2,
    },
    {
      name: 'rolling: the tasks are up but ECS still holds the service deployment (alarms, bake)',
      read: { service: svc([done()]), sd: sd() },
      expected: 'progress',
    },
    {
      name: 'rolling: an older deployment still runs tasks',
      read: { service: svc([done(), old({ status: 'ACTIVE' })]), sd: sd({ status: 'SUCCESSFUL' }) },
      expected: 'progress',
    },
    {
      name: 'early success criteria: SUCCESSFUL at half the tasks, the old ones still draining (DEFERRED)',
      read: {
        service: svc([done({ runningCount: 1 }), old({ status: 'ACTIVE' })], { runningCount: 3 }),
        sd: sd({ status: 'SUCCESSFUL' }),
      },
      strategy: early,
      expected: 'done',
      required: 1,
    },
    {
      name: 'blue/green: SUCCESSFUL after CLEAN_UP',
      read: { service: svc([done()]), sd: sd({ status: 'SUCCESSFUL', lifecycleStage: 'CLEAN_UP' }) },
      strategy: blueGreen,
      expected: 'done',
      required: 2,
    },
    {
      name: 'blue/green: both revisions run during BAKE_TIME: not done',
      read: {
        service: svc([dep({ runningCount: 2 }), old({ status: 'ACTIVE' })]),
        sd: sd({ lifecycleStage: 'BAKE_TIME' }),
      },
      strategy: blueGreen,
      expected: 'progress',
    },
  ])('$name', ({ read, strategy, expected, required }) => {
    const v = verdicts([read], expectation(strategy ? { strategy } : {}))[0];
    expect(v?.kind).toBe(expected);
    if (required !== undefined) expect(v?.kind === 'done' ? v.requiredHealthy : -1).toBe(required);
  });
});

describe('wait-until and pause hooks', () => {
  const at = (stage: ServiceDeployment['lifecycleStage'], extra: Partial<ServiceDeployment> = {}): Read => ({
    service: svc([dep({ runningCount: 2 }), old({ status: 'ACTIVE' })]),
    sd: sd({ lifecycleStage: stage, ...extra }),
  });
  const paused = at('POST_TEST_TRAFFIC_SHIFT', {
    lifecycleHookDetails: [
      { hookId: 'ecs-pause-abc', targetType: 'PAUSE', status: 'AWAITING_ACTION', timeoutAction: 'ROLLBACK' },
    ],
  });
  test.each<{ name: string; waitUntil: WaitUntil; reads: Read[]; expected: string[] }>([
    {
      name: 'BAKE_TIME is reached at BAKE_TIME',
      waitUntil: { kind: 'stage', stage: 'BAKE_TIME' },
      reads: [at('SCALE_UP'), at('PRODUCTION_TRAFFIC_SHIFT'), at('BAKE_TIME')],
      expected: ['progress', 'progress', 'reached'],
    },
    {
      name: 'a stage already passed counts as reached',
      waitUntil: { kind: 'stage', stage: 'POST_SCALE_UP' },
      reads: [at('TEST_TRAFFIC_SHIFT')],
      expected: ['reached'],
    },
    {
      name: 'paused: reached when a pause hook awaits action',
      waitUntil: { kind: 'paused' },
      reads: [at('TEST_TRAFFIC_SHIFT'), paused],
      expected: ['progress', 'reached'],
    },
    {
      name: 'waiting for completion, a paused hook is progress (reported, never a failure)',
      waitUntil: { kind: 'completed' },
      reads: [paused, paused],
      expected: ['progress', 'progress'],
    },
  ])('$name', ({ waitUntil, reads, expected }) => {
    expect(kinds(verdicts(reads, expectation({ strategy: blueGreen, waitUntil })))).toEqual(expected);
  });

  test('the paused hook is named with its stage', () => {
    const v = verdicts([paused], expectation({ strategy: blueGreen }))[0];
    expect(v?.kind === 'progress' ? v.paused : undefined).toMatchObject({
      hookId: 'ecs-pause-abc',
      stage: 'POST_TEST_TRAFFIC_SHIFT',
    });
  });
});

describe('following the rollback', () => {
  const rollback = (over: Partial<Expectation> = {}): Expectation =>
    expectation({
      mode: 'rollback',
      taskDefinitionArn: OLD,
      previousTaskDefinitionArn: NEW,
      deploymentId: undefined,
      ...over,
    });
  test.each<{ name: string; reads: Read[]; expect?: Partial<Expectation>; expected: string[] }>([
    {
      name: 'ECS rolls back (service deployment) until ROLLBACK_SUCCESSFUL and the old revision runs alone',
      reads: [
        {
          service: svc([old({ id: 'ecs-svc/3', rolloutState: 'IN_PROGRESS' }), dep({ status: 'ACTIVE' })]),
          sd: sd({ status: 'ROLLBACK_IN_PROGRESS' }),
        },
        { service: svc([old({ id: 'ecs-svc/3' })]), sd: sd({ status: 'ROLLBACK_SUCCESSFUL' }) },
      ],
      expected: ['progress', 'done'],
    },
    {
      name: 'without the service-deployments API, a stale read of the old PRIMARY is never taken for the rollback',
      reads: [
        { service: svc([old()], { currentServiceDeployment: undefined }) },
        { service: svc([old({ id: 'ecs-svc/3' })], { currentServiceDeployment: undefined }) },
      ],
      expect: { serviceDeploymentArn: undefined },
      expected: ['waiting', 'done'],
    },
    {
      name: 'ROLLBACK_FAILED, confirmed',
      reads: twice({
        service: svc([dep({})]),
        sd: sd({ status: 'ROLLBACK_FAILED', statusReason: 'the rollback deployment failed too' }),
      }),
      expected: ['waiting', 'failed:rollback-failed'],
    },
  ])('$name', ({ reads, expect: over, expected }) => {
    expect(kinds(verdicts(reads, rollback(over)))).toEqual(expected);
  });
});
