import type { Deployment, Service } from '@aws-sdk/client-ecs';
import { judge, progressLine, shortArn, type RolloutTarget } from '../../src/rollout';

const OURS = 'arn:aws:ecs:eu-west-2:123456789012:task-definition/web:8';
const PREV = 'arn:aws:ecs:eu-west-2:123456789012:task-definition/web:7';
const OTHER = 'arn:aws:ecs:eu-west-2:123456789012:task-definition/web:9';
const target: RolloutTarget = { taskDefinitionArn: OURS, deploymentId: 'ecs-svc/2', previousTaskDefinitionArn: PREV };

const dep = (over: Partial<Deployment>): Deployment => ({
  id: 'ecs-svc/2',
  status: 'PRIMARY',
  taskDefinition: OURS,
  rolloutState: 'COMPLETED',
  desiredCount: 2,
  runningCount: 2,
  pendingCount: 0,
  failedTasks: 0,
  ...over,
});
const svc = (deployments: Deployment[], over: Partial<Service> = {}): Service => ({
  status: 'ACTIVE',
  desiredCount: 2,
  runningCount: 2,
  deployments,
  ...over,
});
const old = (over: Partial<Deployment> = {}): Deployment =>
  dep({ id: 'ecs-svc/1', status: 'ACTIVE', taskDefinition: PREV, runningCount: 0, ...over });

test.each<{
  name: string;
  service: Service;
  sd?: { status: string; statusReason?: string };
  kind: string;
  cause?: string;
  reason?: RegExp;
}>([
  { name: 'ours PRIMARY, COMPLETED, running == desired', service: svc([dep({})]), kind: 'stable' },
  { name: 'old deployment listed but drained', service: svc([dep({}), old()]), kind: 'stable' },
  {
    name: 'old deployment still running tasks',
    service: svc([dep({}), old({ runningCount: 1 })]),
    kind: 'waiting',
    reason: /older deployment/,
  },
  {
    name: 'in progress',
    service: svc([dep({ rolloutState: 'IN_PROGRESS', runningCount: 1, pendingCount: 1 })]),
    kind: 'waiting',
    reason: /IN_PROGRESS/,
  },
  {
    name: 'COMPLETED but running < desired',
    service: svc([dep({ runningCount: 1 })]),
    kind: 'waiting',
    reason: /running 1 of 2/,
  },
  {
    name: 'service-level running lags',
    service: svc([dep({})], { runningCount: 1 }),
    kind: 'waiting',
    reason: /service running 1 of 2/,
  },
  // The waiter's bug (DESIGN §4): running == desired on the PRIMARY, but the PRIMARY is the previous revision.
  {
    name: 'circuit breaker rolled back to the previous revision (running == desired!)',
    service: svc([
      dep({
        id: 'ecs-svc/3',
        taskDefinition: PREV,
        rolloutStateReason: 'ECS deployment circuit breaker: rolling back',
      }),
      dep({ status: 'ACTIVE', rolloutState: 'FAILED', runningCount: 0 }),
    ]),
    kind: 'failed',
    cause: 'rollout-failed',
    reason: /FAILED/,
  },
  {
    name: 'rolled back, our deployment no longer listed',
    service: svc([dep({ id: 'ecs-svc/3', taskDefinition: PREV })]),
    kind: 'failed',
    cause: 'circuit-breaker-rollback',
    reason: /rolled the service back to web:7/,
  },
  {
    name: 'someone else deployed over us',
    service: svc([dep({ id: 'ecs-svc/4', taskDefinition: OTHER })]),
    kind: 'failed',
    cause: 'replaced',
  },
  {
    name: 'rollout FAILED',
    service: svc([dep({ rolloutState: 'FAILED', rolloutStateReason: 'tasks failed to start' })]),
    kind: 'failed',
    cause: 'rollout-failed',
    reason: /tasks failed to start/,
  },
  {
    name: 'service deployment rolled back (new API)',
    service: svc([dep({ rolloutState: 'IN_PROGRESS' })]),
    sd: { status: 'ROLLBACK_IN_PROGRESS', statusReason: 'circuit breaker' },
    kind: 'failed',
    cause: 'circuit-breaker-rollback',
  },
  {
    name: 'service deployment stopped',
    service: svc([dep({ rolloutState: 'IN_PROGRESS' })]),
    sd: { status: 'STOPPED' },
    kind: 'failed',
    cause: 'deployment-stopped',
  },
  {
    name: 'service deployment successful and ECS agrees',
    service: svc([dep({})]),
    sd: { status: 'SUCCESSFUL' },
    kind: 'stable',
  },
  {
    name: 'service draining',
    service: svc([dep({})], { status: 'DRAINING' }),
    kind: 'failed',
    cause: 'service-inactive',
  },
  { name: 'no PRIMARY yet', service: svc([old()]), kind: 'waiting' },
  {
    name: 'no rolloutState (no circuit breaker), single deployment',
    service: svc([dep({ rolloutState: undefined })]),
    kind: 'stable',
  },
  {
    name: 'no rolloutState, two deployments',
    service: svc([dep({ rolloutState: undefined }), old()]),
    kind: 'waiting',
  },
  {
    name: 'scaled to zero',
    service: svc([dep({ desiredCount: 0, runningCount: 0 })], { desiredCount: 0, runningCount: 0 }),
    kind: 'stable',
  },
])('$name → $kind', ({ service, sd, kind, cause, reason }) => {
  const verdict = judge(service, target, sd);
  expect(verdict.kind).toBe(kind);
  if (cause !== undefined && verdict.kind === 'failed') expect(verdict.cause).toBe(cause);
  if (reason !== undefined) expect(verdict.kind === 'stable' ? '' : verdict.reason).toMatch(reason);
});

test('finds ours by task definition when the deployment id is not known', () => {
  expect(judge(svc([dep({ id: 'ecs-svc/x' })]), { taskDefinitionArn: OURS }).kind).toBe('stable');
});

test('progress line is compact and names both deployments', () => {
  const line = progressLine(
    svc([dep({ rolloutState: 'IN_PROGRESS', runningCount: 1, pendingCount: 1 }), old({ runningCount: 2 })]),
    target,
    12.4,
  );
  expect(line).toBe(
    '[12s] ecs-svc/2 PRIMARY IN_PROGRESS running 1/2 pending 1 failed 0 | ACTIVE ecs-svc/1 (web:7) running 2',
  );
});

test.each([
  [OURS, 'web:8'],
  [undefined, '?'],
  ['web:3', 'web:3'],
])('shortArn(%s) = %s', (arn, short) => {
  expect(shortArn(arn)).toBe(short);
});
