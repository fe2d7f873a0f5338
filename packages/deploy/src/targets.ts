// Load balancer health of the new revision's tasks, in whichever target group holds them: a rolling
// deployment registers them in the service's target group, a blue/green, linear or canary one in the
// alternate target group first (and the two swap roles once production traffic has moved).
import type { Service, Task } from '@aws-sdk/client-ecs';
import { DescribeTargetHealthCommand, type TargetHealthDescription } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { DeployDeps } from './deps';
import { call } from './request';
import { serviceTasks, taskId, taskIp } from './tasks';
import { shortArn } from './verdict';

export interface TargetCheck {
  readonly ok: boolean;
  readonly detail: string;
}

interface Pair {
  readonly groups: string[];
  readonly port: number | undefined;
}

const groupName = (arn: string): string => arn.replace(/^.*:targetgroup\//, '');

/** Each load balancer's target groups: the primary one and, for traffic shifts, the alternate one. */
function pairs(service: Service): Pair[] {
  return (service.loadBalancers ?? [])
    .filter((lb) => lb.targetGroupArn !== undefined)
    .map((lb) => ({
      groups: [
        lb.targetGroupArn ?? '',
        ...(lb.advancedConfiguration?.alternateTargetGroupArn
          ? [lb.advancedConfiguration.alternateTargetGroupArn]
          : []),
      ],
      port: lb.containerPort,
    }));
}

function verdictFor(task: Task, found: { group: string; target: TargetHealthDescription }[]): string | undefined {
  const ip = taskIp(task);
  if (found.some((f) => f.target.TargetHealth?.State === 'healthy')) return undefined;
  const seen = found[0];
  const health = seen?.target.TargetHealth;
  const why = health
    ? `${health.State ?? '?'}${health.Reason ? ` ${health.Reason}` : ''}${health.Description ? `: ${health.Description}` : ''}`
    : 'not registered';
  return `task ${taskId(task)} (${ip ?? 'no IP'}) in ${seen ? groupName(seen.group) : 'its target group'}: ${why}`;
}

/**
 * At least `required` running tasks of the revision must be healthy targets (all of them after a full
 * rollout; the early-success share otherwise), each in the target group of the pair that holds it.
 */
export async function checkTargets(
  deps: Pick<DeployDeps, 'ecs' | 'elb' | 'clock' | 'log'>,
  where: { cluster: string; service: string },
  service: Service,
  taskDefinitionArn: string,
  required: number,
  deadline: number,
): Promise<TargetCheck> {
  const lbs = pairs(service);
  if (lbs.length === 0) return { ok: true, detail: 'no load balancer' };
  if (required <= 0) return { ok: true, detail: 'no task is required to be healthy (desired count 0)' };
  const tasks = (await serviceTasks(deps, where, 'RUNNING', deadline)).filter(
    (t) => t.taskDefinitionArn === taskDefinitionArn && t.lastStatus === 'RUNNING',
  );
  if (tasks.length === 0) return { ok: false, detail: `no running task of ${shortArn(taskDefinitionArn)} yet` };
  const health = new Map<string, TargetHealthDescription[]>();
  for (const arn of new Set(lbs.flatMap((p) => p.groups))) {
    const out = await call(deps, 'DescribeTargetHealth', deadline, (o) =>
      deps.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }), o),
    );
    health.set(arn, out.TargetHealthDescriptions ?? []);
  }
  const problems: string[] = [];
  let healthyTasks = 0;
  for (const task of tasks) {
    const ip = taskIp(task);
    const bad = lbs
      .map((pair) => {
        const found = pair.groups.flatMap((group) =>
          (health.get(group) ?? [])
            .filter(
              (d) =>
                d.Target?.Id === ip &&
                (pair.port === undefined || d.Target?.Port === undefined || d.Target.Port === pair.port),
            )
            .map((target) => ({ group, target })),
        );
        return verdictFor(task, found);
      })
      .filter((p): p is string => p !== undefined);
    if (ip !== undefined && bad.length === 0) healthyTasks++;
    else problems.push(...bad);
  }
  const groups = new Set(lbs.flatMap((p) => p.groups)).size;
  if (healthyTasks >= required) {
    return { ok: true, detail: `${healthyTasks} target(s) healthy in ${groups} target group(s)` };
  }
  return { ok: false, detail: problems.join('; ') || `${healthyTasks} of ${required} required targets healthy` };
}
