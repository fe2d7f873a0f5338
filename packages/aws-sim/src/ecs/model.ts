// The ECS model's state and the helpers every part of it shares (time, ARNs, lookups, service events).
import type { SimContext } from '../context';
import { uuid } from '../context';
import type { ElbSim } from '../elb';
import type { LogsSim } from '../logs';
import { AwsError, type Obj } from '../protocol';
import type { ScenarioName, ScenarioRule, TaskBehaviour } from '../scenarios';

export interface Tag {
  readonly key: string;
  readonly value: string;
}

export interface TaskDef {
  readonly arn: string;
  readonly family: string;
  readonly revision: number;
  status: 'ACTIVE' | 'INACTIVE';
  readonly body: Obj;
  readonly registeredAt: number;
  deregisteredAt: number | undefined;
  readonly tags: Tag[];
}

export interface Cluster {
  readonly arn: string;
  readonly name: string;
  readonly createdAt: number;
  readonly tags: Tag[];
}

export interface Container {
  readonly name: string;
  readonly image: string;
  readonly essential: boolean;
  readonly command: string[] | undefined;
  lastStatus: string;
  exitCode: number | undefined;
  reason: string | undefined;
}

export type TaskStatus =
  'PROVISIONING' | 'PENDING' | 'ACTIVATING' | 'RUNNING' | 'DEACTIVATING' | 'STOPPING' | 'DEPROVISIONING' | 'STOPPED';

export interface Task {
  readonly arn: string;
  readonly id: string;
  readonly cluster: Cluster;
  readonly taskDef: TaskDef;
  readonly deployment: Deployment | undefined;
  readonly service: Service | undefined;
  readonly behaviour: TaskBehaviour;
  readonly oneOff: boolean;
  readonly ip: string;
  readonly subnet: string;
  readonly startedBy: string | undefined;
  readonly group: string;
  readonly overrides: Obj;
  /** RunTask's launch type, or the capacity provider its strategy placed the task with. */
  readonly launchType: string;
  readonly capacityProviderName: string | undefined;
  /** Given to RunTask (with ECS's managed aws:ecs:clusterName when asked for); DescribeTasks shows them with TAGS. */
  readonly tags: Tag[];
  readonly createdAt: number;
  lastStatus: TaskStatus;
  desiredStatus: 'RUNNING' | 'STOPPED';
  healthy: boolean;
  /** The target groups the task is registered in (with the container port). */
  targetGroups: { arn: string; port: number }[];
  pullStartedAt: number | undefined;
  pullStoppedAt: number | undefined;
  startedAt: number | undefined;
  stoppingAt: number | undefined;
  stoppedAt: number | undefined;
  stoppedReason: string | undefined;
  stopCode: string | undefined;
  readonly containers: Container[];
}

export type Strategy = 'ROLLING' | 'BLUE_GREEN' | 'LINEAR' | 'CANARY';

export interface Hook {
  readonly targetType: 'AWS_LAMBDA' | 'PAUSE';
  readonly targetArn: string | undefined;
  readonly stages: string[];
  readonly timeoutMinutes: number;
  readonly timeoutAction: 'CONTINUE' | 'ROLLBACK';
}

/** A service's deployment configuration, parsed; `raw` is echoed back by DescribeServices. */
export interface Settings {
  readonly raw: Obj;
  readonly strategy: Strategy;
  readonly breaker: { readonly enable: boolean; readonly rollback: boolean };
  readonly maximumPercent: number;
  readonly minimumHealthyPercent: number;
  readonly bakeMinutes: number;
  readonly hooks: Hook[];
  /** Production traffic steps in percent, ending at 100 (one step of 100 for blue/green). */
  readonly steps: number[];
  /** Minutes between two production traffic steps. */
  readonly stepBakeMinutes: number;
  readonly alarms: { readonly names: string[]; readonly enable: boolean; readonly rollback: boolean } | undefined;
  readonly earlySuccess: { readonly healthyPercent: number; readonly cleanup: 'BLOCKING' | 'DEFERRED' } | undefined;
}

export interface HookDetail {
  readonly hookId: string;
  readonly hook: Hook;
  readonly stage: string;
  status: 'AWAITING_ACTION' | 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT';
  readonly expiresAt: number;
}

export interface ServiceDeploymentRecord {
  readonly arn: string;
  readonly createdAt: number;
  readonly targetRevisionArn: string;
  readonly sourceRevisionArns: string[];
  status: string;
  statusReason: string | undefined;
  finishedAt: number | undefined;
  stoppedAt: number | undefined;
  updatedAt: number;
  breakerStatus: 'DISABLED' | 'MONITORING' | 'MONITORING_COMPLETE' | 'TRIGGERED';
  alarmsStatus: 'DISABLED' | 'MONITORING' | 'MONITORING_COMPLETE' | 'TRIGGERED';
  triggeredAlarms: string[];
  failureCount: number;
  readonly threshold: number;
  rollback: { reason: string; startedAt: number; serviceRevisionArn: string } | undefined;
  /** The deployment whose task counts the record reports (the rollback deployment once rolling back). */
  current: Deployment | undefined;
  readonly settings: Settings;
  /** Traffic-shifting strategies only. */
  lifecycleStage: string | undefined;
  readonly hooks: HookDetail[];
  /** Percent of production and test traffic on the target revision. */
  productionWeight: number;
  testWeight: number;
}

export type RolloutState = 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';

export interface Deployment {
  readonly id: string;
  status: 'PRIMARY' | 'ACTIVE' | 'INACTIVE';
  readonly taskDef: TaskDef;
  desired: number;
  failedTasks: number;
  readonly createdAt: number;
  updatedAt: number;
  rolloutState: RolloutState;
  rolloutStateReason: string;
  readonly scenario: ScenarioName;
  /** Whether the scheduler still starts (replacement) tasks for it. */
  launching: boolean;
  launchScheduled: boolean;
  /** Tasks launched so far (the index decides per-task behaviour in mixed scenarios). */
  launched: number;
  /** Set on the deployment the circuit breaker started to roll back this failed one. */
  readonly rollbackOf: Deployment | undefined;
  readonly revisionArn: string;
  /** The service deployment (ListServiceDeployments) this deployment belongs to. */
  readonly record: ServiceDeploymentRecord;
  /** Target groups new tasks register in (the alternate ones for the green side of a traffic shift). */
  readonly targetGroups: { arn: string; port: number }[];
  /** The throttle event was emitted (crash loop without a circuit breaker). */
  throttled: boolean;
  /** Rolling with deployment alarms: healthy, ECS watches the alarms for the bake time before completing. */
  baking: boolean;
  /** The service's volumeConfigurations (managed EBS volumes) when it started. */
  readonly volumeConfigurations: Obj[];
}

export interface ServiceEvent {
  readonly id: string;
  readonly createdAt: number;
  readonly message: string;
}

export interface LoadBalancer {
  readonly targetGroupArn: string;
  readonly containerName: string;
  readonly containerPort: number;
  readonly advanced: Obj | undefined;
  readonly alternateTargetGroupArn: string | undefined;
  /** Which of the pair serves production now (blue/green alternates between them). */
  production: 'main' | 'alternate';
}

export interface Service {
  readonly arn: string;
  readonly name: string;
  readonly cluster: Cluster;
  taskDef: TaskDef;
  desired: number;
  status: 'ACTIVE' | 'DRAINING' | 'INACTIVE';
  readonly launchType: string;
  readonly controller: string;
  networkConfiguration: Obj | undefined;
  readonly loadBalancers: LoadBalancer[];
  settings: Settings;
  propagateTags: string;
  enableECSManagedTags: boolean;
  volumeConfigurations: Obj[];
  readonly createdAt: number;
  readonly tags: Tag[];
  deployments: Deployment[];
  readonly events: ServiceEvent[];
  readonly records: ServiceDeploymentRecord[];
  readonly revisions: Map<string, { arn: string; taskDef: TaskDef; createdAt: number }>;
  lastCompleted: Deployment | undefined;
}

const TD_NOT_FOUND = 'Unable to describe task definition.';

/** State and helpers shared by the ECS model's parts. */
export class EcsWorld {
  readonly clusters = new Map<string, Cluster>();
  readonly taskDefs = new Map<string, TaskDef[]>();
  readonly services: Service[] = [];
  readonly tasks = new Map<string, Task>();
  readonly rules: ScenarioRule[] = [];
  private ipCounter = 10;

  constructor(
    readonly ctx: SimContext,
    readonly elb: ElbSim,
    readonly logs: LogsSim,
  ) {}

  get now(): number {
    return this.ctx.scheduler.now();
  }

  after(ms: number, run: () => void): void {
    this.ctx.scheduler.after(ms, run);
  }

  arn(kind: string, rest: string): string {
    return `arn:aws:ecs:${this.ctx.region}:${this.ctx.accountId}:${kind}/${rest}`;
  }

  nextIp(): string {
    const n = this.ipCounter++;
    return `10.0.${1 + Math.floor(n / 250)}.${n % 250}`;
  }

  cluster(ref: string | undefined): Cluster {
    const name = (ref ?? 'default').replace(/^arn:aws:ecs:[^:]*:[^:]*:cluster\//, '');
    const c = this.clusters.get(name);
    if (!c) throw new AwsError('ClusterNotFoundException', 'Cluster not found.');
    return c;
  }

  findService(cluster: Cluster, ref: string): Service | undefined {
    const name = ref.startsWith('arn:') ? (ref.split('/').at(-1) ?? ref) : ref;
    return this.services.find((s) => s.cluster === cluster && s.name === name && s.status !== 'INACTIVE');
  }

  service(cluster: Cluster, ref: string): Service {
    const s = this.findService(cluster, ref);
    if (!s) throw new AwsError('ServiceNotFoundException', 'Service not found.');
    return s;
  }

  /** family, family:revision or a task definition ARN; a bare family means its latest ACTIVE revision. */
  findTaskDef(ref: string): TaskDef | undefined {
    const short = ref.replace(/^arn:aws:ecs:[^:]*:[^:]*:task-definition\//, '');
    const m = /^([A-Za-z0-9_-]+)(?::(\d+))?$/.exec(short);
    if (!m) return undefined;
    const revisions = this.taskDefs.get(m[1] ?? '') ?? [];
    if (m[2] !== undefined) return revisions.find((t) => t.revision === Number(m[2]));
    return revisions.filter((t) => t.status === 'ACTIVE').at(-1);
  }

  taskDef(ref: string, message = TD_NOT_FOUND): TaskDef {
    const td = this.findTaskDef(ref);
    if (!td) throw new AwsError('ClientException', message);
    return td;
  }

  event(svc: Service, message: string): void {
    svc.events.unshift({ id: uuid(), createdAt: this.now, message: `(service ${svc.name}) ${message}` });
    if (svc.events.length > 100) svc.events.length = 100;
  }

  /** The tasks of a deployment ECS still wants running. */
  live(d: Deployment): Task[] {
    return [...this.tasks.values()].filter((t) => t.deployment === d && t.desiredStatus === 'RUNNING');
  }

  /** Running and healthy in every target group it belongs to. */
  ready(d: Deployment): Task[] {
    return this.live(d).filter((t) => t.lastStatus === 'RUNNING' && t.healthy);
  }

  /** Failure threshold of the circuit breaker: half the desired count, at least 3, at most 200. */
  threshold(desired: number): number {
    return Math.min(Math.max(Math.ceil(desired * 0.5), 3), 200);
  }
}
