import type { Deployment, Service } from '@aws-sdk/client-ecs';

/** The part of an ECS service deployment (ListServiceDeployments) the judge reads. */
export interface ServiceDeploymentStatus {
  readonly status?: string | undefined;
  readonly statusReason?: string | undefined;
}

/** What we are waiting for: the task definition we registered, and (once known) the ECS deployment id. */
export interface RolloutTarget {
  readonly taskDefinitionArn: string;
  readonly deploymentId?: string | undefined;
  /** The task definition the service ran before this deploy (to name a circuit-breaker rollback). */
  readonly previousTaskDefinitionArn?: string | undefined;
}

export type FailureCause =
  | 'rollout-failed'
  | 'circuit-breaker-rollback'
  | 'replaced'
  | 'service-inactive'
  | 'deployment-stopped'
  | 'timeout'
  | 'credentials-expired'
  | 'aws-error';

export type Verdict =
  | { readonly kind: 'waiting'; readonly reason: string }
  /** ECS says our deployment is done; the caller still checks load balancer target health. */
  | { readonly kind: 'stable'; readonly deployment: Deployment }
  | { readonly kind: 'failed'; readonly cause: FailureCause; readonly reason: string };

/** Our deployment in DescribeServices: by id when known, else the one running our task definition. */
export function findOurs(service: Service, target: RolloutTarget): Deployment | undefined {
  const deployments = service.deployments ?? [];
  if (target.deploymentId !== undefined) {
    const byId = deployments.find((d) => d.id === target.deploymentId);
    if (byId) return byId;
  }
  return deployments.find((d) => d.taskDefinition === target.taskDefinitionArn && d.status === 'PRIMARY');
}

const ROLLED_BACK = new Set(['ROLLBACK_REQUESTED', 'ROLLBACK_IN_PROGRESS', 'ROLLBACK_SUCCESSFUL', 'ROLLBACK_FAILED']);
const STOPPED = new Set(['STOPPED', 'STOP_REQUESTED']);

/**
 * The success predicate (DESIGN §4): only the PRIMARY deployment running OUR task definition, rolloutState
 * COMPLETED, running == desired, no older deployment still running tasks, and nothing FAILED. Anything that
 * means ours can no longer succeed (FAILED, rolled back, replaced, service gone) is a failure at once.
 * `serviceDeployment` is the ECS service-deployments view of ours when the endpoint offers that API.
 */
export function judge(service: Service, target: RolloutTarget, serviceDeployment?: ServiceDeploymentStatus): Verdict {
  if (service.status !== undefined && service.status !== 'ACTIVE') {
    return { kind: 'failed', cause: 'service-inactive', reason: `the service is ${service.status}` };
  }
  const sdStatus = serviceDeployment?.status;
  if (sdStatus !== undefined && ROLLED_BACK.has(sdStatus)) {
    return {
      kind: 'failed',
      cause: 'circuit-breaker-rollback',
      reason: `ECS rolled the deployment back (${sdStatus}${serviceDeployment?.statusReason ? `: ${serviceDeployment.statusReason}` : ''})`,
    };
  }
  if (sdStatus !== undefined && STOPPED.has(sdStatus)) {
    return {
      kind: 'failed',
      cause: 'deployment-stopped',
      reason: `the deployment was stopped (${sdStatus}${serviceDeployment?.statusReason ? `: ${serviceDeployment.statusReason}` : ''})`,
    };
  }
  const deployments = service.deployments ?? [];
  const ours = findOurs(service, target);
  if (ours?.rolloutState === 'FAILED') {
    return {
      kind: 'failed',
      cause: 'rollout-failed',
      reason: `the rollout FAILED${ours.rolloutStateReason ? `: ${ours.rolloutStateReason}` : ''}`,
    };
  }
  const primary = deployments.find((d) => d.status === 'PRIMARY');
  if (primary === undefined) return { kind: 'waiting', reason: 'no PRIMARY deployment yet' };
  if (primary.taskDefinition !== target.taskDefinitionArn) {
    const back =
      target.previousTaskDefinitionArn !== undefined && primary.taskDefinition === target.previousTaskDefinitionArn;
    return back
      ? {
          kind: 'failed',
          cause: 'circuit-breaker-rollback',
          reason: `ECS rolled the service back to ${shortArn(primary.taskDefinition)}${primary.rolloutStateReason ? ` (${primary.rolloutStateReason})` : ''}`,
        }
      : {
          kind: 'failed',
          cause: 'replaced',
          reason: `another deployment (${shortArn(primary.taskDefinition)}) replaced ours as PRIMARY`,
        };
  }
  const running = primary.runningCount ?? 0;
  const desired = primary.desiredCount ?? 0;
  // rolloutState is absent only where the circuit breaker API is not used; then the waiter's rule applies.
  const completed =
    primary.rolloutState === undefined ? deployments.length === 1 : primary.rolloutState === 'COMPLETED';
  if (!completed) return { kind: 'waiting', reason: `rollout ${primary.rolloutState ?? 'in progress'}` };
  if (running !== desired) return { kind: 'waiting', reason: `running ${running} of ${desired}` };
  const draining = deployments.filter((d) => d !== primary && (d.runningCount ?? 0) > 0);
  if (draining.length > 0) {
    return { kind: 'waiting', reason: `older deployment(s) still running ${draining.map((d) => d.id).join(', ')}` };
  }
  if (service.desiredCount !== undefined && service.runningCount !== undefined && service.runningCount !== desired) {
    return { kind: 'waiting', reason: `service running ${service.runningCount} of ${desired}` };
  }
  return { kind: 'stable', deployment: primary };
}

/** One compact progress line, e.g. `ecs-svc/1 IN_PROGRESS running 1/2 pending 1 failed 0 | draining ecs-svc/0: 2`. */
export function progressLine(service: Service, target: RolloutTarget, elapsedSeconds: number): string {
  const deployments = service.deployments ?? [];
  const ours = findOurs(service, target);
  const head = ours
    ? `${ours.id ?? '?'} ${ours.status ?? ''} ${ours.rolloutState ?? ''} running ${ours.runningCount ?? 0}/${ours.desiredCount ?? 0} pending ${ours.pendingCount ?? 0} failed ${ours.failedTasks ?? 0}`
    : 'our deployment is not listed';
  const others = deployments
    .filter((d) => d !== ours)
    .map((d) => `${d.status ?? ''} ${d.id ?? '?'} (${shortArn(d.taskDefinition)}) running ${d.runningCount ?? 0}`);
  return `[${elapsedSeconds.toFixed(0)}s] ${head.replace(/\s+/g, ' ')}${others.length ? ` | ${others.join('; ')}` : ''}`;
}

/** `family:revision` from a task definition ARN (or the input unchanged). */
export function shortArn(arn: string | undefined): string {
  if (arn === undefined) return '?';
  const at = arn.lastIndexOf('/');
  return at >= 0 ? arn.slice(at + 1) : arn;
}
