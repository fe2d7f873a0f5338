// Tasks: launch, the life of a task per scenario behaviour (pull, run, crash, health checks), draining and
// stopping, their container log lines, and the task APIs (RunTask, DescribeTasks, ListTasks, StopTask).
import { hex, paginate, uuid } from '../context';
import { DEREGISTRATION_DELAY_MS, HEALTH_CHECK_MS } from '../elb';
import { AwsError, type Obj, bool, epochSeconds, num, obj, objList, reqStr, str, strList } from '../protocol';
import { TIMINGS, behaviourOf, containerLines, resolveScenario } from '../scenarios';
import type { Cluster, Container, Deployment, EcsWorld, Service, Tag, Task, TaskDef } from './model';
import { checkRunTask, type TaskDefinitions } from './taskdefs';

/** What the deployment model hears from tasks. */
export interface TaskListener {
  /** A task of a deployment failed (crash, pull failure, failed health checks). */
  failed(task: Task): void;
  /** Something changed that may move the service's rollout on. */
  changed(svc: Service): void;
}

export class Tasks {
  private readonly registering = new Map<Service, Task[]>();
  listener: TaskListener = { failed: () => undefined, changed: () => undefined };

  constructor(
    private readonly world: EcsWorld,
    private readonly taskDefs: TaskDefinitions,
  ) {}

  launch(
    cluster: Cluster,
    td: TaskDef,
    opts: {
      svc?: Service;
      deployment?: Deployment;
      overrides?: Obj;
      startedBy?: string;
      group?: string;
      subnet?: string;
      launchType?: string;
      capacityProviderName?: string;
      tags?: Tag[];
    },
  ): Task {
    const id = hex(16);
    const overrides = opts.overrides ?? {};
    const cmdOverrides = new Map(
      objList(overrides, 'containerOverrides').map((o) => [str(o, 'name') ?? '', strList(o, 'command')] as const),
    );
    const d = opts.deployment;
    const scenario = d?.scenario ?? resolveScenario(this.world.rules, undefined, this.taskDefs.images(td));
    const index = d ? d.launched++ : 0;
    const task: Task = {
      arn: this.world.arn('task', `${cluster.name}/${id}`),
      id,
      cluster,
      taskDef: td,
      deployment: d,
      service: opts.svc,
      behaviour: behaviourOf(scenario, index),
      oneOff: opts.svc === undefined,
      ip: this.world.nextIp(),
      subnet: opts.subnet ?? 'subnet-0sim00000000000001',
      startedBy: d?.id ?? opts.startedBy,
      group: opts.svc ? `service:${opts.svc.name}` : (opts.group ?? `family:${td.family}`),
      overrides,
      launchType: opts.launchType ?? opts.svc?.launchType ?? 'FARGATE',
      capacityProviderName: opts.capacityProviderName,
      tags: opts.tags ?? [],
      createdAt: this.world.now,
      lastStatus: 'PROVISIONING',
      desiredStatus: 'RUNNING',
      healthy: false,
      targetGroups: [],
      pullStartedAt: undefined,
      pullStoppedAt: undefined,
      startedAt: undefined,
      stoppingAt: undefined,
      stoppedAt: undefined,
      stoppedReason: undefined,
      stopCode: undefined,
      containers: objList(td.body, 'containerDefinitions').map((c): Container => {
        const name = str(c, 'name') ?? '';
        const override = cmdOverrides.get(name);
        const own = strList(c, 'command');
        return {
          name,
          image: str(c, 'image') ?? '',
          essential: c['essential'] !== false,
          command: override !== undefined && override.length > 0 ? override : own.length > 0 ? own : undefined,
          lastStatus: 'PENDING',
          exitCode: undefined,
          reason: undefined,
        };
      }),
    };
    this.world.tasks.set(task.arn, task);
    this.world.after(TIMINGS.provision, () => {
      if (task.lastStatus !== 'PROVISIONING') return;
      task.lastStatus = 'PENDING';
      task.pullStartedAt = this.world.now;
      if (task.behaviour === 'pull-failure') this.world.after(TIMINGS.pullFailure, () => this.failPull(task));
      else this.world.after(task.behaviour === 'slow' ? TIMINGS.slowPull : TIMINGS.pull, () => this.startRunning(task));
    });
    return task;
  }

  /** Puts a seeded task straight into RUNNING and healthy in the deployment's target groups. */
  settle(task: Task): void {
    task.lastStatus = 'RUNNING';
    task.healthy = true;
    task.pullStartedAt = task.pullStoppedAt = task.startedAt = this.world.now;
    for (const c of task.containers) c.lastStatus = 'RUNNING';
    task.targetGroups = [...(task.deployment?.targetGroups ?? [])];
    for (const tg of task.targetGroups) this.world.elb.setTarget(tg.arn, task.ip, tg.port, 'healthy');
    this.log(task, 'start');
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
      if (lines.length > 0) this.world.logs.append(group, stream, lines, this.world.now);
    }
  }

  private failPull(task: Task): void {
    if (task.lastStatus === 'STOPPED') return;
    task.pullStoppedAt = this.world.now;
    for (const c of task.containers) {
      c.lastStatus = 'STOPPED';
      c.reason = `CannotPullContainerError: pull image manifest has been retried 7 time(s): failed to resolve ref ${c.image}: ${c.image}: not found`;
    }
    this.finishStop(task, task.containers[0]?.reason ?? 'CannotPullContainerError', 'TaskFailedToStart', undefined);
    this.listener.failed(task);
  }

  private startRunning(task: Task): void {
    if (task.lastStatus !== 'PENDING' || task.desiredStatus !== 'RUNNING') return;
    task.lastStatus = 'RUNNING';
    task.pullStoppedAt = this.world.now;
    task.startedAt = this.world.now;
    for (const c of task.containers) c.lastStatus = 'RUNNING';
    if (task.behaviour === 'crash') {
      this.world.after(TIMINGS.crashAfter, () => {
        if (task.lastStatus !== 'RUNNING') return;
        this.log(task, 'fail');
        this.deregister(task);
        for (const c of task.containers) {
          c.lastStatus = 'STOPPED';
          c.exitCode = c.essential ? 1 : 0;
        }
        this.finishStop(task, 'Essential container in task exited', 'EssentialContainerExited', 1);
        this.listener.failed(task);
      });
      return;
    }
    this.log(task, 'start');
    if (task.oneOff) {
      this.world.after(TIMINGS.oneOffRuns, () => {
        if (task.lastStatus !== 'RUNNING') return;
        this.log(task, 'exit');
        this.finishStop(task, 'Essential container in task exited', 'EssentialContainerExited', 0);
      });
      return;
    }
    const svc = task.service;
    const groups = task.deployment?.targetGroups ?? [];
    if (!svc) return;
    if (groups.length === 0) {
      if (task.behaviour === 'unhealthy') {
        this.world.after(HEALTH_CHECK_MS, () => {
          if (task.lastStatus !== 'RUNNING') return;
          this.log(task, 'fail');
          this.finishStop(task, 'Task failed container health checks', 'ServiceSchedulerInitiated', 137);
          this.listener.failed(task);
        });
        return;
      }
      task.healthy = true;
      this.listener.changed(svc);
      return;
    }
    this.register(svc, task, groups);
    this.world.after(HEALTH_CHECK_MS, () => this.healthChecked(svc, task));
  }

  /** Registers a task in its deployment's target groups; tasks starting together are reported as one batch. */
  private register(svc: Service, task: Task, groups: { arn: string; port: number }[]): void {
    task.targetGroups = [...groups];
    for (const tg of groups) this.world.elb.setTarget(tg.arn, task.ip, tg.port, 'initial');
    const batch = this.registering.get(svc) ?? [];
    if (batch.length === 0) {
      this.registering.set(svc, batch);
      this.world.after(0, () => {
        this.registering.delete(svc);
        const arns = [...new Set(batch.flatMap((t) => t.targetGroups.map((g) => g.arn)))];
        for (const arn of arns) this.world.event(svc, `registered ${batch.length} targets in (target-group ${arn})`);
      });
    }
    batch.push(task);
  }

  private healthChecked(svc: Service, task: Task): void {
    if (task.lastStatus !== 'RUNNING' || task.desiredStatus !== 'RUNNING') return;
    if (task.behaviour !== 'unhealthy') {
      for (const tg of task.targetGroups) this.world.elb.setTarget(tg.arn, task.ip, tg.port, 'healthy');
      task.healthy = true;
      this.listener.changed(svc);
      return;
    }
    for (const tg of task.targetGroups) {
      this.world.elb.setTarget(tg.arn, task.ip, tg.port, 'unhealthy');
      this.world.event(
        svc,
        `(task ${task.id}) (port ${tg.port}) is unhealthy in (target-group ${tg.arn}) due to (reason Health checks failed with these codes: [502]).`,
      );
    }
    this.log(task, 'fail');
    this.world.after(TIMINGS.unhealthyStop, () => {
      if (task.lastStatus !== 'RUNNING') return;
      const tg = task.targetGroups[0]?.arn ?? '';
      this.deregister(task);
      this.finishStop(task, `Task failed ELB health checks in (target-group ${tg})`, 'ServiceSchedulerInitiated', 0);
      this.listener.failed(task);
    });
  }

  deregister(task: Task): void {
    for (const tg of task.targetGroups) this.world.elb.removeTarget(tg.arn, task.ip, tg.port);
  }

  /** Drains (when registered in target groups) and stops service tasks, as the scheduler does when scaling in. */
  stop(svc: Service, tasks: Task[], reason: string, then?: () => void): void {
    for (const t of tasks) {
      t.desiredStatus = 'STOPPED';
      t.stoppingAt = this.world.now;
    }
    const registered = tasks.filter((t) => t.lastStatus === 'RUNNING' && t.targetGroups.length > 0);
    const finish = (): void => {
      for (const t of tasks) this.finishStop(t, reason, 'ServiceSchedulerInitiated', 0);
      this.world.event(
        svc,
        `has stopped ${tasks.length} running tasks: ${tasks.map((t) => `(task ${t.id})`).join(' ')}.`,
      );
      then?.();
      this.listener.changed(svc);
    };
    if (registered.length === 0) {
      this.world.after(TIMINGS.stop, finish);
      return;
    }
    this.world.event(svc, `has begun draining connections on ${registered.length} tasks.`);
    for (const t of registered)
      for (const tg of t.targetGroups) this.world.elb.setTarget(tg.arn, t.ip, tg.port, 'draining');
    this.world.after(DEREGISTRATION_DELAY_MS, () => {
      const arns = [...new Set(registered.flatMap((t) => t.targetGroups.map((g) => g.arn)))];
      for (const t of registered) this.deregister(t);
      for (const arn of arns)
        this.world.event(svc, `deregistered ${registered.length} targets in (target-group ${arn})`);
      finish();
    });
  }

  finishStop(task: Task, reason: string, stopCode: string, exitCode: number | undefined): void {
    if (task.lastStatus === 'STOPPED') return;
    if (task.lastStatus === 'RUNNING' && stopCode !== 'EssentialContainerExited') this.log(task, 'exit');
    task.lastStatus = 'STOPPED';
    task.desiredStatus = 'STOPPED';
    task.healthy = false;
    task.stoppingAt ??= this.world.now;
    task.stoppedAt = this.world.now;
    task.stoppedReason = reason;
    task.stopCode = stopCode;
    for (const c of task.containers) {
      if (c.lastStatus !== 'STOPPED' && c.lastStatus !== 'PENDING' && exitCode !== undefined) c.exitCode ??= exitCode;
      if (stopCode === 'EssentialContainerExited') c.exitCode ??= exitCode;
      c.lastStatus = 'STOPPED';
    }
  }

  describe(t: Task, withTags = false): Obj {
    const td = t.taskDef.body;
    const at = (ms: number | undefined): number | undefined => (ms !== undefined ? epochSeconds(ms) : undefined);
    return {
      taskArn: t.arn,
      clusterArn: t.cluster.arn,
      taskDefinitionArn: t.taskDef.arn,
      lastStatus: t.lastStatus,
      desiredStatus: t.desiredStatus,
      launchType: t.launchType,
      ...(t.capacityProviderName !== undefined ? { capacityProviderName: t.capacityProviderName } : {}),
      platformVersion: '1.4.0',
      cpu: str(td, 'cpu'),
      memory: str(td, 'memory'),
      group: t.group,
      startedBy: t.startedBy,
      availabilityZone: `${this.world.ctx.region}a`,
      connectivity: t.lastStatus === 'PROVISIONING' ? undefined : 'CONNECTED',
      healthStatus: t.healthy ? 'HEALTHY' : 'UNKNOWN',
      overrides: { containerOverrides: [], inferenceAcceleratorOverrides: [], ...t.overrides },
      createdAt: epochSeconds(t.createdAt),
      pullStartedAt: at(t.pullStartedAt),
      pullStoppedAt: at(t.pullStoppedAt),
      startedAt: at(t.startedAt),
      stoppingAt: at(t.stoppingAt),
      stoppedAt: at(t.stoppedAt),
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
            {
              name: 'privateDnsName',
              value: `ip-${t.ip.replace(/\./g, '-')}.${this.world.ctx.region}.compute.internal`,
            },
            { name: 'privateIPv4Address', value: t.ip },
          ],
        },
      ],
      containers: t.containers.map((c) => ({
        containerArn: this.world.arn('container', `${t.cluster.name}/${t.id}/${uuid()}`),
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
      tags: withTags ? t.tags : [],
    };
  }

  handle(op: string, input: Obj): Obj | undefined {
    switch (op) {
      case 'RunTask':
        return this.runTask(input);
      case 'DescribeTasks': {
        const cluster = this.world.cluster(str(input, 'cluster'));
        const tasks: Obj[] = [];
        const failures: Obj[] = [];
        const withTags = strList(input, 'include').includes('TAGS');
        for (const ref of strList(input, 'tasks')) {
          const arn = ref.startsWith('arn:') ? ref : this.world.arn('task', `${cluster.name}/${ref}`);
          const t = this.world.tasks.get(arn);
          if (t && t.cluster === cluster) tasks.push(this.describe(t, withTags));
          else failures.push({ arn, reason: 'MISSING' });
        }
        return { tasks, failures };
      }
      case 'ListTasks':
        return this.listTasks(input);
      case 'StopTask': {
        const cluster = this.world.cluster(str(input, 'cluster'));
        const ref = reqStr(input, 'task');
        const t = this.world.tasks.get(ref.startsWith('arn:') ? ref : this.world.arn('task', `${cluster.name}/${ref}`));
        if (!t) throw new AwsError('InvalidParameterException', 'The referenced task was not found.');
        if (t.lastStatus !== 'STOPPED') {
          t.desiredStatus = 'STOPPED';
          t.stoppingAt = this.world.now;
          const reason = str(input, 'reason') ?? 'Task stopped by user';
          this.world.after(TIMINGS.stop, () => {
            this.deregister(t);
            this.finishStop(t, reason, 'UserInitiated', 143);
            if (t.service) this.listener.changed(t.service);
          });
        }
        return { task: this.describe(t) };
      }
      default:
        return undefined;
    }
  }

  private runTask(input: Obj): Obj {
    const cluster = this.world.cluster(str(input, 'cluster'));
    const td = this.world.taskDef(reqStr(input, 'taskDefinition'));
    if (td.status !== 'ACTIVE') throw new AwsError('ClientException', 'TaskDefinition is inactive');
    const count = num(input, 'count') ?? 1;
    if (count < 1 || count > 10) throw new AwsError('InvalidParameterException', 'count must be between 1 and 10.');
    checkRunTask(td, input);
    const launchType = str(input, 'launchType');
    const strategy = objList(input, 'capacityProviderStrategy');
    const overrides = obj(input, 'overrides') ?? {};
    const network = obj(input, 'networkConfiguration');
    const vpc = network ? obj(network, 'awsvpcConfiguration') : undefined;
    const subnet = vpc ? strList(vpc, 'subnets')[0] : undefined;
    const startedBy = str(input, 'startedBy');
    const group = str(input, 'group');
    const tags = objList(input, 'tags').map((t) => ({ key: reqStr(t, 'key'), value: str(t, 'value') ?? '' }));
    if (bool(input, 'enableECSManagedTags') === true) tags.push({ key: 'aws:ecs:clusterName', value: cluster.name });
    const provider = strategy.length > 0 ? str(strategy[0] ?? {}, 'capacityProvider') : undefined;
    const tasks = Array.from({ length: count }, () =>
      this.launch(cluster, td, {
        overrides,
        ...(startedBy !== undefined ? { startedBy } : {}),
        ...(group !== undefined ? { group } : {}),
        ...(subnet !== undefined ? { subnet } : {}),
        // A Fargate capacity provider runs the task on Fargate.
        launchType: launchType ?? (provider === undefined || provider.startsWith('FARGATE') ? 'FARGATE' : 'EC2'),
        ...(provider !== undefined ? { capacityProviderName: provider } : {}),
        tags,
      }),
    );
    return { tasks: tasks.map((t) => this.describe(t, true)), failures: [] };
  }

  private listTasks(input: Obj): Obj {
    const cluster = this.world.cluster(str(input, 'cluster'));
    const serviceName = str(input, 'serviceName');
    if (serviceName !== undefined) this.world.service(cluster, serviceName);
    const family = str(input, 'family');
    const startedBy = str(input, 'startedBy');
    const desired = str(input, 'desiredStatus') ?? 'RUNNING';
    const arns = [...this.world.tasks.values()]
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
}
