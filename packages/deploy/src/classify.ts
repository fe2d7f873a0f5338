// One observation, classified on its own (see decide() in verdict.ts for how observations combine). Rollout
// mode: is our deployment progressing, done, reached the wait-until target, or failed (and why)? Rollback
// mode: is the revision that ran before back, as the only deployment, complete and at full count?
import type { Deployment, Service, ServiceDeployment, ServiceEvent } from '@aws-sdk/client-ecs';
import { stageIndex } from './strategy';
import {
  failureThreshold,
  findOurs,
  pausedHook,
  shortArn,
  type Expectation,
  type FailureCause,
  type Observation,
  type Signal,
} from './verdict';

const UNABLE_TO_START = /unable to consistently start tasks/i;
const BREAKER = /circuit breaker|rolling back/i;

const noEvidence = (reason: string): Signal => ({ kind: 'no-evidence', reason });
const failure = (cause: FailureCause, reason: string, alarm?: string): Signal => ({
  kind: 'failure',
  cause,
  reason,
  ...(alarm !== undefined ? { alarm } : {}),
});

/** True once ECS said it cannot start the service's tasks (its throttle logic). */
export function sawUnableToStart(events: readonly ServiceEvent[]): boolean {
  return events.some((e) => UNABLE_TO_START.test(e.message ?? ''));
}

/** What a service deployment in a ROLLBACK_* or STOPPED state says about why. */
function rollbackCause(sd: ServiceDeployment): { cause: FailureCause; why: string; alarm?: string } {
  const alarm = sd.alarms?.triggeredAlarmNames?.[0];
  if (alarm !== undefined || sd.alarms?.status === 'TRIGGERED') {
    const name = alarm ?? 'a deployment alarm';
    return { cause: 'alarm', why: `CloudWatch alarm ${name} went into ALARM`, ...(alarm ? { alarm } : {}) };
  }
  if (sd.deploymentCircuitBreaker?.status === 'TRIGGERED') {
    const n = sd.deploymentCircuitBreaker.failureCount;
    return {
      cause: 'circuit-breaker',
      why: `the circuit breaker tripped${n !== undefined ? ` after ${n} failed tasks` : ''}`,
    };
  }
  const hook = sd.lifecycleHookDetails?.find((h) => h.status === 'FAILED' || h.status === 'TIMED_OUT');
  if (hook) {
    return {
      cause: 'hook',
      why: `lifecycle hook ${hook.hookId ?? '?'} ${hook.status === 'TIMED_OUT' ? 'timed out' : 'failed'}`,
    };
  }
  return { cause: 'rolled-back', why: sd.rollback?.reason ?? sd.statusReason ?? 'a rollback was requested' };
}

/** Our service deployment's own state, when it alone decides. */
function fromServiceDeployment(sd: ServiceDeployment, service: Service, expect: Expectation): Signal | undefined {
  const status = sd.status ?? '';
  if (status.startsWith('ROLLBACK_')) {
    const { cause, why, alarm } = rollbackCause(sd);
    return failure(cause, `ECS rolled the deployment back: ${why} (${status})`, alarm);
  }
  if (status !== 'STOPPED' && status !== 'STOP_REQUESTED') return undefined;
  const current = service.currentServiceDeployment;
  const otherCurrent =
    current !== undefined &&
    current !== expect.serviceDeploymentArn &&
    !expect.before.serviceDeploymentArns.has(current);
  if (/newer deployment/i.test(sd.statusReason ?? '') || otherCurrent) {
    return failure('replaced', 'another deployment started and stopped ours');
  }
  const { cause, why, alarm } = rollbackCause(sd);
  return failure(
    cause === 'rolled-back' ? 'deployment-stopped' : cause,
    `ECS stopped the deployment: ${why} (${status})`,
    alarm,
  );
}

/** A PRIMARY deployment that is neither ours nor from before the update: ECS's rollback, or someone else's. */
function newPrimary(primary: Deployment, expect: Expectation): Signal {
  const previous = expect.previousTaskDefinitionArn;
  // ECS's own rollback: named so in the reason while it runs; once done, only a configured rollback explains it.
  const ecsRollsBack = expect.strategy.breaker.rollback || expect.strategy.alarms?.rollback === true;
  if (primary.taskDefinition === previous && (BREAKER.test(primary.rolloutStateReason ?? '') || ecsRollsBack)) {
    return failure(
      'circuit-breaker',
      `ECS rolled the service back to ${shortArn(previous)} (${primary.rolloutStateReason ?? ''})`,
    );
  }
  return failure('replaced', `another deployment (${shortArn(primary.taskDefinition)}) replaced ours as PRIMARY`);
}

function stageText(sd: ServiceDeployment | undefined): string {
  if (sd?.lifecycleStage === undefined) return '';
  const weight = sd.targetServiceRevision?.requestedProductionTrafficWeight;
  return `, stage ${sd.lifecycleStage}${weight !== undefined ? ` (${weight}% of production traffic on the new revision)` : ''}`;
}

function progressOf(ours: Deployment, sd: ServiceDeployment | undefined): Signal {
  const paused = pausedHook(sd);
  const counts = `running ${ours.runningCount ?? 0} of ${ours.desiredCount ?? 0}, pending ${ours.pendingCount ?? 0}, failed ${ours.failedTasks ?? 0}`;
  const pause = paused ? `, paused at ${paused.stage ?? '?'} (lifecycle hook ${paused.hookId} awaits action)` : '';
  return {
    kind: 'progress',
    reason: `rollout ${ours.rolloutState ?? 'IN_PROGRESS'}: ${counts}${stageText(sd)}${pause}`,
    paused,
    baking: stageIndex(sd?.lifecycleStage) >= stageIndex('BAKE_TIME'),
  };
}

/** ECS keeps replacing failing tasks and nothing will stop it: no circuit breaker. */
function crashLoop(ours: Deployment, expect: Expectation, unableToStart: boolean): Signal | undefined {
  if (expect.strategy.breaker.enable || ours.rolloutState === 'COMPLETED') return undefined;
  const failed = ours.failedTasks ?? 0;
  const threshold = failureThreshold(ours.desiredCount ?? 1);
  if (!unableToStart && failed < threshold) return undefined;
  const ecs = unableToStart ? ' and ECS reports it is "unable to consistently start tasks successfully"' : '';
  return failure(
    'crash-loop',
    `tasks of ${shortArn(ours.taskDefinition)} keep failing (${failed} failed, circuit-breaker threshold ${threshold})${ecs}; the service has no circuit breaker, so ECS would keep replacing them`,
  );
}

function waitUntilReached(sd: ServiceDeployment | undefined, expect: Expectation): Signal | undefined {
  const target = expect.waitUntil;
  if (target.kind === 'paused') {
    const paused = pausedHook(sd);
    return paused
      ? { kind: 'reached', what: `paused at ${paused.stage ?? '?'} (lifecycle hook ${paused.hookId})` }
      : undefined;
  }
  if (target.kind !== 'stage' || sd?.status !== 'IN_PROGRESS') return undefined;
  const at = stageIndex(sd.lifecycleStage);
  return at >= stageIndex(target.stage)
    ? { kind: 'reached', what: `reached ${sd.lifecycleStage ?? target.stage}` }
    : undefined;
}

function completion(
  service: Service,
  ours: Deployment,
  sd: ServiceDeployment | undefined,
  expect: Expectation,
): Signal {
  const desired = ours.desiredCount ?? 0;
  const early = expect.strategy.earlySuccess;
  // Early success criteria: ECS declares success at a share of healthy tasks and keeps scaling up behind it.
  if (sd?.status === 'SUCCESSFUL' && early !== undefined) {
    return { kind: 'done', deployment: ours, requiredHealthy: Math.ceil((early.healthyPercent / 100) * desired) };
  }
  const deployments = service.deployments ?? [];
  const completed = ours.rolloutState === undefined ? deployments.length === 1 : ours.rolloutState === 'COMPLETED';
  if (!completed || (ours.runningCount ?? 0) !== desired) return progressOf(ours, sd);
  const draining = deployments.filter((d) => d !== ours && (d.runningCount ?? 0) > 0);
  if (draining.length > 0) {
    return {
      kind: 'progress',
      reason: `older deployment(s) still running: ${draining.map((d) => shortArn(d.taskDefinition)).join(', ')}`,
    };
  }
  if (service.runningCount !== undefined && service.runningCount !== desired) {
    return { kind: 'progress', reason: `service running ${service.runningCount} of ${desired}` };
  }
  if (sd !== undefined && sd.status !== 'SUCCESSFUL') {
    // Rolling with deployment alarms: ECS watches them for the bake time before it completes.
    return {
      kind: 'progress',
      reason: `the tasks are up; ECS's service deployment is still ${sd.status ?? '?'}${stageText(sd)}`,
      baking: expect.strategy.alarms !== undefined || expect.strategy.trafficShift,
    };
  }
  return { kind: 'done', deployment: ours, requiredHealthy: desired };
}

function rollout(obs: Observation, service: Service, expect: Expectation, unableToStart: boolean): Signal {
  const sd = obs.serviceDeployment;
  const fromSd = sd ? fromServiceDeployment(sd, service, expect) : undefined;
  if (fromSd) return fromSd;
  const current = service.currentServiceDeployment;
  if (current !== undefined && expect.serviceDeploymentArn !== undefined && current !== expect.serviceDeploymentArn) {
    if (expect.before.serviceDeploymentArns.has(current)) {
      return noEvidence('stale read: ECS still shows the service deployment from before the update');
    }
    return failure('replaced', 'another service deployment replaced ours');
  }
  const deployments = service.deployments ?? [];
  const ours = findOurs(service, expect);
  const primary = deployments.find((d) => d.status === 'PRIMARY');
  const fromBefore = (d: Deployment | undefined): boolean =>
    d?.id !== undefined && expect.before.deploymentIds.has(d.id);
  if (ours === undefined) {
    if (primary === undefined) return noEvidence('stale read: no PRIMARY deployment listed');
    if (fromBefore(primary)) {
      return noEvidence(
        `stale read: ECS still shows the deployment from before the update (${shortArn(primary.taskDefinition)})`,
      );
    }
    return newPrimary(primary, expect);
  }
  if (ours.rolloutState === 'FAILED') {
    const back =
      primary !== undefined && primary !== ours && primary.taskDefinition === expect.previousTaskDefinitionArn;
    const cause = back || BREAKER.test(ours.rolloutStateReason ?? '') ? 'circuit-breaker' : 'rollout-failed';
    return failure(cause, `the rollout FAILED${ours.rolloutStateReason ? `: ${ours.rolloutStateReason}` : ''}`);
  }
  if (primary !== undefined && primary !== ours) {
    if (fromBefore(primary))
      return noEvidence('inconsistent read: the deployment from before the update is PRIMARY again');
    return newPrimary(primary, expect);
  }
  return (
    crashLoop(ours, expect, unableToStart) ?? waitUntilReached(sd, expect) ?? completion(service, ours, sd, expect)
  );
}

function rollback(obs: Observation, service: Service, expect: Expectation): Signal {
  const sd = obs.serviceDeployment;
  if (sd?.status === 'ROLLBACK_FAILED') {
    return failure('rollback-failed', `ECS could not roll back${sd.statusReason ? `: ${sd.statusReason}` : ''}`);
  }
  if (sd !== undefined && sd.status !== 'ROLLBACK_SUCCESSFUL') {
    return { kind: 'progress', reason: `ECS is rolling back (${sd.status ?? '?'})` };
  }
  const primary = (service.deployments ?? []).find((d) => d.status === 'PRIMARY');
  if (primary === undefined) return noEvidence('no PRIMARY deployment listed');
  if (primary.taskDefinition !== expect.taskDefinitionArn) {
    return { kind: 'progress', reason: `PRIMARY still runs ${shortArn(primary.taskDefinition)}` };
  }
  // Without the service-deployments API, the rollback is a new deployment: one from before the update is stale.
  if (sd === undefined && primary.id !== undefined && expect.before.deploymentIds.has(primary.id)) {
    return noEvidence('stale read: ECS still shows the deployment from before the update');
  }
  if (primary.rolloutState === 'FAILED') {
    return failure(
      'rollback-failed',
      `the rollback deployment FAILED${primary.rolloutStateReason ? `: ${primary.rolloutStateReason}` : ''}`,
    );
  }
  // The revision that comes back must be complete at full count: early success criteria do not apply to it.
  return completion(service, primary, undefined, {
    ...expect,
    strategy: { ...expect.strategy, earlySuccess: undefined },
  });
}

/** Classifies one observation; `unableToStart` says whether ECS's throttle event was seen since the update. */
export function classify(obs: Observation, expect: Expectation, unableToStart: boolean): Signal {
  const service = obs.service;
  if (service === undefined) return noEvidence('DescribeServices returned no service (an empty read)');
  if (service.status !== undefined && service.status !== 'ACTIVE') {
    return failure('service-inactive', `the service is ${service.status}`);
  }
  return expect.mode === 'rollout' ? rollout(obs, service, expect, unableToStart) : rollback(obs, service, expect);
}
