// ECS (awsJson1_1, target prefix AmazonEC2ContainerServiceV20141113): clusters, task definitions, services
// with rolling deployments over simulated time, tasks, and the service-deployments API. The rollout model
// follows the ECS rolling update with minimumHealthyPercent 100 / maximumPercent 200: a new deployment starts
// all its tasks, and once they are running (and healthy in every target group) the older deployments' tasks
// are drained and stopped, then the deployment is COMPLETED. Failed tasks count towards the deployment
// circuit breaker (threshold: half the desired count, at least 3, at most 200), which marks the deployment
// FAILED and, with rollback on, starts a deployment of the last completed task definition.
import type { SimContext } from './context';
import { digits, hex, paginate, uuid } from './context';
import type { ElbSim } from './elb';
import { DEREGISTRATION_DELAY_MS, HEALTH_CHECK_MS } from './elb';
import type { LogsSim } from './logs';
import { AwsError, type Obj, bool, epochSeconds, num, obj, objList, reqStr, str, strList } from './protocol';
import {
  type ScenarioName,
  type ScenarioRule,
  type TaskBehaviour,
  TIMINGS,
  behaviourOf,
  containerLines,
  resolveScenario,
} from './scenarios';

interface Tag {
  readonly key: string;
  readonly value: string;
}

interface TaskDef {
  readonly arn: string;
  readonly family: string;
  readonly revision: number;
  status: 'ACTIVE' | 'INACTIVE';
  readonly body: Obj;
  readonly registeredAt: number;
  deregisteredAt: number | undefined;
  readonly tags: Tag[];
}

interface Cluster {
  readonly arn: string;
  readonly name: string;
  readonly createdAt: number;
  readonly tags: Tag[];
}

interface Container {
  readonly name: string;
  readonly image: string;
  readonly essential: boolean;
  readonly command: string[] | undefined;
  lastStatus: string;
  exitCode: number | undefined;
  reason: string | undefined;
}

interface Task {
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
  readonly createdAt: number;
  lastStatus:
    'PROVISIONING' | 'PENDING' | 'ACTIVATING' | 'RUNNING' | 'DEACTIVATING' | 'STOPPING' | 'DEPROVISIONING' | 'STOPPED';
  desiredStatus: 'RUNNING' | 'STOPPED';
  healthy: boolean;
  pullStartedAt: number | undefined;
  pullStoppedAt: number | undefined;
  startedAt: number | undefined;
  stoppingAt: number | undefined;
  stoppedAt: number | undefined;
  stoppedReason: string | undefined;
  stopCode: string | undefined;
  readonly containers: Container[];
}

type RolloutState = 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';

interface Deployment {
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
  /** Set on the deployment the circuit breaker started to roll back this failed one. */
  readonly rollbackOf: Deployment | undefined;
  readonly revisionArn: string;
  /** The service deployment (ListServiceDeployments) this deployment belongs to. */
  readonly record: ServiceDeploymentRecord;
}

interface ServiceDeploymentRecord {
  readonly arn: string;
  readonly createdAt: number;
  readonly targetRevisionArn: string;
  readonly sourceRevisionArns: string[];
  status: string;
  statusReason: string | undefined;
  finishedAt: number | undefined;
  updatedAt: number;
  breakerStatus: 'DISABLED' | 'MONITORING' | 'MONITORING_COMPLETE' | 'TRIGGERED';
  failureCount: number;
  readonly threshold: number;
  rollback: { reason: string; startedAt: number; serviceRevisionArn: string } | undefined;
  /** The deployment whose task counts the record reports (the rollback deployment once rolling back). */
  current: Deployment | undefined;
}

interface ServiceEvent {
  readonly id: string;
  readonly createdAt: number;
  readonly message: string;
}

interface Breaker {
  enable: boolean;
  rollback: boolean;
}

interface Service {
  readonly arn: string;
  readonly name: string;
  readonly cluster: Cluster;
  taskDef: TaskDef;
  desired: number;
  status: 'ACTIVE' | 'DRAINING' | 'INACTIVE';
  readonly launchType: string;
  networkConfiguration: Obj | undefined;
  readonly loadBalancers: { targetGroupArn: string; containerName: string; containerPort: number }[];
  breaker: Breaker;
  maximumPercent: number;
  minimumHealthyPercent: number;
  propagateTags: string;
  enableECSManagedTags: boolean;
  readonly createdAt: number;
  readonly tags: Tag[];
  deployments: Deployment[];
  readonly events: ServiceEvent[];
  readonly records: ServiceDeploymentRecord[];
  readonly revisions: Map<string, { arn: string; taskDef: TaskDef; createdAt: number }>;
  lastCompleted: Deployment | undefined;
}

const TD_NOT_FOUND = 'Unable to describe task definition.';

export class EcsSim {
  readonly clusters = new Map<string, Cluster>();
  private readonly taskDefs = new Map<string, TaskDef[]>();
  private readonly services: Service[] = [];
  private readonly tasks = new Map<string, Task>();
  readonly rules: ScenarioRule[] = [];
  private ipCounter = 10;
  private readonly registering = new Map<Service, Task[]>();

  constructor(
    private readonly ctx: SimContext,
    private readonly elb: ElbSim,
    private readonly logs: LogsSim,
  ) {}

  private get now(): number {
    return this.ctx.scheduler.now();
  }

  private arn(kind: string, rest: string): string {
    return `arn:aws:ecs:${this.ctx.region}:${this.ctx.accountId}:${kind}/${rest}`;
  }

  // ---- lookups ---------------------------------------------------------------------------------------

  private cluster(ref: string | undefined): Cluster {
    const name = (ref ?? 'default').replace(/^arn:aws:ecs:[^:]*:[^:]*:cluster\//, '');
    const c = this.clusters.get(name);
    if (!c) throw new AwsError('ClusterNotFoundException', 'Cluster not found.');
    return c;
  }

  private findService(cluster: Cluster, ref: string): Service | undefined {
    const name = ref.startsWith('arn:') ? (ref.split('/').at(-1) ?? ref) : ref;
    return this.services.find((s) => s.cluster === cluster && s.name === name && s.status !== 'INACTIVE');
  }

  private service(cluster: Cluster, ref: string): Service {
    const s = this.findService(cluster, ref);
    if (!s) throw new AwsError('ServiceNotFoundException', 'Service not found.');
    return s;
  }

  /** family, family:revision or a task definition ARN; a bare family means its latest ACTIVE revision. */
  private findTaskDef(ref: string): TaskDef | undefined {
    const short = ref.replace(/^arn:aws:ecs:[^:]*:[^:]*:task-definition\//, '');
    const m = /^([A-Za-z0-9_-]+)(?::(\d+))?$/.exec(short);
    if (!m) return undefined;
    const revisions = this.taskDefs.get(m[1] ?? '') ?? [];
    if (m[2] !== undefined) return revisions.find((t) => t.revision === Number(m[2]));
    return revisions.filter((t) => t.status === 'ACTIVE').at(-1);
  }

  private taskDef(ref: string, message = TD_NOT_FOUND): TaskDef {
    const td = this.findTaskDef(ref);
    if (!td) throw new AwsError('ClientException', message);
    return td;
  }

  private images(td: TaskDef): string[] {
    return objList(td.body, 'containerDefinitions').map((c) => str(c, 'image') ?? '');
  }

  // ---- task definitions --------------------------------------------------------------------------------

  private registerTaskDefinition(input: Obj): Obj {
    const family = reqStr(input, 'family', 'ClientException');
    if (!/^[A-Za-z0-9_-]{1,255}$/.test(family)) {
      throw new AwsError(
        'ClientException',
        'Family contains invalid characters; up to 255 letters, numbers, hyphens and underscores are allowed.',
      );
    }
    const containers = objList(input, 'containerDefinitions');
    if (containers.length === 0) throw new AwsError('ClientException', 'Container list cannot be empty.');
    for (const c of containers) {
      const name = str(c, 'name');
      if (name === undefined) throw new AwsError('ClientException', 'Container.name should not be null or empty.');
      if (str(c, 'image') === undefined) {
        throw new AwsError('ClientException', 'Container.image should not be null or empty.');
      }
      if (
        str(input, 'memory') === undefined &&
        num(c, 'memory') === undefined &&
        num(c, 'memoryReservation') === undefined
      ) {
        throw new AwsError(
          'ClientException',
          `Invalid setting for container '${name}'. At least one of 'memory' or 'memoryReservation' must be specified.`,
        );
      }
    }
    const revisions = this.taskDefs.get(family) ?? [];
    this.taskDefs.set(family, revisions);
    const revision = (revisions.at(-1)?.revision ?? 0) + 1;
    const body: Obj = { ...input };
    delete body['tags'];
    const td: TaskDef = {
      arn: this.arn('task-definition', `${family}:${revision}`),
      family,
      revision,
      status: 'ACTIVE',
      body,
      registeredAt: this.now,
      deregisteredAt: undefined,
      tags: objList(input, 'tags').map((t) => ({ key: reqStr(t, 'key'), value: str(t, 'value') ?? '' })),
    };
    revisions.push(td);
    return { taskDefinition: this.describeTaskDef(td), tags: td.tags };
  }

  private describeTaskDef(td: TaskDef): Obj {
    const fargate = str(td.body, 'networkMode') === 'awsvpc';
    return {
      ...td.body,
      taskDefinitionArn: td.arn,
      family: td.family,
      revision: td.revision,
      status: td.status,
      requiresAttributes: [
        { name: 'com.amazonaws.ecs.capability.logging-driver.awslogs' },
        { name: 'ecs.capability.execution-role-awslogs' },
        { name: 'com.amazonaws.ecs.capability.docker-remote-api.1.19' },
        ...(fargate ? [{ name: 'ecs.capability.task-eni' }] : []),
      ],
      compatibilities: fargate ? ['EC2', 'FARGATE'] : ['EC2'],
      registeredAt: epochSeconds(td.registeredAt),
      registeredBy: `arn:aws:sts::${this.ctx.accountId}:assumed-role/deploy/sim`,
      ...(td.deregisteredAt !== undefined ? { deregisteredAt: epochSeconds(td.deregisteredAt) } : {}),
    };
  }

  // ---- services and deployments ------------------------------------------------------------------------

  private event(svc: Service, message: string): void {
    svc.events.unshift({ id: uuid(), createdAt: this.now, message: `(service ${svc.name}) ${message}` });
    if (svc.events.length > 100) svc.events.length = 100;
  }

  private revision(svc: Service, td: TaskDef): string {
    for (const r of svc.revisions.values()) if (r.taskDef === td) return r.arn;
    const arn = this.arn('service-revision', `${svc.cluster.name}/${svc.name}/${digits()}`);
    svc.revisions.set(arn, { arn, taskDef: td, createdAt: this.now });
    return arn;
  }

  private threshold(desired: number): number {
    return Math.min(Math.max(Math.ceil(desired * 0.5), 3), 200);
  }

  private startDeployment(svc: Service, td: TaskDef, rollbackOf?: Deployment): Deployment {
    const scenario = resolveScenario(this.rules, svc.name, this.images(td));
    const id = `ecs-svc/${digits()}`;
    for (const d of svc.deployments) {
      d.status = 'ACTIVE';
      d.launching = false;
      d.updatedAt = this.now;
      if (d.record.status === 'IN_PROGRESS' && d.record !== rollbackOf?.record) {
        d.record.status = 'STOPPED';
        d.record.statusReason = 'Service deployment stopped because a newer deployment was started.';
        d.record.finishedAt = this.now;
      }
    }
    const revisionArn = this.revision(svc, td);
    const record: ServiceDeploymentRecord = rollbackOf?.record ?? {
      arn: this.arn('service-deployment', `${svc.cluster.name}/${svc.name}/${hex(11)}`),
      createdAt: this.now,
      targetRevisionArn: revisionArn,
      sourceRevisionArns: [...new Set(svc.deployments.map((d) => d.revisionArn))],
      status: 'IN_PROGRESS',
      statusReason: undefined,
      finishedAt: undefined,
      updatedAt: this.now,
      breakerStatus: svc.breaker.enable || scenario === 'rollback' ? 'MONITORING' : 'DISABLED',
      failureCount: 0,
      threshold: this.threshold(svc.desired),
      rollback: undefined,
      current: undefined,
    };
    const deployment: Deployment = {
      id,
      status: 'PRIMARY',
      taskDef: td,
      desired: svc.desired,
      failedTasks: 0,
      createdAt: this.now,
      updatedAt: this.now,
      rolloutState: 'IN_PROGRESS',
      rolloutStateReason:
        rollbackOf !== undefined && svc.lastCompleted !== undefined
          ? `ECS deployment circuit breaker: rolling back to deploymentId ${svc.lastCompleted.id}.`
          : `ECS deployment ${id} in progress.`,
      scenario,
      launching: true,
      launchScheduled: false,
      rollbackOf,
      revisionArn,
      record,
    };
    record.current = deployment;
    if (rollbackOf === undefined) svc.records.unshift(record);
    svc.deployments.unshift(deployment);
    svc.taskDef = td;
    this.reconcile(svc);
    return deployment;
  }

  /** Drives a service towards its primary deployment's goal; called after every change. */
  private reconcile(svc: Service): void {
    const primary = svc.deployments[0];
    if (!primary || svc.status !== 'ACTIVE') return;
    const live = (d: Deployment): Task[] =>
      [...this.tasks.values()].filter((t) => t.deployment === d && t.desiredStatus === 'RUNNING');

    if (primary.launching && !primary.launchScheduled && live(primary).length < primary.desired) {
      primary.launchScheduled = true;
      this.ctx.scheduler.after(TIMINGS.launchDelay, () => {
        primary.launchScheduled = false;
        if (!primary.launching || svc.deployments[0] !== primary) return;
        const missing = primary.desired - live(primary).length;
        if (missing <= 0) return;
        const started = Array.from({ length: missing }, () =>
          this.launchTask(svc.cluster, primary.taskDef, { svc, deployment: primary }),
        );
        this.event(svc, `has started ${started.length} tasks: ${started.map((t) => `(task ${t.id})`).join(' ')}.`);
      });
    }
    // Scale in within a deployment (desired count lowered without a new deployment).
    const extra = live(primary).length - primary.desired;
    if (extra > 0) {
      const victims = live(primary).slice(-extra);
      this.stopTasks(svc, victims, `Scaling activity initiated by (deployment ${primary.id})`);
    }

    if (primary.rolloutState !== 'IN_PROGRESS') return;
    const ready = live(primary).filter((t) => t.lastStatus === 'RUNNING' && t.healthy);
    if (ready.length < primary.desired) return;
    const others = svc.deployments.slice(1);
    const otherLive = others.flatMap((d) => live(d));
    if (otherLive.length > 0) {
      this.stopTasks(svc, otherLive, `Scaling activity initiated by (deployment ${primary.id})`);
      return;
    }
    const stopping = [...this.tasks.values()].some(
      (t) => t.service === svc && t.deployment !== primary && t.lastStatus !== 'STOPPED',
    );
    if (stopping) return;
    for (const d of others) d.status = 'INACTIVE';
    svc.deployments = [primary];
    primary.rolloutState = 'COMPLETED';
    primary.rolloutStateReason = `ECS deployment ${primary.id} completed.`;
    primary.updatedAt = this.now;
    svc.lastCompleted = primary;
    const record = primary.record;
    if (record.current === primary) {
      record.status = record.rollback !== undefined ? 'ROLLBACK_SUCCESSFUL' : 'SUCCESSFUL';
      record.finishedAt = this.now;
      record.updatedAt = this.now;
      if (record.breakerStatus === 'MONITORING') record.breakerStatus = 'MONITORING_COMPLETE';
    }
    this.event(svc, `(deployment ${primary.id}) deployment completed.`);
    this.event(svc, 'has reached a steady state.');
  }

  /** Drains (when in target groups) and stops service tasks, as the scheduler does when scaling in. */
  private stopTasks(svc: Service, tasks: Task[], reason: string): void {
    for (const t of tasks) {
      t.desiredStatus = 'STOPPED';
      t.stoppingAt = this.now;
    }
    const registered = tasks.filter((t) => t.lastStatus === 'RUNNING');
    const finish = (): void => {
      for (const t of tasks) this.finishStop(t, reason, 'ServiceSchedulerInitiated', 0);
      this.event(svc, `has stopped ${tasks.length} running tasks: ${tasks.map((t) => `(task ${t.id})`).join(' ')}.`);
      this.reconcile(svc);
    };
    if (svc.loadBalancers.length > 0 && registered.length > 0) {
      this.event(svc, `has begun draining connections on ${registered.length} tasks.`);
      for (const lb of svc.loadBalancers)
        for (const t of registered) this.elb.setTarget(lb.targetGroupArn, t.ip, lb.containerPort, 'draining');
      this.ctx.scheduler.after(DEREGISTRATION_DELAY_MS, () => {
        for (const lb of svc.loadBalancers) {
          for (const t of registered) this.elb.removeTarget(lb.targetGroupArn, t.ip, lb.containerPort);
          this.event(svc, `deregistered ${registered.length} targets in (target-group ${lb.targetGroupArn})`);
        }
        finish();
      });
    } else {
      this.ctx.scheduler.after(TIMINGS.stop, finish);
    }
  }

  private onTaskFailed(task: Task): void {
    const d = task.deployment;
    const svc = task.service;
    if (!d || !svc) return;
    d.failedTasks++;
    d.updatedAt = this.now;
    d.record.failureCount = d.record.current === d ? d.failedTasks : d.record.failureCount;
    const breaker = svc.breaker.enable || d.scenario === 'rollback';
    if (d.rolloutState === 'IN_PROGRESS' && d.launching && breaker && d.failedTasks >= this.threshold(d.desired)) {
      this.tripBreaker(svc, d);
      return;
    }
    this.reconcile(svc);
  }

  private tripBreaker(svc: Service, d: Deployment): void {
    d.rolloutState = 'FAILED';
    d.rolloutStateReason = 'ECS deployment circuit breaker: tasks failed to start.';
    d.launching = false;
    d.updatedAt = this.now;
    d.record.breakerStatus = 'TRIGGERED';
    this.event(svc, `(deployment ${d.id}) deployment failed: tasks failed to start.`);
    const rollback = svc.breaker.rollback || d.scenario === 'rollback';
    const previous = svc.lastCompleted;
    // A rollback deployment that fails is not rolled back again: ECS gives up (ROLLBACK_FAILED).
    if (d.rollbackOf !== undefined) {
      d.record.status = 'ROLLBACK_FAILED';
      d.record.statusReason = 'ECS deployment circuit breaker: the rollback deployment failed too.';
      d.record.finishedAt = this.now;
      return;
    }
    if (rollback && previous !== undefined && svc.deployments[0] === d) {
      d.record.status = 'ROLLBACK_IN_PROGRESS';
      d.record.statusReason = 'Service deployment rolled back because the circuit breaker threshold was exceeded.';
      d.record.rollback = {
        reason: 'ECS deployment circuit breaker: tasks failed to start.',
        startedAt: this.now,
        serviceRevisionArn: previous.revisionArn,
      };
      this.event(svc, `rolling back to deployment ${previous.id}.`);
      this.startDeployment(svc, previous.taskDef, d);
    } else {
      d.record.status = 'STOPPED';
      d.record.statusReason = 'ECS deployment circuit breaker: tasks failed to start.';
      d.record.finishedAt = this.now;
    }
  }

  // ---- tasks -------------------------------------------------------------------------------------------

  private launchTask(
    cluster: Cluster,
    td: TaskDef,
    opts: {
      svc?: Service;
      deployment?: Deployment;
      overrides?: Obj;
      startedBy?: string;
      group?: string;
      subnet?: string;
    },
  ): Task {
    const id = hex(16);
    const n = this.ipCounter++;
    const overrides = opts.overrides ?? {};
    const cmdOverrides = new Map(
      objList(overrides, 'containerOverrides').map((o) => [str(o, 'name') ?? '', strList(o, 'command')] as const),
    );
    const scenario = opts.deployment?.scenario ?? resolveScenario(this.rules, undefined, this.images(td));
    const task: Task = {
      arn: this.arn('task', `${cluster.name}/${id}`),
      id,
      cluster,
      taskDef: td,
      deployment: opts.deployment,
      service: opts.svc,
      behaviour: behaviourOf(scenario),
      oneOff: opts.svc === undefined,
      ip: `10.0.${1 + Math.floor(n / 250)}.${n % 250}`,
      subnet: opts.subnet ?? 'subnet-0sim00000000000001',
      startedBy: opts.deployment?.id ?? opts.startedBy,
      group: opts.svc ? `service:${opts.svc.name}` : (opts.group ?? `family:${td.family}`),
      overrides,
      createdAt: this.now,
      lastStatus: 'PROVISIONING',
      desiredStatus: 'RUNNING',
      healthy: false,
      pullStartedAt: undefined,
      pullStoppedAt: undefined,
      startedAt: undefined,
      stoppingAt: undefined,
      stoppedAt: undefined,
      stoppedReason: undefined,
      stopCode: undefined,
      containers: objList(td.body, 'containerDefinitions').map((c) => {
        const name = str(c, 'name') ?? '';
        const override = cmdOverrides.get(name);
        return {
          name,
          image: str(c, 'image') ?? '',
          essential: c['essential'] !== false,
          command:
            override !== undefined && override.length > 0
              ? override
              : strList(c, 'command').length > 0
                ? strList(c, 'command')
                : undefined,
          lastStatus: 'PENDING',
          exitCode: undefined,
          reason: undefined,
        };
      }),
    };
    this.tasks.set(task.arn, task);
    const s = this.ctx.scheduler;
    s.after(TIMINGS.provision, () => {
      if (task.lastStatus !== 'PROVISIONING') return;
      task.lastStatus = 'PENDING';
      task.pullStartedAt = this.now;
      if (task.behaviour === 'pull-failure') s.after(TIMINGS.pullFailure, () => this.failPull(task));
      else s.after(task.behaviour === 'slow' ? TIMINGS.slowPull : TIMINGS.pull, () => this.startRunning(task));
    });
    return task;
  }

  private logTargets(task: Task): { container: Container; group: string; stream: string }[] {
    const out: { container: Container; group: string; stream: string }[] = [];
    for (const def of objList(task.taskDef.body, 'containerDefinitions')) {
      const log = obj(def, 'logConfiguration');
      const options = log ? obj(log, 'options') : undefined;
      const container = task.containers.find((c) => c.name === str(def, 'name'));
      if (!log || str(log, 'logDriver') !== 'awslogs' || !options || !container) continue;
      const group = str(options, 'awslogs-group');
      const prefix = str(options, 'awslogs-stream-prefix');
      if (group === undefined || prefix === undefined) continue;
      out.push({ container, group, stream: `${prefix}/${container.name}/${task.id}` });
    }
    return out;
  }

  private log(task: Task, phase: 'start' | 'fail' | 'exit'): void {
    const behaviour = task.oneOff && task.behaviour !== 'crash' ? 'one-off' : task.behaviour;
    for (const { container, group, stream } of this.logTargets(task)) {
      const lines = containerLines(behaviour, phase, container.image, container.command);
      if (lines.length > 0) this.logs.append(group, stream, lines, this.now);
    }
  }

  private failPull(task: Task): void {
    if (task.lastStatus === 'STOPPED') return;
    task.pullStoppedAt = this.now;
    for (const c of task.containers) {
      c.lastStatus = 'STOPPED';
      c.reason = `CannotPullContainerError: pull image manifest has been retried 7 time(s): failed to resolve ref ${c.image}: ${c.image}: not found`;
    }
    const first = task.containers[0];
    this.finishStop(task, first?.reason ?? 'CannotPullContainerError', 'TaskFailedToStart', undefined);
    this.onTaskFailed(task);
  }

  private startRunning(task: Task): void {
    if (task.lastStatus !== 'PENDING' || task.desiredStatus !== 'RUNNING') return;
    task.lastStatus = 'RUNNING';
    task.pullStoppedAt = this.now;
    task.startedAt = this.now;
    for (const c of task.containers) c.lastStatus = 'RUNNING';
    const s = this.ctx.scheduler;
    if (task.behaviour === 'crash') {
      s.after(TIMINGS.crashAfter, () => {
        if (task.lastStatus !== 'RUNNING') return;
        this.log(task, 'fail');
        this.deregister(task);
        for (const c of task.containers) {
          c.lastStatus = 'STOPPED';
          c.exitCode = c.essential ? 1 : 0;
        }
        this.finishStop(task, 'Essential container in task exited', 'EssentialContainerExited', 1);
        this.onTaskFailed(task);
      });
      return;
    }
    this.log(task, 'start');
    if (task.oneOff) {
      s.after(TIMINGS.oneOffRuns, () => {
        if (task.lastStatus !== 'RUNNING') return;
        this.log(task, 'exit');
        this.finishStop(task, 'Essential container in task exited', 'EssentialContainerExited', 0);
      });
      return;
    }
    const svc = task.service;
    if (!svc) return;
    if (svc.loadBalancers.length === 0) {
      if (task.behaviour === 'unhealthy') {
        s.after(HEALTH_CHECK_MS, () => {
          if (task.lastStatus !== 'RUNNING') return;
          this.log(task, 'fail');
          this.finishStop(task, 'Task failed container health checks', 'ServiceSchedulerInitiated', 137);
          this.onTaskFailed(task);
        });
        return;
      }
      task.healthy = true;
      this.reconcile(svc);
      return;
    }
    for (const lb of svc.loadBalancers) this.elb.setTarget(lb.targetGroupArn, task.ip, lb.containerPort, 'initial');
    // Tasks starting together are registered in one batch, as ECS reports it ("registered 2 targets").
    const batch = this.registering.get(svc) ?? [];
    if (batch.length === 0) {
      this.registering.set(svc, batch);
      s.after(0, () => {
        this.registering.delete(svc);
        for (const lb of svc.loadBalancers)
          this.event(svc, `registered ${batch.length} targets in (target-group ${lb.targetGroupArn})`);
      });
    }
    batch.push(task);
    s.after(HEALTH_CHECK_MS, () => {
      if (task.lastStatus !== 'RUNNING' || task.desiredStatus !== 'RUNNING') return;
      if (task.behaviour === 'unhealthy') {
        for (const lb of svc.loadBalancers) {
          this.elb.setTarget(lb.targetGroupArn, task.ip, lb.containerPort, 'unhealthy');
          this.event(
            svc,
            `(task ${task.id}) (port ${lb.containerPort}) is unhealthy in (target-group ${lb.targetGroupArn}) due to (reason Health checks failed with these codes: [502]).`,
          );
        }
        this.log(task, 'fail');
        s.after(TIMINGS.unhealthyStop, () => {
          if (task.lastStatus !== 'RUNNING') return;
          this.deregister(task);
          const tg = svc.loadBalancers[0]?.targetGroupArn ?? '';
          this.finishStop(
            task,
            `Task failed ELB health checks in (target-group ${tg})`,
            'ServiceSchedulerInitiated',
            0,
          );
          this.onTaskFailed(task);
        });
        return;
      }
      for (const lb of svc.loadBalancers) this.elb.setTarget(lb.targetGroupArn, task.ip, lb.containerPort, 'healthy');
      task.healthy = true;
      this.reconcile(svc);
    });
  }

  private deregister(task: Task): void {
    for (const lb of task.service?.loadBalancers ?? [])
      this.elb.removeTarget(lb.targetGroupArn, task.ip, lb.containerPort);
  }

  private finishStop(task: Task, reason: string, stopCode: string, exitCode: number | undefined): void {
    if (task.lastStatus === 'STOPPED') return;
    if (task.lastStatus === 'RUNNING' && stopCode !== 'EssentialContainerExited') this.log(task, 'exit');
    task.lastStatus = 'STOPPED';
    task.desiredStatus = 'STOPPED';
    task.healthy = false;
    task.stoppingAt ??= this.now;
    task.stoppedAt = this.now;
    task.stoppedReason = reason;
    task.stopCode = stopCode;
    for (const c of task.containers) {
      if (c.lastStatus !== 'STOPPED' && c.lastStatus !== 'PENDING' && exitCode !== undefined) c.exitCode ??= exitCode;
      if (stopCode === 'EssentialContainerExited') c.exitCode ??= exitCode;
      c.lastStatus = 'STOPPED';
    }
  }

  private describeTask(t: Task): Obj {
    const td = t.taskDef.body;
    return {
      taskArn: t.arn,
      clusterArn: t.cluster.arn,
      taskDefinitionArn: t.taskDef.arn,
      lastStatus: t.lastStatus,
      desiredStatus: t.desiredStatus,
      launchType: 'FARGATE',
      platformVersion: '1.4.0',
      cpu: str(td, 'cpu'),
      memory: str(td, 'memory'),
      group: t.group,
      startedBy: t.startedBy,
      availabilityZone: `${this.ctx.region}a`,
      connectivity: t.lastStatus === 'PROVISIONING' ? undefined : 'CONNECTED',
      healthStatus: t.healthy ? 'HEALTHY' : 'UNKNOWN',
      overrides: { containerOverrides: [], inferenceAcceleratorOverrides: [], ...t.overrides },
      createdAt: epochSeconds(t.createdAt),
      pullStartedAt: t.pullStartedAt !== undefined ? epochSeconds(t.pullStartedAt) : undefined,
      pullStoppedAt: t.pullStoppedAt !== undefined ? epochSeconds(t.pullStoppedAt) : undefined,
      startedAt: t.startedAt !== undefined ? epochSeconds(t.startedAt) : undefined,
      stoppingAt: t.stoppingAt !== undefined ? epochSeconds(t.stoppingAt) : undefined,
      stoppedAt: t.stoppedAt !== undefined ? epochSeconds(t.stoppedAt) : undefined,
      stoppedReason: t.stoppedReason,
      stopCode: t.stopCode,
      version: 1,
      attachments: [
        {
          id: `${t.id.slice(0, 8)}-${t.id.slice(8, 12)}-${t.id.slice(12, 16)}-${t.id.slice(16, 20)}-${t.id.slice(20)}`,
          type: 'ElasticNetworkInterface',
          status: t.lastStatus === 'STOPPED' ? 'DELETED' : 'ATTACHED',
          details: [
            { name: 'subnetId', value: t.subnet },
            { name: 'networkInterfaceId', value: `eni-${t.id.slice(0, 17)}` },
            { name: 'macAddress', value: '0a:00:00:00:00:01' },
            { name: 'privateDnsName', value: `ip-${t.ip.replace(/\./g, '-')}.${this.ctx.region}.compute.internal` },
            { name: 'privateIPv4Address', value: t.ip },
          ],
        },
      ],
      containers: t.containers.map((c) => ({
        containerArn: this.arn('container', `${t.cluster.name}/${t.id}/${uuid()}`),
        taskArn: t.arn,
        name: c.name,
        image: c.image,
        lastStatus: c.lastStatus,
        exitCode: c.exitCode,
        reason: c.reason,
        networkInterfaces: [{ attachmentId: t.id, privateIpv4Address: t.ip }],
        healthStatus: 'UNKNOWN',
        cpu: '0',
      })),
      tags: [],
    };
  }

  private describeService(svc: Service): Obj {
    // runningCount counts tasks whose lastStatus is RUNNING (draining ones included), as ECS does.
    const mine = (d: Deployment | undefined): Task[] =>
      [...this.tasks.values()].filter((t) => t.service === svc && (d === undefined || t.deployment === d));
    const running = (d?: Deployment): number => mine(d).filter((t) => t.lastStatus === 'RUNNING').length;
    const pending = (d?: Deployment): number =>
      mine(d).filter(
        (t) => t.desiredStatus === 'RUNNING' && ['PROVISIONING', 'PENDING', 'ACTIVATING'].includes(t.lastStatus),
      ).length;
    return {
      serviceArn: svc.arn,
      serviceName: svc.name,
      clusterArn: svc.cluster.arn,
      loadBalancers: svc.loadBalancers,
      serviceRegistries: [],
      status: svc.status,
      desiredCount: svc.desired,
      runningCount: running(),
      pendingCount: pending(),
      launchType: svc.launchType,
      platformVersion: 'LATEST',
      platformFamily: 'Linux',
      taskDefinition: svc.taskDef.arn,
      deploymentConfiguration: {
        deploymentCircuitBreaker: { enable: svc.breaker.enable, rollback: svc.breaker.rollback },
        maximumPercent: svc.maximumPercent,
        minimumHealthyPercent: svc.minimumHealthyPercent,
      },
      deployments: svc.deployments.map((d) => ({
        id: d.id,
        status: d.status,
        taskDefinition: d.taskDef.arn,
        desiredCount: d.desired,
        pendingCount: pending(d),
        runningCount: running(d),
        failedTasks: d.failedTasks,
        createdAt: epochSeconds(d.createdAt),
        updatedAt: epochSeconds(d.updatedAt),
        launchType: svc.launchType,
        platformVersion: '1.4.0',
        platformFamily: 'Linux',
        networkConfiguration: svc.networkConfiguration,
        rolloutState: d.rolloutState,
        rolloutStateReason: d.rolloutStateReason,
      })),
      roleArn: `arn:aws:iam::${this.ctx.accountId}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS`,
      events: svc.events.map((e) => ({ id: e.id, createdAt: epochSeconds(e.createdAt), message: e.message })),
      createdAt: epochSeconds(svc.createdAt),
      placementConstraints: [],
      placementStrategy: [],
      networkConfiguration: svc.networkConfiguration,
      healthCheckGracePeriodSeconds: 0,
      schedulingStrategy: 'REPLICA',
      deploymentController: { type: 'ECS' },
      createdBy: `arn:aws:iam::${this.ctx.accountId}:role/deploy`,
      enableECSManagedTags: svc.enableECSManagedTags,
      propagateTags: svc.propagateTags,
      enableExecuteCommand: false,
      availabilityZoneRebalancing: 'ENABLED',
    };
  }

  private parseBreaker(
    input: Obj,
    current: Breaker,
  ): { breaker: Breaker; max: number | undefined; min: number | undefined } {
    const cfg = obj(input, 'deploymentConfiguration');
    const cb = cfg ? obj(cfg, 'deploymentCircuitBreaker') : undefined;
    return {
      breaker: cb ? { enable: bool(cb, 'enable') ?? false, rollback: bool(cb, 'rollback') ?? false } : current,
      max: cfg ? num(cfg, 'maximumPercent') : undefined,
      min: cfg ? num(cfg, 'minimumHealthyPercent') : undefined,
    };
  }

  private createService(input: Obj, settled = false): Obj {
    const cluster = this.cluster(str(input, 'cluster'));
    const name = reqStr(input, 'serviceName');
    if (this.findService(cluster, name))
      throw new AwsError('InvalidParameterException', 'Creation of service was not idempotent.');
    const tdRef = reqStr(input, 'taskDefinition');
    const td = this.taskDef(tdRef);
    if (td.status !== 'ACTIVE') throw new AwsError('ClientException', 'TaskDefinition is inactive');
    const loadBalancers = objList(input, 'loadBalancers').map((lb) => {
      const targetGroupArn = reqStr(lb, 'targetGroupArn');
      if (!this.elb.groups.has(targetGroupArn)) {
        throw new AwsError(
          'InvalidParameterException',
          `The target group with targetGroupArn ${targetGroupArn} does not exist.`,
        );
      }
      return {
        targetGroupArn,
        containerName: reqStr(lb, 'containerName'),
        containerPort: num(lb, 'containerPort') ?? 80,
      };
    });
    const desired = num(input, 'desiredCount') ?? 0;
    if (desired < 0) throw new AwsError('InvalidParameterException', 'desiredCount must be a non-negative integer.');
    const { breaker, max, min } = this.parseBreaker(input, { enable: false, rollback: false });
    const svc: Service = {
      arn: this.arn('service', `${cluster.name}/${name}`),
      name,
      cluster,
      taskDef: td,
      desired,
      status: 'ACTIVE',
      launchType: str(input, 'launchType') ?? 'FARGATE',
      networkConfiguration: obj(input, 'networkConfiguration'),
      loadBalancers,
      breaker,
      maximumPercent: max ?? 200,
      minimumHealthyPercent: min ?? 100,
      propagateTags: str(input, 'propagateTags') ?? 'NONE',
      enableECSManagedTags: bool(input, 'enableECSManagedTags') ?? false,
      createdAt: this.now,
      tags: objList(input, 'tags').map((t) => ({ key: reqStr(t, 'key'), value: str(t, 'value') ?? '' })),
      deployments: [],
      events: [],
      records: [],
      revisions: new Map(),
      lastCompleted: undefined,
    };
    this.services.push(svc);
    const d = this.startDeployment(svc, td);
    if (settled) this.settle(svc, d);
    return { service: this.describeService(svc) };
  }

  /** Puts a new service straight into its steady state (seeding): tasks running, targets healthy. */
  private settle(svc: Service, d: Deployment): void {
    for (let i = 0; i < d.desired; i++) {
      const t = this.launchTask(svc.cluster, d.taskDef, { svc, deployment: d });
      t.lastStatus = 'RUNNING';
      t.healthy = true;
      t.pullStartedAt = t.pullStoppedAt = t.startedAt = this.now;
      for (const c of t.containers) c.lastStatus = 'RUNNING';
      for (const lb of svc.loadBalancers) this.elb.setTarget(lb.targetGroupArn, t.ip, lb.containerPort, 'healthy');
      this.log(t, 'start');
    }
    this.reconcile(svc);
  }

  private updateService(input: Obj): Obj {
    const cluster = this.cluster(str(input, 'cluster'));
    const svc = this.service(cluster, reqStr(input, 'service'));
    if (svc.status !== 'ACTIVE') throw new AwsError('ServiceNotActiveException', 'Service was not ACTIVE.');
    const tdRef = str(input, 'taskDefinition');
    const td = tdRef !== undefined ? this.taskDef(tdRef) : svc.taskDef;
    if (td.status !== 'ACTIVE' && td !== svc.taskDef)
      throw new AwsError('ClientException', 'TaskDefinition is inactive');
    const desired = num(input, 'desiredCount');
    if (desired !== undefined && desired < 0)
      throw new AwsError('InvalidParameterException', 'desiredCount must be a non-negative integer.');
    const { breaker, max, min } = this.parseBreaker(input, svc.breaker);
    svc.breaker = breaker;
    if (max !== undefined) svc.maximumPercent = max;
    if (min !== undefined) svc.minimumHealthyPercent = min;
    const network = obj(input, 'networkConfiguration');
    const networkChanged =
      network !== undefined && JSON.stringify(network) !== JSON.stringify(svc.networkConfiguration);
    if (network) svc.networkConfiguration = network;
    const propagate = str(input, 'propagateTags');
    if (propagate !== undefined) svc.propagateTags = propagate;
    const managed = bool(input, 'enableECSManagedTags');
    if (managed !== undefined) svc.enableECSManagedTags = managed;
    if (desired !== undefined) svc.desired = desired;
    if (td !== svc.taskDef || bool(input, 'forceNewDeployment') === true || networkChanged) {
      this.startDeployment(svc, td);
    } else if (desired !== undefined) {
      const primary = svc.deployments[0];
      if (primary) {
        primary.desired = desired;
        primary.launching = primary.rolloutState !== 'FAILED';
      }
      this.reconcile(svc);
    }
    return { service: this.describeService(svc) };
  }

  private describeRecord(svc: Service, r: ServiceDeploymentRecord): Obj {
    const counts = (arn: string): Obj => {
      const tasks = [...this.tasks.values()].filter(
        (t) => t.service === svc && t.deployment?.revisionArn === arn && t.desiredStatus === 'RUNNING',
      );
      return {
        arn,
        requestedTaskCount:
          arn === (r.current?.revisionArn ?? r.targetRevisionArn) ? (r.current?.desired ?? 0) : tasks.length,
        runningTaskCount: tasks.filter((t) => t.lastStatus === 'RUNNING').length,
        pendingTaskCount: tasks.filter((t) => t.lastStatus !== 'RUNNING').length,
      };
    };
    return {
      serviceDeploymentArn: r.arn,
      serviceArn: svc.arn,
      clusterArn: svc.cluster.arn,
      createdAt: epochSeconds(r.createdAt),
      startedAt: epochSeconds(r.createdAt),
      finishedAt: r.finishedAt !== undefined ? epochSeconds(r.finishedAt) : undefined,
      updatedAt: epochSeconds(r.updatedAt),
      sourceServiceRevisions: r.sourceRevisionArns.map(counts),
      targetServiceRevision: counts(r.targetRevisionArn),
      status: r.status,
      statusReason: r.statusReason,
      deploymentConfiguration: {
        deploymentCircuitBreaker: { enable: svc.breaker.enable, rollback: svc.breaker.rollback },
        maximumPercent: svc.maximumPercent,
        minimumHealthyPercent: svc.minimumHealthyPercent,
      },
      deploymentCircuitBreaker: { status: r.breakerStatus, failureCount: r.failureCount, threshold: r.threshold },
      rollback:
        r.rollback !== undefined
          ? {
              reason: r.rollback.reason,
              startedAt: epochSeconds(r.rollback.startedAt),
              serviceRevisionArn: r.rollback.serviceRevisionArn,
            }
          : undefined,
    };
  }

  private allRecords(): { svc: Service; record: ServiceDeploymentRecord }[] {
    return this.services.flatMap((svc) => svc.records.map((record) => ({ svc, record })));
  }

  // ---- dispatch ----------------------------------------------------------------------------------------

  handle(op: string, input: Obj): Obj {
    switch (op) {
      case 'CreateCluster': {
        const name = str(input, 'clusterName') ?? 'default';
        let c = this.clusters.get(name);
        if (!c) {
          c = {
            arn: this.arn('cluster', name),
            name,
            createdAt: this.now,
            tags: objList(input, 'tags').map((t) => ({ key: reqStr(t, 'key'), value: str(t, 'value') ?? '' })),
          };
          this.clusters.set(name, c);
        }
        return { cluster: this.describeCluster(c) };
      }
      case 'DescribeClusters': {
        const refs = strList(input, 'clusters');
        const clusters: Obj[] = [];
        const failures: Obj[] = [];
        for (const ref of refs.length > 0 ? refs : ['default']) {
          const name = ref.replace(/^arn:aws:ecs:[^:]*:[^:]*:cluster\//, '');
          const c = this.clusters.get(name);
          if (c) clusters.push(this.describeCluster(c));
          else failures.push({ arn: this.arn('cluster', name), reason: 'MISSING' });
        }
        return { clusters, failures };
      }
      case 'ListClusters':
        return { clusterArns: [...this.clusters.values()].map((c) => c.arn) };
      case 'RegisterTaskDefinition':
        return this.registerTaskDefinition(input);
      case 'DescribeTaskDefinition': {
        const td = this.taskDef(reqStr(input, 'taskDefinition', 'ClientException'));
        const withTags = strList(input, 'include').includes('TAGS');
        return { taskDefinition: this.describeTaskDef(td), ...(withTags ? { tags: td.tags } : {}) };
      }
      case 'DeregisterTaskDefinition': {
        const ref = reqStr(input, 'taskDefinition', 'ClientException');
        if (!/:\d+$/.test(ref)) throw new AwsError('ClientException', 'Revision is missing.');
        const td = this.findTaskDef(ref);
        if (!td) throw new AwsError('ClientException', TD_NOT_FOUND);
        if (td.status === 'ACTIVE') {
          td.status = 'INACTIVE';
          td.deregisteredAt = this.now;
        }
        return { taskDefinition: this.describeTaskDef(td) };
      }
      case 'ListTaskDefinitionFamilies': {
        const prefix = str(input, 'familyPrefix') ?? '';
        const status = str(input, 'status') ?? 'ACTIVE';
        const families = [...this.taskDefs.entries()]
          .filter(([f, revs]) => f.startsWith(prefix) && (status === 'ALL' || revs.some((r) => r.status === status)))
          .map(([f]) => f)
          .sort();
        const { page, nextToken } = paginate(families, num(input, 'maxResults'), str(input, 'nextToken'), 100);
        return { families: page, nextToken };
      }
      case 'ListTaskDefinitions': {
        const family = str(input, 'familyPrefix');
        const status = str(input, 'status') ?? 'ACTIVE';
        let all = [...this.taskDefs.entries()]
          .filter(([f]) => family === undefined || f === family)
          .sort(([a], [b]) => a.localeCompare(b))
          .flatMap(([, revs]) => revs)
          .filter((t) => t.status === status);
        if (str(input, 'sort') === 'DESC') all = all.reverse();
        const { page, nextToken } = paginate(all, num(input, 'maxResults'), str(input, 'nextToken'), 100);
        return { taskDefinitionArns: page.map((t) => t.arn), nextToken };
      }
      case 'CreateService':
        return this.createService(input);
      case 'UpdateService':
        return this.updateService(input);
      case 'DeleteService': {
        const cluster = this.cluster(str(input, 'cluster'));
        const svc = this.service(cluster, reqStr(input, 'service'));
        if (svc.desired > 0 && bool(input, 'force') !== true) {
          throw new AwsError('InvalidParameterException', 'The service cannot be stopped while it is scaled above 0.');
        }
        const result = this.describeService(svc);
        svc.status = 'INACTIVE';
        for (const t of this.tasks.values())
          if (t.service === svc) this.finishStop(t, 'Service deleted', 'ServiceSchedulerInitiated', 0);
        return { service: { ...result, status: 'DRAINING' } };
      }
      case 'DescribeServices': {
        const cluster = this.cluster(str(input, 'cluster'));
        const services: Obj[] = [];
        const failures: Obj[] = [];
        const refs = strList(input, 'services');
        if (refs.length === 0 || refs.length > 10) {
          throw new AwsError('InvalidParameterException', 'services can have at most 10 items and at least 1.');
        }
        for (const ref of refs) {
          const svc = this.findService(cluster, ref);
          const withTags = strList(input, 'include').includes('TAGS');
          if (svc) services.push({ ...this.describeService(svc), ...(withTags ? { tags: svc.tags } : {}) });
          else
            failures.push({
              arn: ref.startsWith('arn:') ? ref : this.arn('service', `${cluster.name}/${ref}`),
              reason: 'MISSING',
            });
        }
        return { services, failures };
      }
      case 'ListServices': {
        const cluster = this.cluster(str(input, 'cluster'));
        const arns = this.services.filter((s) => s.cluster === cluster && s.status === 'ACTIVE').map((s) => s.arn);
        const { page, nextToken } = paginate(arns, num(input, 'maxResults'), str(input, 'nextToken'), 100);
        return { serviceArns: page, nextToken };
      }
      case 'ListServiceDeployments': {
        const cluster = this.cluster(str(input, 'cluster'));
        const svc = this.service(cluster, reqStr(input, 'service'));
        const statuses = strList(input, 'status');
        const records = svc.records.filter((r) => statuses.length === 0 || statuses.includes(r.status));
        const { page, nextToken } = paginate(records, num(input, 'maxResults'), str(input, 'nextToken'), 100);
        return {
          serviceDeployments: page.map((r) => ({
            serviceDeploymentArn: r.arn,
            serviceArn: svc.arn,
            clusterArn: svc.cluster.arn,
            startedAt: epochSeconds(r.createdAt),
            createdAt: epochSeconds(r.createdAt),
            finishedAt: r.finishedAt !== undefined ? epochSeconds(r.finishedAt) : undefined,
            targetServiceRevisionArn: r.targetRevisionArn,
            status: r.status,
            statusReason: r.statusReason,
          })),
          nextToken,
        };
      }
      case 'DescribeServiceDeployments': {
        const all = this.allRecords();
        const found: Obj[] = [];
        const failures: Obj[] = [];
        for (const arn of strList(input, 'serviceDeploymentArns')) {
          const hit = all.find((x) => x.record.arn === arn);
          if (hit) found.push(this.describeRecord(hit.svc, hit.record));
          else failures.push({ arn, reason: 'MISSING' });
        }
        return { serviceDeployments: found, failures };
      }
      case 'DescribeServiceRevisions': {
        const found: Obj[] = [];
        const failures: Obj[] = [];
        for (const arn of strList(input, 'serviceRevisionArns')) {
          const svc = this.services.find((s) => s.revisions.has(arn));
          const rev = svc?.revisions.get(arn);
          if (svc && rev) {
            found.push({
              serviceRevisionArn: arn,
              serviceArn: svc.arn,
              clusterArn: svc.cluster.arn,
              taskDefinition: rev.taskDef.arn,
              launchType: svc.launchType,
              platformVersion: '1.4.0',
              platformFamily: 'Linux',
              loadBalancers: svc.loadBalancers,
              networkConfiguration: svc.networkConfiguration,
              containerImages: this.images(rev.taskDef).map((image, i) => ({
                containerName: str(objList(rev.taskDef.body, 'containerDefinitions')[i] ?? {}, 'name'),
                image,
              })),
              createdAt: epochSeconds(rev.createdAt),
            });
          } else failures.push({ arn, reason: 'MISSING' });
        }
        return { serviceRevisions: found, failures };
      }
      case 'RunTask': {
        const cluster = this.cluster(str(input, 'cluster'));
        const td = this.taskDef(reqStr(input, 'taskDefinition'));
        if (td.status !== 'ACTIVE') throw new AwsError('ClientException', 'TaskDefinition is inactive');
        const count = num(input, 'count') ?? 1;
        if (count < 1 || count > 10) throw new AwsError('InvalidParameterException', 'count must be between 1 and 10.');
        const network = obj(input, 'networkConfiguration');
        const vpc = network ? obj(network, 'awsvpcConfiguration') : undefined;
        const subnet = vpc ? strList(vpc, 'subnets')[0] : undefined;
        const tasks = Array.from({ length: count }, () =>
          this.launchTask(cluster, td, {
            overrides: obj(input, 'overrides') ?? {},
            ...(str(input, 'startedBy') !== undefined ? { startedBy: str(input, 'startedBy') ?? '' } : {}),
            ...(str(input, 'group') !== undefined ? { group: str(input, 'group') ?? '' } : {}),
            ...(subnet !== undefined ? { subnet } : {}),
          }),
        );
        return { tasks: tasks.map((t) => this.describeTask(t)), failures: [] };
      }
      case 'DescribeTasks': {
        const cluster = this.cluster(str(input, 'cluster'));
        const tasks: Obj[] = [];
        const failures: Obj[] = [];
        for (const ref of strList(input, 'tasks')) {
          const arn = ref.startsWith('arn:') ? ref : this.arn('task', `${cluster.name}/${ref}`);
          const t = this.tasks.get(arn);
          if (t && t.cluster === cluster) tasks.push(this.describeTask(t));
          else failures.push({ arn, reason: 'MISSING' });
        }
        return { tasks, failures };
      }
      case 'ListTasks': {
        const cluster = this.cluster(str(input, 'cluster'));
        const serviceName = str(input, 'serviceName');
        if (serviceName !== undefined) this.service(cluster, serviceName);
        const family = str(input, 'family');
        const startedBy = str(input, 'startedBy');
        const desired = str(input, 'desiredStatus') ?? 'RUNNING';
        const arns = [...this.tasks.values()]
          .filter(
            (t) =>
              t.cluster === cluster &&
              t.desiredStatus === desired &&
              (serviceName === undefined || t.service?.name === serviceName.split('/').at(-1)) &&
              (family === undefined || t.taskDef.family === family) &&
              (startedBy === undefined || t.startedBy === startedBy),
          )
          .map((t) => t.arn);
        const { page, nextToken } = paginate(arns, num(input, 'maxResults'), str(input, 'nextToken'), 100);
        return { taskArns: page, nextToken };
      }
      case 'StopTask': {
        const cluster = this.cluster(str(input, 'cluster'));
        const ref = reqStr(input, 'task');
        const t = this.tasks.get(ref.startsWith('arn:') ? ref : this.arn('task', `${cluster.name}/${ref}`));
        if (!t) throw new AwsError('InvalidParameterException', 'The referenced task was not found.');
        if (t.lastStatus !== 'STOPPED') {
          t.desiredStatus = 'STOPPED';
          t.stoppingAt = this.now;
          const reason = str(input, 'reason') ?? 'Task stopped by user';
          this.ctx.scheduler.after(TIMINGS.stop, () => {
            this.deregister(t);
            this.finishStop(t, reason, 'UserInitiated', 143);
            if (t.service) this.reconcile(t.service);
          });
        }
        return { task: this.describeTask(t) };
      }
      case 'ListTagsForResource': {
        const arn = reqStr(input, 'resourceArn');
        const td = this.findTaskDef(arn);
        const svc = this.services.find((s) => s.arn === arn);
        const c = [...this.clusters.values()].find((x) => x.arn === arn);
        const tags = td?.tags ?? svc?.tags ?? c?.tags;
        if (!tags) throw new AwsError('InvalidParameterException', 'The specified resource does not exist.');
        return { tags };
      }
      default:
        throw new AwsError('UnknownOperationException', `Operation ${op} is not supported by the simulator`);
    }
  }

  private describeCluster(c: Cluster): Obj {
    const tasks = [...this.tasks.values()].filter((t) => t.cluster === c && t.lastStatus !== 'STOPPED');
    return {
      clusterArn: c.arn,
      clusterName: c.name,
      status: 'ACTIVE',
      registeredContainerInstancesCount: 0,
      runningTasksCount: tasks.filter((t) => t.lastStatus === 'RUNNING').length,
      pendingTasksCount: tasks.filter((t) => t.lastStatus !== 'RUNNING').length,
      activeServicesCount: this.services.filter((s) => s.cluster === c && s.status === 'ACTIVE').length,
      statistics: [],
      tags: c.tags,
      settings: [{ name: 'containerInsights', value: 'disabled' }],
      capacityProviders: ['FARGATE', 'FARGATE_SPOT'],
      defaultCapacityProviderStrategy: [],
    };
  }

  /** In-process service creation already in its steady state (seeding for the demo and tests). */
  createSettledService(input: Obj): Obj {
    return this.createService(input, true);
  }
}
