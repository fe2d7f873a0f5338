// Service deployments (the ECS service-deployments API): the record of one deployment as ListServiceDeployments
// and DescribeServiceDeployments show it (status, lifecycle stage, hooks, circuit breaker, alarms, rollback,
// traffic weights), and the calls that act on one: StopServiceDeployment and ContinueServiceDeployment.
import { hex, paginate } from '../context';
import { AwsError, type Obj, epochSeconds, num, reqStr, str, strList } from '../protocol';
import { TIMINGS } from '../scenarios';
import type { Deployments } from './deployments';
import type { EcsWorld, Service, ServiceDeploymentRecord, TaskDef } from './model';

export function newRecord(
  world: EcsWorld,
  svc: Service,
  td: TaskDef,
  revisionArn: string,
  breakerOn: boolean,
): ServiceDeploymentRecord {
  const alarms = svc.settings.alarms;
  return {
    arn: world.arn('service-deployment', `${svc.cluster.name}/${svc.name}/${hex(11)}`),
    createdAt: world.now,
    targetRevisionArn: revisionArn,
    sourceRevisionArns: [...new Set(svc.deployments.filter((d) => d.taskDef !== td).map((d) => d.revisionArn))],
    status: 'IN_PROGRESS',
    statusReason: undefined,
    finishedAt: undefined,
    stoppedAt: undefined,
    updatedAt: world.now,
    breakerStatus: breakerOn ? 'MONITORING' : 'DISABLED',
    alarmsStatus: alarms?.enable ? 'MONITORING' : 'DISABLED',
    triggeredAlarms: [],
    failureCount: 0,
    threshold: world.threshold(svc.desired),
    rollback: undefined,
    current: undefined,
    settings: svc.settings,
    lifecycleStage: undefined,
    hooks: [],
    productionWeight: 0,
    testWeight: 0,
  };
}

export function finish(
  world: EcsWorld,
  record: ServiceDeploymentRecord,
  status: string,
  reason: string | undefined,
): void {
  record.status = status;
  record.statusReason = reason;
  record.finishedAt = world.now;
  record.updatedAt = world.now;
  if (status === 'STOPPED') record.stoppedAt = world.now;
}

export class ServiceDeploymentApi {
  constructor(
    private readonly world: EcsWorld,
    private readonly deployments: Deployments,
  ) {}

  private stopDeployment(input: Obj): Obj {
    const arn = reqStr(input, 'serviceDeploymentArn');
    const hit = this.findRecord(arn);
    const stopType = str(input, 'stopType') ?? 'ROLLBACK';
    const { svc, record } = hit;
    const d = record.current;
    if (['STOP_REQUESTED', 'ROLLBACK_REQUESTED', 'ROLLBACK_IN_PROGRESS'].includes(record.status)) {
      return { serviceDeploymentArn: arn };
    }
    if (!['PENDING', 'IN_PROGRESS'].includes(record.status) || d === undefined) {
      throw new AwsError('ConflictException', `The service deployment is ${record.status} and cannot be stopped.`);
    }
    if (stopType === 'ABORT') {
      record.status = 'STOP_REQUESTED';
      d.launching = false;
      this.world.after(TIMINGS.stopRequested, () =>
        finish(this.world, record, 'STOPPED', 'Stopped by StopServiceDeployment.'),
      );
      return { serviceDeploymentArn: arn };
    }
    if (svc.lastCompleted === undefined || svc.lastCompleted === d) {
      throw new AwsError('ConflictException', 'There is no previous service revision to roll back to.');
    }
    record.status = 'ROLLBACK_REQUESTED';
    record.updatedAt = this.world.now;
    d.launching = false;
    this.world.after(TIMINGS.stopRequested, () => {
      if (record.status === 'ROLLBACK_REQUESTED')
        this.deployments.rollBack(svc, d, { kind: 'stop', reason: 'StopServiceDeployment (ROLLBACK).' });
    });
    return { serviceDeploymentArn: arn };
  }

  findRecord(arn: string): { svc: Service; record: ServiceDeploymentRecord } {
    for (const svc of this.world.services) {
      const record = svc.records.find((r) => r.arn === arn);
      if (record) return { svc, record };
    }
    throw new AwsError('ServiceDeploymentNotFoundException', `The service deployment ${arn} does not exist.`);
  }

  private describeRecord(svc: Service, r: ServiceDeploymentRecord): Obj {
    const counts = (arn: string, target: boolean): Obj => {
      const tasks = [...this.world.tasks.values()].filter(
        (t) => t.service === svc && t.deployment?.revisionArn === arn && t.desiredStatus === 'RUNNING',
      );
      const traffic = r.lifecycleStage !== undefined;
      return {
        arn,
        requestedTaskCount:
          arn === (r.current?.revisionArn ?? r.targetRevisionArn) ? (r.current?.desired ?? 0) : tasks.length,
        runningTaskCount: tasks.filter((t) => t.lastStatus === 'RUNNING').length,
        pendingTaskCount: tasks.filter((t) => t.lastStatus !== 'RUNNING').length,
        ...(traffic
          ? {
              requestedProductionTrafficWeight: target ? r.productionWeight : 100 - r.productionWeight,
              requestedTestTrafficWeight: target ? r.testWeight : 100 - r.testWeight,
            }
          : {}),
      };
    };
    const at = (ms: number | undefined): number | undefined => (ms !== undefined ? epochSeconds(ms) : undefined);
    const alarms = r.settings.alarms;
    return {
      serviceDeploymentArn: r.arn,
      serviceArn: svc.arn,
      clusterArn: svc.cluster.arn,
      createdAt: epochSeconds(r.createdAt),
      startedAt: epochSeconds(r.createdAt),
      finishedAt: at(r.finishedAt),
      stoppedAt: at(r.stoppedAt),
      updatedAt: epochSeconds(r.updatedAt),
      sourceServiceRevisions: r.sourceRevisionArns.map((arn) => counts(arn, false)),
      targetServiceRevision: counts(r.targetRevisionArn, true),
      status: r.status,
      statusReason: r.statusReason,
      lifecycleStage: r.lifecycleStage,
      lifecycleHookDetails: r.hooks.map((h) => ({
        hookId: h.hookId,
        targetType: h.hook.targetType,
        targetArn: h.hook.targetArn,
        status: h.status,
        expiresAt: epochSeconds(h.expiresAt),
        timeoutAction: h.hook.timeoutAction,
      })),
      deploymentConfiguration: r.settings.raw,
      deploymentCircuitBreaker: { status: r.breakerStatus, failureCount: r.failureCount, threshold: r.threshold },
      alarms: {
        status: r.alarmsStatus,
        alarmNames: alarms?.names ?? [],
        triggeredAlarmNames: r.triggeredAlarms,
      },
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

  handle(op: string, input: Obj): Obj | undefined {
    switch (op) {
      case 'ListServiceDeployments': {
        const svc = this.world.service(this.world.cluster(str(input, 'cluster')), reqStr(input, 'service'));
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
        const found: Obj[] = [];
        const failures: Obj[] = [];
        for (const arn of strList(input, 'serviceDeploymentArns')) {
          const svc = this.world.services.find((s) => s.records.some((r) => r.arn === arn));
          const record = svc?.records.find((r) => r.arn === arn);
          if (svc && record) found.push(this.describeRecord(svc, record));
          else failures.push({ arn, reason: 'MISSING' });
        }
        return { serviceDeployments: found, failures };
      }
      case 'StopServiceDeployment':
        return this.stopDeployment(input);
      case 'ContinueServiceDeployment': {
        const { svc, record } = this.findRecord(reqStr(input, 'serviceDeploymentArn'));
        this.deployments.shift.continue(svc, record, reqStr(input, 'hookId'), str(input, 'action') ?? 'CONTINUE');
        return { serviceDeploymentArn: record.arn };
      }
      default:
        return undefined;
    }
  }
}
