// ECS's traffic-shifting strategies (BLUE_GREEN, LINEAR, CANARY): the service deployment walks its lifecycle
// stages (PRE_SCALE_UP, SCALE_UP, POST_SCALE_UP, TEST_TRAFFIC_SHIFT, POST_TEST_TRAFFIC_SHIFT, then for each
// production step PRE_PRODUCTION_TRAFFIC_SHIFT and PRODUCTION_TRAFFIC_SHIFT, then POST_PRODUCTION_TRAFFIC_SHIFT,
// BAKE_TIME, CLEAN_UP). The green tasks register in the target group that does not serve production (the
// alternate one the first time); the two swap roles once production traffic has moved. Lifecycle hooks run at
// their stages: a PAUSE hook waits for ContinueServiceDeployment or its timeout, a Lambda hook succeeds after a
// moment. Deployment alarms are watched from the first production shift until the end of the bake time.
import { hex } from '../context';
import { AwsError } from '../protocol';
import { TIMINGS } from '../scenarios';
import type { Deployments } from './deployments';
import type { Deployment, EcsWorld, HookDetail, Service, ServiceDeploymentRecord } from './model';
import { finish } from './records';
import type { Tasks } from './tasks';

type Stage =
  | 'PRE_SCALE_UP'
  | 'SCALE_UP'
  | 'POST_SCALE_UP'
  | 'TEST_TRAFFIC_SHIFT'
  | 'POST_TEST_TRAFFIC_SHIFT'
  | 'PRE_PRODUCTION_TRAFFIC_SHIFT'
  | 'PRODUCTION_TRAFFIC_SHIFT'
  | 'POST_PRODUCTION_TRAFFIC_SHIFT'
  | 'BAKE_TIME'
  | 'CLEAN_UP';

export class TrafficShift {
  /** Production step per deployment, and a token per transition so stale timers do nothing. */
  private readonly step = new Map<Deployment, number>();
  private readonly token = new Map<Deployment, number>();

  constructor(
    private readonly world: EcsWorld,
    private readonly tasks: Tasks,
    private readonly deployments: Deployments,
  ) {}

  begin(svc: Service, d: Deployment): void {
    this.step.set(d, 0);
    this.enter(svc, d, 'PRE_SCALE_UP');
  }

  private current(svc: Service, d: Deployment): boolean {
    return d.record.status === 'IN_PROGRESS' && svc.deployments[0] === d && d.record.current === d;
  }

  /** Runs `next` after `ms` unless the deployment moved on (or ended) meanwhile. */
  private later(svc: Service, d: Deployment, ms: number, next: () => void): void {
    const token = (this.token.get(d) ?? 0) + 1;
    this.token.set(d, token);
    this.world.after(ms, () => {
      if (this.token.get(d) === token && this.current(svc, d)) next();
    });
  }

  private enter(svc: Service, d: Deployment, stage: Stage): void {
    if (!this.current(svc, d)) return;
    const record = d.record;
    record.lifecycleStage = stage;
    record.updatedAt = this.world.now;
    const hooks = record.settings.hooks.filter((h) => h.stages.includes(stage));
    const details: HookDetail[] = hooks.map((hook) => ({
      hookId: `${hook.targetType === 'PAUSE' ? 'ecs-pause' : 'ecs-hook'}-${hex(16)}`,
      hook,
      stage,
      status: hook.targetType === 'PAUSE' ? 'AWAITING_ACTION' : 'IN_PROGRESS',
      expiresAt: this.world.now + hook.timeoutMinutes * 60_000,
    }));
    record.hooks.push(...details);
    for (const detail of details) {
      if (detail.hook.targetType === 'AWS_LAMBDA') {
        this.world.after(TIMINGS.lambdaHook, () => this.resolve(svc, d, detail, 'SUCCEEDED'));
      } else {
        this.world.event(
          svc,
          `(deployment ${d.id}) is paused at ${stage}: lifecycle hook ${detail.hookId} awaits action.`,
        );
        this.world.after(detail.hook.timeoutMinutes * 60_000, () => {
          if (detail.status === 'AWAITING_ACTION') this.resolve(svc, d, detail, 'TIMED_OUT');
        });
      }
    }
    if (details.length === 0) this.act(svc, d, stage);
  }

  private resolve(svc: Service, d: Deployment, detail: HookDetail, status: HookDetail['status']): void {
    if (!this.current(svc, d)) return;
    detail.status = status;
    const rollback = status === 'FAILED' || (status === 'TIMED_OUT' && detail.hook.timeoutAction === 'ROLLBACK');
    if (rollback) {
      this.deployments.rollBack(svc, d, { kind: 'hook', reason: `lifecycle hook ${detail.hookId} ${status}.` });
      return;
    }
    const waiting = d.record.hooks.some(
      (h) => h.stage === detail.stage && (h.status === 'AWAITING_ACTION' || h.status === 'IN_PROGRESS'),
    );
    if (!waiting && d.record.lifecycleStage === detail.stage) this.act(svc, d, detail.stage as Stage);
  }

  /** ContinueServiceDeployment on a paused hook. */
  continue(svc: Service, record: ServiceDeploymentRecord, hookId: string, action: string): void {
    const detail = record.hooks.find((h) => h.hookId === hookId);
    const d = record.current;
    if (detail === undefined) throw new AwsError('InvalidParameterException', `Lifecycle hook ${hookId} not found.`);
    if (d === undefined || record.status !== 'IN_PROGRESS' || detail.status !== 'AWAITING_ACTION') {
      throw new AwsError('ConflictException', `Lifecycle hook ${hookId} is not awaiting action.`);
    }
    if (action !== 'CONTINUE' && action !== 'ROLLBACK') {
      throw new AwsError('InvalidParameterException', 'action must be CONTINUE or ROLLBACK.');
    }
    this.resolve(svc, d, detail, action === 'CONTINUE' ? 'SUCCEEDED' : 'FAILED');
  }

  private act(svc: Service, d: Deployment, stage: Stage): void {
    const settings = d.record.settings;
    switch (stage) {
      case 'PRE_SCALE_UP':
        return this.later(svc, d, TIMINGS.stage, () => this.enter(svc, d, 'SCALE_UP'));
      case 'SCALE_UP':
        d.launching = true;
        this.deployments.reconcile(svc);
        return;
      case 'POST_SCALE_UP':
        return this.later(svc, d, TIMINGS.stage, () => this.enter(svc, d, 'TEST_TRAFFIC_SHIFT'));
      case 'TEST_TRAFFIC_SHIFT':
        d.record.testWeight = 100;
        return this.later(svc, d, TIMINGS.stage, () => this.enter(svc, d, 'POST_TEST_TRAFFIC_SHIFT'));
      case 'POST_TEST_TRAFFIC_SHIFT':
        return this.later(svc, d, TIMINGS.stage, () => this.enter(svc, d, 'PRE_PRODUCTION_TRAFFIC_SHIFT'));
      case 'PRE_PRODUCTION_TRAFFIC_SHIFT':
        return this.later(svc, d, TIMINGS.stage, () => this.enter(svc, d, 'PRODUCTION_TRAFFIC_SHIFT'));
      case 'PRODUCTION_TRAFFIC_SHIFT':
        return this.shiftProduction(svc, d);
      case 'POST_PRODUCTION_TRAFFIC_SHIFT':
        return this.later(svc, d, TIMINGS.stage, () => this.enter(svc, d, 'BAKE_TIME'));
      case 'BAKE_TIME':
        return this.later(svc, d, settings.bakeMinutes * 60_000, () => this.enter(svc, d, 'CLEAN_UP'));
      case 'CLEAN_UP':
        if (!this.deployments.stopOthers(svc, d)) this.deployments.complete(svc, d);
        return;
    }
  }

  private shiftProduction(svc: Service, d: Deployment): void {
    const settings = d.record.settings;
    const index = this.step.get(d) ?? 0;
    const weight = settings.steps[index] ?? 100;
    const first = index === 0;
    d.record.productionWeight = weight;
    this.step.set(d, index + 1);
    if (first && d.scenario === 'alarm') {
      this.world.after(TIMINGS.alarmAfter, () => {
        if (this.current(svc, d)) this.deployments.alarm(svc, d);
      });
    }
    if (weight < 100) {
      const bake = settings.stepBakeMinutes * 60_000;
      this.later(svc, d, bake, () => this.enter(svc, d, 'PRE_PRODUCTION_TRAFFIC_SHIFT'));
      return;
    }
    for (const lb of svc.loadBalancers) {
      if (lb.alternateTargetGroupArn !== undefined) lb.production = lb.production === 'main' ? 'alternate' : 'main';
    }
    this.later(svc, d, TIMINGS.stage, () => this.enter(svc, d, 'POST_PRODUCTION_TRAFFIC_SHIFT'));
  }

  /** Called on every change while the deployment walks its stages: SCALE_UP ends when all green tasks are ready. */
  changed(svc: Service, d: Deployment): void {
    if (d.record.lifecycleStage === 'SCALE_UP' && this.current(svc, d)) {
      if (this.world.ready(d).length >= d.desired) this.later(svc, d, 0, () => this.enter(svc, d, 'POST_SCALE_UP'));
      return;
    }
    if (d.record.lifecycleStage === 'CLEAN_UP' && this.current(svc, d) && !this.deployments.stopOthers(svc, d)) {
      this.deployments.complete(svc, d);
    }
  }

  /** Traffic goes back to the blue side, the green tasks stop, the blue deployment is PRIMARY again. */
  rollBack(svc: Service, d: Deployment, blue: Deployment): void {
    const record = d.record;
    if (record.productionWeight >= 100) {
      for (const lb of svc.loadBalancers) {
        if (lb.alternateTargetGroupArn !== undefined) lb.production = lb.production === 'main' ? 'alternate' : 'main';
      }
    }
    record.productionWeight = 0;
    record.testWeight = 0;
    this.token.set(d, (this.token.get(d) ?? 0) + 1);
    d.status = 'ACTIVE';
    blue.status = 'PRIMARY';
    svc.deployments = [blue, ...svc.deployments.filter((x) => x !== blue)];
    svc.taskDef = blue.taskDef;
    record.current = blue;
    const green = this.world.live(d);
    const done = (): void => {
      d.status = 'INACTIVE';
      svc.deployments = svc.deployments.filter((x) => x !== d);
      finish(this.world, record, 'ROLLBACK_SUCCESSFUL', record.statusReason);
      this.world.event(svc, `(deployment ${blue.id}) rollback completed.`);
      this.world.event(svc, 'has reached a steady state.');
    };
    if (green.length === 0) this.world.after(TIMINGS.stop, done);
    else this.tasks.stop(svc, green, `Scaling activity initiated by (deployment ${blue.id})`, done);
  }
}
