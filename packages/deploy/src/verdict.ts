// The verdict over what ECS showed: pure functions, no AWS calls. One observation is classified on its own
// (`classify`); the verdict (`decide`) acts on a failure only when the next observation agrees, because one
// read is not evidence (right after UpdateService, DescribeServices may still show the old PRIMARY or no
// service at all). Reads from before our update are recognised as such and never taken for a rollback.
import type { Deployment, Service, ServiceDeployment, ServiceEvent } from '@aws-sdk/client-ecs';
import type { Strategy, WaitUntil } from './strategy';

export type FailureCause =
  | 'circuit-breaker'
  | 'alarm'
  | 'hook'
  | 'rolled-back'
  | 'rollout-failed'
  | 'crash-loop'
  | 'replaced'
  | 'deployment-stopped'
  | 'service-inactive'
  | 'rollback-failed'
  | 'timeout'
  | 'credentials-expired'
  | 'aws-error'
  | 'run-task';

/** One poll: the service as DescribeServices showed it, and our service deployment where the API is offered. */
export interface Observation {
  /** Clock ms of the read. */
  readonly at: number;
  /** Undefined: DescribeServices returned no service (an empty read). */
  readonly service: Service | undefined;
  /** Ours, by ARN; undefined when the API is not offered or did not return it yet. */
  readonly serviceDeployment: ServiceDeployment | undefined;
  /** Service events first seen in this poll, oldest first. */
  readonly events: readonly ServiceEvent[];
}

/** What the follower expects: our revision, how to recognise our deployment, and where to stop. */
export interface Expectation {
  /** rollout: our deployment; rollback: the previous revision coming back. */
  readonly mode: 'rollout' | 'rollback';
  readonly taskDefinitionArn: string;
  /** The revision that ran before the deploy (the rollback target). */
  readonly previousTaskDefinitionArn: string | undefined;
  /** Our ECS deployment (ecs-svc/...), as UpdateService returned it. */
  readonly deploymentId: string | undefined;
  /** Our service deployment: the one to follow by ARN, and (rollback mode) the one ECS rolls back. */
  readonly serviceDeploymentArn: string | undefined;
  /** Deployment ids and service deployment ARNs that existed before our update: reads showing them are stale. */
  readonly before: { readonly deploymentIds: ReadonlySet<string>; readonly serviceDeploymentArns: ReadonlySet<string> };
  readonly strategy: Strategy;
  readonly waitUntil: WaitUntil;
}

export interface PausedHook {
  readonly hookId: string;
  readonly stage: string | undefined;
  readonly expiresAt: Date | undefined;
  readonly timeoutAction: string | undefined;
}

export type Signal =
  | { readonly kind: 'no-evidence'; readonly reason: string }
  | {
      readonly kind: 'progress';
      readonly reason: string;
      readonly paused?: PausedHook | undefined;
      /** The new revision is up and ECS holds the deployment for its bake time (alarms watched). */
      readonly baking?: boolean | undefined;
    }
  /** ECS says the deployment is done; `requiredHealthy`: how many of our tasks must be healthy targets. */
  | { readonly kind: 'done'; readonly deployment: Deployment; readonly requiredHealthy: number }
  | { readonly kind: 'reached'; readonly what: string }
  | { readonly kind: 'failure'; readonly cause: FailureCause; readonly reason: string; readonly alarm?: string };

export type Verdict =
  | Exclude<Signal, { kind: 'failure' } | { kind: 'no-evidence' }>
  | {
      readonly kind: 'waiting';
      readonly reason: string;
      readonly paused?: PausedHook | undefined;
      readonly baking?: boolean | undefined;
    }
  | { readonly kind: 'failed'; readonly cause: FailureCause; readonly reason: string; readonly alarm?: string };

/** `family:revision` from a task definition ARN (or the input unchanged). */
export function shortArn(arn: string | undefined): string {
  if (arn === undefined) return '?';
  const at = arn.lastIndexOf('/');
  return at >= 0 ? arn.slice(at + 1) : arn;
}

/** The failure threshold ECS's circuit breaker uses: half the desired count, at least 3, at most 200. */
export function failureThreshold(desired: number): number {
  return Math.min(Math.max(Math.ceil(desired * 0.5), 3), 200);
}

/** Our deployment in DescribeServices: by id when known, else the PRIMARY one running our task definition. */
export function findOurs(
  service: Service,
  expect: Pick<Expectation, 'deploymentId' | 'taskDefinitionArn'>,
): Deployment | undefined {
  const deployments = service.deployments ?? [];
  if (expect.deploymentId !== undefined) {
    const byId = deployments.find((d) => d.id === expect.deploymentId);
    if (byId) return byId;
  }
  return deployments.find((d) => d.taskDefinition === expect.taskDefinitionArn && d.status === 'PRIMARY');
}

export function pausedHook(sd: ServiceDeployment | undefined): PausedHook | undefined {
  const hook = sd?.lifecycleHookDetails?.find((h) => h.targetType === 'PAUSE' && h.status === 'AWAITING_ACTION');
  if (hook?.hookId === undefined) return undefined;
  return {
    hookId: hook.hookId,
    stage: sd?.lifecycleStage,
    expiresAt: hook.expiresAt,
    timeoutAction: hook.timeoutAction,
  };
}

/**
 * The verdict after the latest observation. A failure is believed only when the observation before it showed
 * the same failure: a read that contradicts UpdateService is read again, never acted on alone. Anything else
 * (progress, done, a reached wait-until target) counts at once.
 */
export function decide(signals: readonly Signal[]): Verdict {
  const last = signals.at(-1);
  if (last === undefined) return { kind: 'waiting', reason: 'no answer from ECS yet' };
  if (last.kind === 'no-evidence') return { kind: 'waiting', reason: last.reason };
  if (last.kind !== 'failure') return last;
  const before = signals.at(-2);
  if (before?.kind === 'failure' && before.cause === last.cause) {
    return { kind: 'failed', cause: last.cause, reason: last.reason, ...(last.alarm ? { alarm: last.alarm } : {}) };
  }
  return { kind: 'waiting', reason: `reading again before acting on: ${last.reason}` };
}
