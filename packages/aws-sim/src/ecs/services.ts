// Clusters and services: create (optionally already settled, for seeding), update, delete, describe, list,
// and the deployment configuration a service carries (strategy, circuit breaker, alarms, bake time, lifecycle
// hooks, linear/canary steps, early success criteria) as ECS validates and echoes it.
import { paginate } from '../context';
import { AwsError, type Obj, bool, epochSeconds, num, obj, objList, reqStr, str, strList } from '../protocol';
import type { Deployments } from './deployments';
import type { Cluster, EcsWorld, Hook, LoadBalancer, Service, Settings, Strategy, Task } from './model';
import { checkVolumeConfigurations } from './taskdefs';
import type { Tasks } from './tasks';

const STRATEGIES: readonly Strategy[] = ['ROLLING', 'BLUE_GREEN', 'LINEAR', 'CANARY'];

/** Production traffic steps: one of 100 (blue/green), the canary percentage then 100, or equal linear steps. */
function steps(strategy: Strategy, cfg: Obj): { steps: number[]; stepBakeMinutes: number } {
  if (strategy === 'CANARY') {
    const canary = obj(cfg, 'canaryConfiguration') ?? {};
    return {
      steps: [num(canary, 'canaryPercent') ?? 5, 100],
      stepBakeMinutes: num(canary, 'canaryBakeTimeInMinutes') ?? 10,
    };
  }
  if (strategy === 'LINEAR') {
    const linear = obj(cfg, 'linearConfiguration') ?? {};
    const step = num(linear, 'stepPercent') ?? 10;
    const out: number[] = [];
    for (let w = step; w < 100; w += step) out.push(Math.round(w * 10) / 10);
    return { steps: [...out, 100], stepBakeMinutes: num(linear, 'stepBakeTimeInMinutes') ?? 6 };
  }
  return { steps: [100], stepBakeMinutes: 0 };
}

function hooks(cfg: Obj): Hook[] {
  return objList(cfg, 'lifecycleHooks').map((h) => {
    const timeout = obj(h, 'timeoutConfiguration') ?? {};
    const targetType = str(h, 'targetType') ?? 'AWS_LAMBDA';
    if (targetType !== 'AWS_LAMBDA' && targetType !== 'PAUSE') {
      throw new AwsError('InvalidParameterException', `Invalid lifecycle hook targetType ${targetType}.`);
    }
    const stages = strList(h, 'lifecycleStages');
    if (targetType === 'PAUSE' && stages.some((s) => s === 'TEST_TRAFFIC_SHIFT' || s === 'PRODUCTION_TRAFFIC_SHIFT')) {
      throw new AwsError('InvalidParameterException', 'PAUSE hooks cannot be configured at traffic shift stages.');
    }
    return {
      targetType,
      targetArn: str(h, 'hookTargetArn'),
      stages,
      timeoutMinutes: num(timeout, 'timeoutInMinutes') ?? 1440,
      timeoutAction: str(timeout, 'action') === 'CONTINUE' ? 'CONTINUE' : 'ROLLBACK',
    };
  });
}

/** Parses deploymentConfiguration over the current settings (fields not given keep their value). */
export function parseSettings(input: Obj, current: Settings | undefined): Settings {
  const given = obj(input, 'deploymentConfiguration') ?? {};
  const cfg: Obj = { ...(current?.raw ?? {}), ...given };
  const strategy = (str(cfg, 'strategy') ?? 'ROLLING') as Strategy;
  if (!STRATEGIES.includes(strategy)) {
    throw new AwsError('InvalidParameterException', `Invalid deployment strategy ${String(strategy)}.`);
  }
  const cb = obj(cfg, 'deploymentCircuitBreaker');
  const alarms = obj(cfg, 'alarms');
  const early = obj(cfg, 'earlySuccessCriteria');
  if (early !== undefined && bool(early, 'enable') === true && strategy !== 'ROLLING') {
    throw new AwsError(
      'InvalidParameterException',
      'Early success criteria can only be used with the ROLLING strategy.',
    );
  }
  const bakeMinutes = num(cfg, 'bakeTimeInMinutes');
  if (strategy === 'BLUE_GREEN' && bakeMinutes === undefined) {
    throw new AwsError('InvalidParameterException', 'bakeTimeInMinutes is required for the BLUE_GREEN strategy.');
  }
  return {
    raw: {
      ...cfg,
      strategy,
      deploymentCircuitBreaker: { enable: false, rollback: false, ...(cb ?? {}) },
      maximumPercent: num(cfg, 'maximumPercent') ?? 200,
      minimumHealthyPercent: num(cfg, 'minimumHealthyPercent') ?? 100,
    },
    strategy,
    breaker: {
      enable: cb ? (bool(cb, 'enable') ?? false) : false,
      rollback: cb ? (bool(cb, 'rollback') ?? false) : false,
    },
    maximumPercent: num(cfg, 'maximumPercent') ?? 200,
    minimumHealthyPercent: num(cfg, 'minimumHealthyPercent') ?? 100,
    bakeMinutes: bakeMinutes ?? 0,
    hooks: hooks(cfg),
    ...steps(strategy, cfg),
    alarms:
      alarms === undefined
        ? undefined
        : {
            names: strList(alarms, 'alarmNames'),
            enable: bool(alarms, 'enable') ?? false,
            rollback: bool(alarms, 'rollback') ?? false,
          },
    earlySuccess:
      early !== undefined && bool(early, 'enable') === true
        ? {
            healthyPercent: num(early, 'healthyPercent') ?? 100,
            cleanup: str(early, 'sourceServiceRevisionCleanup') === 'DEFERRED' ? 'DEFERRED' : 'BLOCKING',
          }
        : undefined,
  };
}

export class Services {
  constructor(
    private readonly world: EcsWorld,
    private readonly deployments: Deployments,
    private readonly tasks: Tasks,
  ) {}

  private loadBalancers(input: Obj): LoadBalancer[] {
    return objList(input, 'loadBalancers').map((lb) => {
      const targetGroupArn = reqStr(lb, 'targetGroupArn');
      const advanced = obj(lb, 'advancedConfiguration');
      const alternate = advanced ? str(advanced, 'alternateTargetGroupArn') : undefined;
      for (const arn of [targetGroupArn, ...(alternate !== undefined ? [alternate] : [])]) {
        if (!this.world.elb.groups.has(arn)) {
          throw new AwsError(
            'InvalidParameterException',
            `The target group with targetGroupArn ${arn} does not exist.`,
          );
        }
      }
      return {
        targetGroupArn,
        containerName: reqStr(lb, 'containerName'),
        containerPort: num(lb, 'containerPort') ?? 80,
        advanced,
        alternateTargetGroupArn: alternate,
        production: 'main',
      };
    });
  }

  create(input: Obj, settled = false): Obj {
    const cluster = this.world.cluster(str(input, 'cluster'));
    const name = reqStr(input, 'serviceName');
    if (this.world.findService(cluster, name)) {
      throw new AwsError('InvalidParameterException', 'Creation of service was not idempotent.');
    }
    const td = this.world.taskDef(reqStr(input, 'taskDefinition'));
    if (td.status !== 'ACTIVE') throw new AwsError('ClientException', 'TaskDefinition is inactive');
    const desired = num(input, 'desiredCount') ?? 0;
    if (desired < 0) throw new AwsError('InvalidParameterException', 'desiredCount must be a non-negative integer.');
    const controller = obj(input, 'deploymentController');
    const svc: Service = {
      arn: this.world.arn('service', `${cluster.name}/${name}`),
      name,
      cluster,
      taskDef: td,
      desired,
      status: 'ACTIVE',
      launchType: str(input, 'launchType') ?? 'FARGATE',
      controller: (controller && str(controller, 'type')) ?? 'ECS',
      networkConfiguration: obj(input, 'networkConfiguration'),
      loadBalancers: this.loadBalancers(input),
      settings: parseSettings(input, undefined),
      propagateTags: str(input, 'propagateTags') ?? 'NONE',
      enableECSManagedTags: bool(input, 'enableECSManagedTags') ?? false,
      volumeConfigurations: objList(input, 'volumeConfigurations'),
      createdAt: this.world.now,
      tags: objList(input, 'tags').map((t) => ({ key: reqStr(t, 'key'), value: str(t, 'value') ?? '' })),
      deployments: [],
      events: [],
      records: [],
      revisions: new Map(),
      lastCompleted: undefined,
    };
    this.world.services.push(svc);
    const d = this.deployments.start(svc, td, undefined, settled);
    if (settled) this.deployments.settle(svc, d);
    return { service: this.describe(svc) };
  }

  private update(input: Obj): Obj {
    const cluster = this.world.cluster(str(input, 'cluster'));
    const svc = this.world.service(cluster, reqStr(input, 'service'));
    if (svc.status !== 'ACTIVE') throw new AwsError('ServiceNotActiveException', 'Service was not ACTIVE.');
    const tdRef = str(input, 'taskDefinition');
    if (tdRef !== undefined && svc.controller === 'CODE_DEPLOY') {
      throw new AwsError(
        'InvalidParameterException',
        'Unable to update task definition on services with a CODE_DEPLOY deployment controller. Use AWS CodeDeploy to trigger a new deployment.',
      );
    }
    const td = tdRef !== undefined ? this.world.taskDef(tdRef) : svc.taskDef;
    if (td.status !== 'ACTIVE' && td !== svc.taskDef)
      throw new AwsError('ClientException', 'TaskDefinition is inactive');
    const desired = num(input, 'desiredCount');
    if (desired !== undefined && desired < 0) {
      throw new AwsError('InvalidParameterException', 'desiredCount must be a non-negative integer.');
    }
    if (obj(input, 'deploymentConfiguration') !== undefined) svc.settings = parseSettings(input, svc.settings);
    const network = obj(input, 'networkConfiguration');
    const networkChanged =
      network !== undefined && JSON.stringify(network) !== JSON.stringify(svc.networkConfiguration);
    if (network) svc.networkConfiguration = network;
    // Omitted: unchanged. Given and different: a new deployment, as ECS documents.
    const volumes = input['volumeConfigurations'] !== undefined ? objList(input, 'volumeConfigurations') : undefined;
    if (volumes !== undefined) checkVolumeConfigurations(td, volumes);
    const volumesChanged =
      volumes !== undefined && JSON.stringify(volumes) !== JSON.stringify(svc.volumeConfigurations);
    if (volumes !== undefined) svc.volumeConfigurations = volumes;
    const propagate = str(input, 'propagateTags');
    if (propagate !== undefined) svc.propagateTags = propagate;
    const managed = bool(input, 'enableECSManagedTags');
    if (managed !== undefined) svc.enableECSManagedTags = managed;
    if (desired !== undefined) svc.desired = desired;
    if (td !== svc.taskDef || bool(input, 'forceNewDeployment') === true || networkChanged || volumesChanged) {
      this.deployments.start(svc, td);
    } else if (desired !== undefined) {
      const primary = svc.deployments[0];
      if (primary) {
        primary.desired = desired;
        primary.launching = primary.rolloutState !== 'FAILED';
      }
      this.deployments.reconcile(svc);
    }
    return { service: this.describe(svc) };
  }

  describe(svc: Service): Obj {
    // runningCount counts tasks whose lastStatus is RUNNING (draining ones included), as ECS does.
    const mine = (d?: Service['deployments'][number]): Task[] =>
      [...this.world.tasks.values()].filter((t) => t.service === svc && (d === undefined || t.deployment === d));
    const running = (d?: Service['deployments'][number]): number =>
      mine(d).filter((t) => t.lastStatus === 'RUNNING').length;
    const pending = (d?: Service['deployments'][number]): number =>
      mine(d).filter(
        (t) => t.desiredStatus === 'RUNNING' && ['PROVISIONING', 'PENDING', 'ACTIVATING'].includes(t.lastStatus),
      ).length;
    return {
      serviceArn: svc.arn,
      serviceName: svc.name,
      clusterArn: svc.cluster.arn,
      loadBalancers: svc.loadBalancers.map((lb) => ({
        targetGroupArn: lb.targetGroupArn,
        containerName: lb.containerName,
        containerPort: lb.containerPort,
        ...(lb.advanced !== undefined ? { advancedConfiguration: lb.advanced } : {}),
      })),
      serviceRegistries: [],
      status: svc.status,
      desiredCount: svc.desired,
      runningCount: running(),
      pendingCount: pending(),
      launchType: svc.launchType,
      platformVersion: 'LATEST',
      platformFamily: 'Linux',
      taskDefinition: svc.taskDef.arn,
      deploymentConfiguration: svc.settings.raw,
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
        ...(d.volumeConfigurations.length ? { volumeConfigurations: d.volumeConfigurations } : {}),
      })),
      currentServiceDeployment: svc.records[0]?.arn,
      roleArn: `arn:aws:iam::${this.world.ctx.accountId}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS`,
      events: svc.events.map((e) => ({ id: e.id, createdAt: epochSeconds(e.createdAt), message: e.message })),
      createdAt: epochSeconds(svc.createdAt),
      placementConstraints: [],
      placementStrategy: [],
      networkConfiguration: svc.networkConfiguration,
      healthCheckGracePeriodSeconds: 0,
      schedulingStrategy: 'REPLICA',
      deploymentController: { type: svc.controller },
      createdBy: `arn:aws:iam::${this.world.ctx.accountId}:role/deploy`,
      enableECSManagedTags: svc.enableECSManagedTags,
      propagateTags: svc.propagateTags,
      enableExecuteCommand: false,
      availabilityZoneRebalancing: 'ENABLED',
    };
  }

  private describeCluster(c: Cluster): Obj {
    const tasks = [...this.world.tasks.values()].filter((t) => t.cluster === c && t.lastStatus !== 'STOPPED');
    return {
      clusterArn: c.arn,
      clusterName: c.name,
      status: 'ACTIVE',
      registeredContainerInstancesCount: 0,
      runningTasksCount: tasks.filter((t) => t.lastStatus === 'RUNNING').length,
      pendingTasksCount: tasks.filter((t) => t.lastStatus !== 'RUNNING').length,
      activeServicesCount: this.world.services.filter((s) => s.cluster === c && s.status === 'ACTIVE').length,
      statistics: [],
      tags: c.tags,
      settings: [{ name: 'containerInsights', value: 'disabled' }],
      capacityProviders: ['FARGATE', 'FARGATE_SPOT'],
      defaultCapacityProviderStrategy: [],
    };
  }

  private describeServices(input: Obj): Obj {
    const cluster = this.world.cluster(str(input, 'cluster'));
    const services: Obj[] = [];
    const failures: Obj[] = [];
    const refs = strList(input, 'services');
    if (refs.length === 0 || refs.length > 10) {
      throw new AwsError('InvalidParameterException', 'services can have at most 10 items and at least 1.');
    }
    const withTags = strList(input, 'include').includes('TAGS');
    for (const ref of refs) {
      const svc = this.world.findService(cluster, ref);
      if (svc) services.push({ ...this.describe(svc), ...(withTags ? { tags: svc.tags } : {}) });
      else {
        const arn = ref.startsWith('arn:') ? ref : this.world.arn('service', `${cluster.name}/${ref}`);
        failures.push({ arn, reason: 'MISSING' });
      }
    }
    return { services, failures };
  }

  handle(op: string, input: Obj): Obj | undefined {
    switch (op) {
      case 'CreateCluster': {
        const name = str(input, 'clusterName') ?? 'default';
        let c = this.world.clusters.get(name);
        if (!c) {
          const tags = objList(input, 'tags').map((t) => ({ key: reqStr(t, 'key'), value: str(t, 'value') ?? '' }));
          c = { arn: this.world.arn('cluster', name), name, createdAt: this.world.now, tags };
          this.world.clusters.set(name, c);
        }
        return { cluster: this.describeCluster(c) };
      }
      case 'DescribeClusters': {
        const refs = strList(input, 'clusters');
        const clusters: Obj[] = [];
        const failures: Obj[] = [];
        for (const ref of refs.length > 0 ? refs : ['default']) {
          const name = ref.replace(/^arn:aws:ecs:[^:]*:[^:]*:cluster\//, '');
          const c = this.world.clusters.get(name);
          if (c) clusters.push(this.describeCluster(c));
          else failures.push({ arn: this.world.arn('cluster', name), reason: 'MISSING' });
        }
        return { clusters, failures };
      }
      case 'ListClusters':
        return { clusterArns: [...this.world.clusters.values()].map((c) => c.arn) };
      case 'CreateService':
        return this.create(input);
      case 'UpdateService':
        return this.update(input);
      case 'DeleteService': {
        const svc = this.world.service(this.world.cluster(str(input, 'cluster')), reqStr(input, 'service'));
        if (svc.desired > 0 && bool(input, 'force') !== true) {
          throw new AwsError('InvalidParameterException', 'The service cannot be stopped while it is scaled above 0.');
        }
        const result = this.describe(svc);
        svc.status = 'INACTIVE';
        for (const t of this.world.tasks.values()) {
          if (t.service === svc) this.tasks.finishStop(t, 'Service deleted', 'ServiceSchedulerInitiated', 0);
        }
        return { service: { ...result, status: 'DRAINING' } };
      }
      case 'DescribeServices':
        return this.describeServices(input);
      case 'ListServices': {
        const cluster = this.world.cluster(str(input, 'cluster'));
        const arns = this.world.services
          .filter((s) => s.cluster === cluster && s.status === 'ACTIVE')
          .map((s) => s.arn);
        const { page, nextToken } = paginate(arns, num(input, 'maxResults'), str(input, 'nextToken'), 100);
        return { serviceArns: page, nextToken };
      }
      default:
        return undefined;
    }
  }
}
