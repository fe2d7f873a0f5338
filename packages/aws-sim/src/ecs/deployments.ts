// Deployments and service deployments: starting one (a new PRIMARY), the rolling update (minimumHealthyPercent
// 100 / maximumPercent 200: start all new tasks, then drain and stop the old ones), early success criteria,
// deployment alarms with bake time, the circuit breaker and its rollback, the throttle event of a crash loop
// without one. Traffic-shifting strategies (blue/green,
// linear, canary) keep their own lifecycle in strategies.ts and come back here to complete or roll back.
import { digits } from '../context';
import { TIMINGS, resolveScenario } from '../scenarios';
import type { Deployment, EcsWorld, Service, Task, TaskDef } from './model';
import { finish, newRecord } from './records';
import { TrafficShift } from './strategies';
import type { TaskDefinitions } from './taskdefs';
import type { TaskListener, Tasks } from './tasks';

/** Why a deployment is being rolled back: the circuit breaker, an alarm, StopServiceDeployment, a hook. */
export interface RollbackCause {
  readonly kind: 'breaker' | 'alarm' | 'stop' | 'hook';
  readonly reason: string;
}

const ROLLBACK_STATUS: Record<RollbackCause['kind'], string> = {
  breaker: 'Service deployment rolled back because the circuit breaker threshold was exceeded.',
  alarm: 'Service deployment rolled back because a CloudWatch alarm went into ALARM.',
  stop: 'Service deployment rolled back by StopServiceDeployment.',
  hook: 'Service deployment rolled back by a lifecycle hook.',
};

export class Deployments implements TaskListener {
  readonly shift: TrafficShift;

  constructor(
    private readonly world: EcsWorld,
    private readonly tasks: Tasks,
    private readonly taskDefs: TaskDefinitions,
  ) {
    this.shift = new TrafficShift(world, tasks, this);
    tasks.listener = this;
  }

  private revision(svc: Service, td: TaskDef): string {
    for (const r of svc.revisions.values()) if (r.taskDef === td) return r.arn;
    const arn = this.world.arn('service-revision', `${svc.cluster.name}/${svc.name}/${digits()}`);
    svc.revisions.set(arn, { arn, taskDef: td, createdAt: this.world.now });
    return arn;
  }

  /** Where a new deployment's tasks register: the production side, or (green tasks) the side not serving it. */
  private targetGroups(svc: Service, green: boolean): { arn: string; port: number }[] {
    return svc.loadBalancers.map((lb) => {
      const flipped = lb.production === 'alternate';
      const production = flipped ? lb.alternateTargetGroupArn : lb.targetGroupArn;
      const other = flipped ? lb.targetGroupArn : lb.alternateTargetGroupArn;
      return { arn: (green ? other : production) ?? lb.targetGroupArn, port: lb.containerPort };
    });
  }

  /** A new PRIMARY deployment; `seeded` ones are settled by the caller at once, whatever the strategy. */
  start(svc: Service, td: TaskDef, rollbackOf?: Deployment, seeded = false): Deployment {
    const scenario = resolveScenario(this.world.rules, svc.name, this.taskDefs.images(td));
    const id = `ecs-svc/${digits()}`;
    for (const d of svc.deployments) {
      d.status = 'ACTIVE';
      d.launching = false;
      d.updatedAt = this.world.now;
      if (d.record.status === 'IN_PROGRESS' && d.record !== rollbackOf?.record) {
        d.record.status = 'STOPPED';
        d.record.statusReason = 'Service deployment stopped because a newer deployment was started.';
        d.record.finishedAt = d.record.stoppedAt = this.world.now;
      }
    }
    const revisionArn = this.revision(svc, td);
    const breakerOn = svc.settings.breaker.enable || scenario === 'rollback';
    const record = rollbackOf?.record ?? newRecord(this.world, svc, td, revisionArn, breakerOn);
    const traffic = svc.settings.strategy !== 'ROLLING' && rollbackOf === undefined && !seeded;
    const deployment: Deployment = {
      id,
      status: 'PRIMARY',
      taskDef: td,
      desired: svc.desired,
      failedTasks: 0,
      createdAt: this.world.now,
      updatedAt: this.world.now,
      rolloutState: 'IN_PROGRESS',
      rolloutStateReason:
        rollbackOf !== undefined && svc.lastCompleted !== undefined
          ? `ECS deployment circuit breaker: rolling back to deploymentId ${svc.lastCompleted.id}.`
          : `ECS deployment ${id} in progress.`,
      scenario,
      // A traffic shift launches its tasks in its SCALE_UP stage.
      launching: !traffic,
      launchScheduled: false,
      launched: 0,
      rollbackOf,
      revisionArn,
      record,
      targetGroups: this.targetGroups(svc, traffic),
      throttled: false,
      baking: false,
      volumeConfigurations: svc.volumeConfigurations,
    };
    record.current = deployment;
    if (rollbackOf === undefined) svc.records.unshift(record);
    svc.deployments.unshift(deployment);
    svc.taskDef = td;
    if (traffic) this.shift.begin(svc, deployment);
    this.reconcile(svc);
    return deployment;
  }

  /** Seeding: the deployment is already done, its tasks running and healthy. */
  settle(svc: Service, d: Deployment): void {
    d.launching = true;
    for (let i = 0; i < d.desired; i++)
      this.tasks.settle(this.tasks.launch(svc.cluster, d.taskDef, { svc, deployment: d }));
    this.complete(svc, d);
  }

  changed(svc: Service): void {
    this.reconcile(svc);
  }

  /** Drives a service towards its primary deployment's goal; called after every change. */
  reconcile(svc: Service): void {
    const primary = svc.deployments[0];
    if (!primary || svc.status !== 'ACTIVE') return;
    this.launchMissing(svc, primary);
    const extra = this.world.live(primary).length - primary.desired;
    if (extra > 0) {
      const victims = this.world.live(primary).slice(-extra);
      this.tasks.stop(svc, victims, `Scaling activity initiated by (deployment ${primary.id})`);
    }
    if (primary.record.lifecycleStage !== undefined && primary.rollbackOf === undefined) {
      this.shift.changed(svc, primary);
      return;
    }
    if (primary.rolloutState === 'IN_PROGRESS') this.rolling(svc, primary);
    else if (primary.record.status === 'SUCCESSFUL') this.stopOthers(svc, primary);
  }

  private launchMissing(svc: Service, primary: Deployment): void {
    if (!primary.launching || primary.launchScheduled || this.world.live(primary).length >= primary.desired) return;
    primary.launchScheduled = true;
    this.world.after(TIMINGS.launchDelay, () => {
      primary.launchScheduled = false;
      if (!primary.launching || svc.deployments[0] !== primary) return;
      const missing = primary.desired - this.world.live(primary).length;
      if (missing <= 0) return;
      const started = Array.from({ length: missing }, () =>
        this.tasks.launch(svc.cluster, primary.taskDef, { svc, deployment: primary }),
      );
      this.world.event(svc, `has started ${started.length} tasks: ${started.map((t) => `(task ${t.id})`).join(' ')}.`);
    });
  }

  /** Stops every task of the older deployments; true while any of them still runs or stops. */
  stopOthers(svc: Service, primary: Deployment): boolean {
    const others = svc.deployments.filter((d) => d !== primary);
    const live = others.flatMap((d) => this.world.live(d));
    if (live.length > 0) {
      this.tasks.stop(svc, live, `Scaling activity initiated by (deployment ${primary.id})`);
      return true;
    }
    const stopping = [...this.world.tasks.values()].some(
      (t) => t.service === svc && t.deployment !== primary && t.lastStatus !== 'STOPPED',
    );
    if (!stopping && others.length > 0) {
      for (const d of others) d.status = 'INACTIVE';
      svc.deployments = [primary];
    }
    return stopping;
  }

  private rolling(svc: Service, primary: Deployment): void {
    const ready = this.world.ready(primary).length;
    const early = svc.settings.earlySuccess;
    if (early !== undefined && primary.rollbackOf === undefined && primary.record.status === 'IN_PROGRESS') {
      const needed = Math.ceil((early.healthyPercent / 100) * primary.desired);
      if (ready >= needed) {
        // DEFERRED: success first, the old tasks go in the background; BLOCKING: once they are gone.
        if (early.cleanup === 'DEFERRED' || !this.stopOthers(svc, primary)) this.complete(svc, primary);
        return;
      }
    }
    if (ready < primary.desired) return;
    if (this.stopOthers(svc, primary)) return;
    this.bakeThenComplete(svc, primary);
  }

  /** With deployment alarms, ECS watches them for the bake time before completing; the `alarm` scenario fires. */
  private bakeThenComplete(svc: Service, d: Deployment): void {
    const alarms = svc.settings.alarms;
    if (!alarms?.enable || d.rollbackOf !== undefined) {
      this.complete(svc, d);
      return;
    }
    if (d.baking) return;
    d.baking = true;
    const bake = svc.settings.bakeMinutes * 60_000;
    if (d.scenario === 'alarm' && TIMINGS.alarmAfter <= bake) {
      this.world.after(TIMINGS.alarmAfter, () => this.alarm(svc, d));
    }
    this.world.after(bake, () => {
      if (d.record.status === 'IN_PROGRESS' && svc.deployments[0] === d) this.complete(svc, d);
    });
  }

  /** The `alarm` scenario: the first configured alarm goes into ALARM while ECS watches the deployment. */
  alarm(svc: Service, d: Deployment): void {
    const alarms = svc.settings.alarms;
    if (!alarms?.enable || d.record.status !== 'IN_PROGRESS' || svc.deployments[0] !== d) return;
    const name = alarms.names[0] ?? 'alarm';
    d.record.alarmsStatus = 'TRIGGERED';
    d.record.triggeredAlarms = [name];
    this.world.event(svc, `(deployment ${d.id}) deployment failed: alarm detected.`);
    if (alarms.rollback) {
      this.rollBack(svc, d, { kind: 'alarm', reason: `CloudWatch alarm ${name} went into ALARM.` });
      return;
    }
    d.rolloutState = 'FAILED';
    d.rolloutStateReason = `ECS deployment alarms: ${name} in ALARM.`;
    d.launching = false;
    finish(this.world, d.record, 'STOPPED', `CloudWatch alarm ${name} went into ALARM.`);
  }

  complete(svc: Service, d: Deployment): void {
    d.rolloutState = 'COMPLETED';
    d.rolloutStateReason = `ECS deployment ${d.id} completed.`;
    d.updatedAt = this.world.now;
    svc.lastCompleted = d;
    const record = d.record;
    if (record.current === d) {
      finish(this.world, record, record.rollback !== undefined ? 'ROLLBACK_SUCCESSFUL' : 'SUCCESSFUL', undefined);
      if (record.breakerStatus === 'MONITORING') record.breakerStatus = 'MONITORING_COMPLETE';
      if (record.alarmsStatus === 'MONITORING') record.alarmsStatus = 'MONITORING_COMPLETE';
    }
    if (svc.deployments.length > 1) this.stopOthers(svc, d);
    this.world.event(svc, `(deployment ${d.id}) deployment completed.`);
    if (this.world.live(d).length >= d.desired) this.world.event(svc, 'has reached a steady state.');
  }

  failed(task: Task): void {
    const d = task.deployment;
    const svc = task.service;
    if (!d || !svc) return;
    d.failedTasks++;
    d.updatedAt = this.world.now;
    if (d.record.current === d) d.record.failureCount = d.failedTasks;
    const breaker = svc.settings.breaker.enable || d.scenario === 'rollback';
    const over = d.failedTasks >= this.world.threshold(d.desired);
    if (d.rolloutState === 'IN_PROGRESS' && d.launching && breaker && over) {
      this.tripBreaker(svc, d);
      return;
    }
    if (!breaker && over && !d.throttled) {
      // ECS's service throttle logic: it keeps retrying, more slowly, and says so once.
      d.throttled = true;
      this.world.event(svc, 'is unable to consistently start tasks successfully.');
    }
    this.reconcile(svc);
  }

  private tripBreaker(svc: Service, d: Deployment): void {
    d.rolloutState = 'FAILED';
    d.rolloutStateReason = 'ECS deployment circuit breaker: tasks failed to start.';
    d.launching = false;
    d.updatedAt = this.world.now;
    d.record.breakerStatus = 'TRIGGERED';
    this.world.event(svc, `(deployment ${d.id}) deployment failed: tasks failed to start.`);
    // A rollback deployment that fails is not rolled back again: ECS gives up (ROLLBACK_FAILED).
    if (d.rollbackOf !== undefined) {
      finish(
        this.world,
        d.record,
        'ROLLBACK_FAILED',
        'ECS deployment circuit breaker: the rollback deployment failed too.',
      );
      return;
    }
    const rollback = svc.settings.breaker.rollback || d.scenario === 'rollback';
    if (rollback && svc.lastCompleted !== undefined && svc.deployments[0] === d) {
      this.rollBack(svc, d, { kind: 'breaker', reason: 'ECS deployment circuit breaker: tasks failed to start.' });
    } else {
      finish(this.world, d.record, 'STOPPED', 'ECS deployment circuit breaker: tasks failed to start.');
    }
  }

  /** Puts the service back on the last completed deployment: a traffic shift back, or a rolling redeploy. */
  rollBack(svc: Service, d: Deployment, cause: RollbackCause): void {
    const previous = svc.lastCompleted;
    if (previous === undefined) return;
    const record = d.record;
    record.status = 'ROLLBACK_IN_PROGRESS';
    record.statusReason = ROLLBACK_STATUS[cause.kind];
    record.updatedAt = this.world.now;
    record.rollback = { reason: cause.reason, startedAt: this.world.now, serviceRevisionArn: previous.revisionArn };
    d.launching = false;
    if (d.rolloutState === 'IN_PROGRESS') {
      d.rolloutState = 'FAILED';
      d.rolloutStateReason = cause.reason;
    }
    this.world.event(svc, `rolling back to deployment ${previous.id}.`);
    if (record.lifecycleStage !== undefined) this.shift.rollBack(svc, d, previous);
    else this.start(svc, previous.taskDef, d);
  }
}
