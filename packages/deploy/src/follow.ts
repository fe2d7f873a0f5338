import {
  DescribeServicesCommand,
  ListServiceDeploymentsCommand,
  type Deployment,
  type Service,
  type ServiceDeploymentBrief,
  type ServiceEvent,
} from '@aws-sdk/client-ecs';
import { DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { awsErrorName, errorMessage, isCredentialsExpired } from '@deploy-actions/core';
import type { DeployDeps } from './deps';
import { RolloutFailed } from './errors';
import { judge, progressLine, shortArn, type RolloutTarget } from './rollout';
import { serviceTasks, taskId, taskIp } from './tasks';

/** Polls tolerated in a row that fail with a non-credential error (after the SDK's own retries). */
export const MAX_POLL_ERRORS = 5;

export interface ServiceRef {
  readonly cluster: string;
  readonly service: string;
}

/** What the follower remembers across phases (rollout, then rollback): events seen, API support, counts. */
export class FollowState {
  readonly seenEvents = new Set<string>();
  /** New events, oldest first, as printed. */
  readonly events: ServiceEvent[] = [];
  /** ECS service-deployments API: unknown until probed; 'no' on endpoints that lack it. */
  serviceDeploymentsApi: 'unknown' | 'yes' | 'no' = 'unknown';
  /** Service deployment ARNs that existed before our update (so ours is the new one). */
  readonly knownServiceDeployments = new Set<string>();

  /** Marks the service's current events as already seen (called before the update). */
  remember(service: Service): void {
    for (const event of service.events ?? []) if (event.id) this.seenEvents.add(event.id);
  }

  /** New events oldest first; each is returned once. */
  fresh(service: Service): ServiceEvent[] {
    const fresh = (service.events ?? []).filter((e) => e.id !== undefined && !this.seenEvents.has(e.id)).reverse();
    for (const e of fresh) this.seenEvents.add(e.id ?? '');
    this.events.push(...fresh);
    return fresh;
  }
}

export async function describeService(deps: Pick<DeployDeps, 'ecs'>, ref: ServiceRef): Promise<Service> {
  const out = await deps.ecs.send(new DescribeServicesCommand({ cluster: ref.cluster, services: [ref.service] }));
  const service = out.services?.[0];
  if (service === undefined) {
    const failure = out.failures?.[0];
    throw new RolloutFailed(
      'service-inactive',
      `service '${ref.service}' not found in cluster '${ref.cluster}'${failure?.reason ? ` (${failure.reason})` : ''}`,
    );
  }
  return service;
}

/**
 * Lists the service's ECS service deployments (newest API). Marks the API unsupported on the first error,
 * so endpoints without it (older regions, moto) fall back to DescribeServices alone.
 */
export async function listServiceDeployments(
  deps: Pick<DeployDeps, 'ecs' | 'log'>,
  ref: ServiceRef,
  state: FollowState,
): Promise<ServiceDeploymentBrief[] | undefined> {
  if (state.serviceDeploymentsApi === 'no') return undefined;
  try {
    const out = await deps.ecs.send(
      new ListServiceDeploymentsCommand({ cluster: ref.cluster, service: ref.service, maxResults: 20 }),
    );
    state.serviceDeploymentsApi = 'yes';
    return out.serviceDeployments ?? [];
  } catch (error) {
    if (isCredentialsExpired(error)) throw error;
    if (state.serviceDeploymentsApi === 'unknown') {
      state.serviceDeploymentsApi = 'no';
      deps.log.debug(
        `ListServiceDeployments unavailable (${awsErrorName(error) ?? errorMessage(error)}); using DescribeServices`,
      );
    }
    return undefined;
  }
}

/** Our service deployment: the newest one that did not exist before the update. */
function ourServiceDeployment(
  briefs: ServiceDeploymentBrief[] | undefined,
  state: FollowState,
): ServiceDeploymentBrief | undefined {
  const fresh = (briefs ?? []).filter(
    (b) => b.serviceDeploymentArn !== undefined && !state.knownServiceDeployments.has(b.serviceDeploymentArn),
  );
  fresh.sort((a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0));
  return fresh[0];
}

export interface TargetCheck {
  readonly ok: boolean;
  readonly detail: string;
}

/** Every new task must be a healthy target in each of the service's target groups. */
export async function checkTargets(
  deps: Pick<DeployDeps, 'ecs' | 'elb'>,
  ref: ServiceRef,
  service: Service,
  taskDefinitionArn: string,
): Promise<TargetCheck> {
  const groups = (service.loadBalancers ?? []).filter((lb) => lb.targetGroupArn !== undefined);
  if (groups.length === 0) return { ok: true, detail: 'no load balancer' };
  if ((service.deployments?.find((d) => d.status === 'PRIMARY')?.desiredCount ?? 1) === 0) {
    return { ok: true, detail: 'scaled to zero: no targets to check' };
  }
  const tasks = (await serviceTasks(deps, ref.cluster, ref.service, 'RUNNING')).filter(
    (t) => t.taskDefinitionArn === taskDefinitionArn && t.lastStatus === 'RUNNING',
  );
  if (tasks.length === 0) return { ok: false, detail: `no running task of ${shortArn(taskDefinitionArn)} yet` };
  const problems: string[] = [];
  let healthy = 0;
  for (const lb of groups) {
    const out = await deps.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: lb.targetGroupArn }));
    const name = (lb.targetGroupArn ?? '').replace(/^.*:targetgroup\//, '');
    for (const task of tasks) {
      const ip = taskIp(task);
      const target = (out.TargetHealthDescriptions ?? []).find(
        (d) =>
          d.Target?.Id === ip &&
          (lb.containerPort === undefined || d.Target?.Port === undefined || d.Target.Port === lb.containerPort),
      );
      const health = target?.TargetHealth;
      if (ip !== undefined && health?.State === 'healthy') {
        healthy++;
        continue;
      }
      const why = health
        ? `${health.State ?? '?'}${health.Reason ? ` ${health.Reason}` : ''}${health.Description ? `: ${health.Description}` : ''}`
        : 'not registered';
      problems.push(`task ${taskId(task)} (${ip ?? 'no IP'}) in ${name}: ${why}`);
    }
  }
  return problems.length === 0
    ? { ok: true, detail: `${healthy} target(s) healthy in ${groups.length} target group(s)` }
    : { ok: false, detail: problems.join('; ') };
}

export interface FollowOptions {
  readonly ref: ServiceRef;
  readonly target: RolloutTarget;
  /** Clock time (ms) after which waiting is a timeout. */
  readonly deadline: number;
  readonly waitMinutes: number;
  readonly pollMs: number;
  /** 'rollout' or 'rollback', for messages. */
  readonly label: string;
}

export interface Followed {
  readonly service: Service;
  readonly deployment: Deployment;
  readonly targets: TargetCheck;
}

function formatEvent(event: ServiceEvent): string {
  const at = event.createdAt ? event.createdAt.toISOString().slice(11, 19) : '--:--:--';
  return `event ${at} ${event.message ?? ''}`;
}

/**
 * Follows a rollout at a bounded interval until the success predicate holds (then checks target health),
 * something makes success impossible, the deadline passes, or credentials expire. Never the SDK waiter.
 */
export async function followRollout(deps: DeployDeps, options: FollowOptions, state: FollowState): Promise<Followed> {
  const { ref, target, deadline, pollMs, label } = options;
  const started = deps.clock.now();
  let errors = 0;
  let lastLine = '';
  let lastReason = 'no answer from ECS yet';
  for (;;) {
    try {
      const service = await describeService(deps, ref);
      errors = 0;
      for (const event of state.fresh(service)) deps.log.info(deps.redact(formatEvent(event)));
      const briefs = await listServiceDeployments(deps, ref, state);
      const sd = ourServiceDeployment(briefs, state);
      const verdict = judge(service, target, sd);
      const line = progressLine(service, target, (deps.clock.now() - started) / 1000);
      if (line.replace(/^\[\d+s\] /, '') !== lastLine) {
        deps.log.info(`${label}: ${line}`);
        lastLine = line.replace(/^\[\d+s\] /, '');
      }
      if (verdict.kind === 'failed') throw new RolloutFailed(verdict.cause, verdict.reason);
      if (verdict.kind === 'stable') {
        const targets = await checkTargets(deps, ref, service, target.taskDefinitionArn);
        if (targets.ok) return { service, deployment: verdict.deployment, targets };
        const reason = `targets not healthy: ${targets.detail}`;
        if (reason !== lastReason) deps.log.info(`${label}: waiting for healthy targets: ${targets.detail}`);
        lastReason = reason;
      } else {
        lastReason = verdict.reason;
      }
    } catch (error) {
      if (error instanceof RolloutFailed) throw error;
      if (isCredentialsExpired(error)) {
        throw new RolloutFailed(
          'credentials-expired',
          `AWS credentials expired while following the ${label} (${awsErrorName(error) ?? 'expired'}); the result is unknown — ` +
            'give the role session more time (role-duration-seconds) than wait-for-minutes',
        );
      }
      errors++;
      deps.log.warning(`${label}: ECS did not answer (${awsErrorName(error) ?? errorMessage(error)}), retrying`);
      if (errors >= MAX_POLL_ERRORS) {
        throw new RolloutFailed(
          'aws-error',
          `ECS failed ${errors} polls in a row while following the ${label}: ${awsErrorName(error) ?? ''} ${errorMessage(error)}`.trim(),
        );
      }
    }
    const left = deadline - deps.clock.now();
    if (left <= 0) {
      throw new RolloutFailed(
        'timeout',
        `the ${label} did not finish within ${options.waitMinutes} minute(s) (last state: ${lastReason})`,
      );
    }
    await deps.clock.sleep(Math.min(pollMs, left));
  }
}
