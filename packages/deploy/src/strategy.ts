// What kind of deployment ECS will run for a service (rolling, or a traffic shift: blue/green, linear, canary),
// with what it waits for (bake time, pause hooks, alarms), and the `wait-until` target of the step.
import type { DeploymentConfiguration, Service } from '@aws-sdk/client-ecs';

export type StrategyName = 'ROLLING' | 'BLUE_GREEN' | 'LINEAR' | 'CANARY';

/** The lifecycle stages of a traffic-shifting service deployment, in the order ECS walks them. */
export const LIFECYCLE_STAGES = [
  'RECONCILE_SERVICE',
  'PRE_SCALE_UP',
  'SCALE_UP',
  'POST_SCALE_UP',
  'TEST_TRAFFIC_SHIFT',
  'POST_TEST_TRAFFIC_SHIFT',
  'PRE_PRODUCTION_TRAFFIC_SHIFT',
  'PRODUCTION_TRAFFIC_SHIFT',
  'POST_PRODUCTION_TRAFFIC_SHIFT',
  'BAKE_TIME',
  'CLEAN_UP',
] as const;
export type LifecycleStage = (typeof LIFECYCLE_STAGES)[number];

export function stageIndex(stage: string | undefined): number {
  return (LIFECYCLE_STAGES as readonly string[]).indexOf(stage ?? '');
}

/** From BAKE_TIME on, production traffic is on the new revision. */
export const TRAFFIC_ON_NEW = stageIndex('BAKE_TIME');

/** Where the step stops waiting: the deployment's end, a lifecycle stage, or a pause hook awaiting action. */
export type WaitUntil =
  | { readonly kind: 'completed' }
  | { readonly kind: 'paused' }
  | { readonly kind: 'stage'; readonly stage: LifecycleStage };

export const WAIT_UNTIL_VALUES = ['completed', 'paused', ...LIFECYCLE_STAGES] as const;

export function parseWaitUntil(text: string | undefined): WaitUntil | undefined {
  const value = (text ?? 'completed').trim();
  if (value === 'completed') return { kind: 'completed' };
  if (value === 'paused') return { kind: 'paused' };
  const stage = LIFECYCLE_STAGES.find((s) => s === value.toUpperCase());
  return stage === undefined ? undefined : { kind: 'stage', stage };
}

export interface Strategy {
  /** ECS, CODE_DEPLOY or EXTERNAL. */
  readonly controller: string;
  readonly name: StrategyName;
  /** Blue/green, linear and canary shift traffic between two target groups through lifecycle stages. */
  readonly trafficShift: boolean;
  readonly bakeMinutes: number;
  /** Minutes the production traffic steps wait in total (linear and canary step bake times). */
  readonly stepBakeMinutes: number;
  readonly pauseStages: readonly string[];
  readonly breaker: { readonly enable: boolean; readonly rollback: boolean };
  readonly alarms: { readonly names: readonly string[]; readonly rollback: boolean } | undefined;
  readonly earlySuccess: { readonly healthyPercent: number; readonly cleanup: string } | undefined;
}

function stepBake(cfg: DeploymentConfiguration | undefined, name: StrategyName): number {
  if (name === 'CANARY') return cfg?.canaryConfiguration?.canaryBakeTimeInMinutes ?? 10;
  if (name !== 'LINEAR') return 0;
  const step = cfg?.linearConfiguration?.stepPercent ?? 10;
  const steps = Math.max(0, Math.ceil(100 / step) - 1);
  return steps * (cfg?.linearConfiguration?.stepBakeTimeInMinutes ?? 6);
}

export function describeStrategy(service: Service): Strategy {
  const cfg = service.deploymentConfiguration;
  const name: StrategyName = cfg?.strategy ?? 'ROLLING';
  const alarms = cfg?.alarms;
  const early = cfg?.earlySuccessCriteria;
  return {
    controller: service.deploymentController?.type ?? 'ECS',
    name,
    trafficShift: name !== 'ROLLING',
    bakeMinutes: cfg?.bakeTimeInMinutes ?? 0,
    stepBakeMinutes: stepBake(cfg, name),
    pauseStages: (cfg?.lifecycleHooks ?? [])
      .filter((h) => h.targetType === 'PAUSE')
      .flatMap((h) => h.lifecycleStages ?? []),
    breaker: {
      enable: cfg?.deploymentCircuitBreaker?.enable ?? false,
      rollback: cfg?.deploymentCircuitBreaker?.rollback ?? false,
    },
    alarms: alarms?.enable ? { names: alarms.alarmNames ?? [], rollback: alarms.rollback ?? false } : undefined,
    earlySuccess:
      early?.enable === true
        ? { healthyPercent: early.healthyPercent ?? 100, cleanup: early.sourceServiceRevisionCleanup ?? 'BLOCKING' }
        : undefined,
  };
}

/** One line for the log: `BLUE_GREEN, bake 60 min, pause at POST_TEST_TRAFFIC_SHIFT, alarms api-5xx (rollback)`. */
export function strategyLine(s: Strategy): string {
  const parts: string[] = [s.name];
  if (s.trafficShift || s.bakeMinutes > 0) parts.push(`bake ${s.bakeMinutes} min`);
  if (s.stepBakeMinutes > 0) parts.push(`${s.stepBakeMinutes} min between traffic steps`);
  if (s.pauseStages.length) parts.push(`pause at ${s.pauseStages.join(', ')}`);
  parts.push(s.breaker.enable ? `circuit breaker${s.breaker.rollback ? ' (rollback)' : ''}` : 'no circuit breaker');
  if (s.alarms) parts.push(`alarms ${s.alarms.names.join(', ')}${s.alarms.rollback ? ' (rollback)' : ''}`);
  if (s.earlySuccess) parts.push(`early success at ${s.earlySuccess.healthyPercent}% (${s.earlySuccess.cleanup})`);
  return parts.join(', ');
}

/** Why `wait-until` cannot work for this service, or undefined. */
export function waitUntilProblem(waitUntil: WaitUntil, s: Strategy): string | undefined {
  if (waitUntil.kind === 'completed') return undefined;
  if (!s.trafficShift) {
    return `a ${s.name} deployment has no lifecycle stages or pause hooks; use wait-until: completed, or switch the service to BLUE_GREEN, LINEAR or CANARY`;
  }
  if (waitUntil.kind === 'paused' && s.pauseStages.length === 0) {
    return 'the service has no PAUSE lifecycle hook, so its deployment never pauses; use a stage or completed';
  }
  return undefined;
}

/** Warnings before the update: waits that are certain to outlast `wait-for-minutes`. */
export function strategyWarnings(s: Strategy, waitMinutes: number, waitUntil: WaitUntil): string[] {
  const out: string[] = [];
  const planned = s.bakeMinutes + s.stepBakeMinutes;
  const untilEnd = waitUntil.kind === 'completed';
  if (untilEnd && planned > waitMinutes) {
    out.push(
      `the ${s.name} deployment bakes ${planned} min, longer than wait-for-minutes (${waitMinutes}): the step will end while ECS still bakes (not rolled back); set wait-until: BAKE_TIME to end once traffic has moved, or raise wait-for-minutes`,
    );
  }
  if (untilEnd && s.pauseStages.length > 0) {
    out.push(
      `the service pauses at ${s.pauseStages.join(', ')} until someone continues it (ContinueServiceDeployment); set wait-until: paused to end the step there`,
    );
  }
  return out;
}
