// Following a deployment (ours, or the rollback) to a verdict through the one polling loop: every poll is an
// observation, classified and combined into a verdict; events, progress, lifecycle stages and paused hooks are
// printed as they change; "done" is believed only once the revision's tasks are healthy targets.
import type { Deployment, ServiceEvent } from '@aws-sdk/client-ecs';
import { awsErrorName, errorMessage } from '@deploy-actions/core';
import { sawUnableToStart, classify } from './classify';
import type { DeployDeps } from './deps';
import { observe, type FollowMemory, type ServiceRef } from './observe';
import { poll } from './poll';
import { CredentialsExpired } from './request';
import { stageIndex, TRAFFIC_ON_NEW } from './strategy';
import { checkTargets, type TargetCheck } from './targets';
import {
  decide,
  findOurs,
  shortArn,
  type Expectation,
  type FailureCause,
  type Observation,
  type PausedHook,
  type Signal,
} from './verdict';

export type FollowEnd =
  | {
      readonly kind: 'done';
      readonly observation: Observation;
      readonly deployment: Deployment;
      readonly targets: TargetCheck;
    }
  | { readonly kind: 'reached'; readonly observation: Observation; readonly what: string }
  | {
      readonly kind: 'failed';
      readonly observation: Observation | undefined;
      readonly cause: FailureCause;
      readonly reason: string;
      readonly alarm?: string | undefined;
    }
  | {
      readonly kind: 'timeout';
      readonly observation: Observation | undefined;
      /** What was still missing at the deadline. */
      readonly reason: string;
      readonly paused: PausedHook | undefined;
      /** ECS was holding a healthy new revision for its bake time. */
      readonly baking: boolean;
      /** A request was still unanswered when the deadline passed. */
      readonly late: string | undefined;
    }
  | { readonly kind: 'credentials-expired'; readonly what: string };

export interface FollowOptions {
  readonly ref: ServiceRef;
  readonly deadline: number;
  readonly pollMs: number;
  /** 'rollout' or 'rollback', for messages. */
  readonly label: string;
}

function formatEvent(event: ServiceEvent): string {
  const at = event.createdAt ? event.createdAt.toISOString().slice(11, 19) : '--:--:--';
  return `event ${at} ${event.message ?? ''}`;
}

/** One compact progress line, e.g. `ecs-svc/1 PRIMARY IN_PROGRESS running 1/2 pending 1 failed 0 | ACTIVE ecs-svc/0 (web:7) running 2`. */
export function progressLine(obs: Observation, expect: Expectation): string {
  const service = obs.service;
  if (service === undefined) return 'the service was not returned';
  const ours = findOurs(service, expect);
  const head = ours
    ? `${ours.id ?? '?'} ${ours.status ?? ''} ${ours.rolloutState ?? ''} running ${ours.runningCount ?? 0}/${ours.desiredCount ?? 0} pending ${ours.pendingCount ?? 0} failed ${ours.failedTasks ?? 0}`
    : 'our deployment is not listed';
  const others = (service.deployments ?? [])
    .filter((d) => d !== ours)
    .map((d) => `${d.status ?? ''} ${d.id ?? '?'} (${shortArn(d.taskDefinition)}) running ${d.runningCount ?? 0}`);
  const sd = obs.serviceDeployment;
  const stage = sd?.lifecycleStage ? ` [${sd.status ?? ''} ${sd.lifecycleStage}]` : sd?.status ? ` [${sd.status}]` : '';
  return `${head.replace(/\s+/g, ' ')}${stage}${others.length ? ` | ${others.join('; ')}` : ''}`;
}

/** Printed once per paused hook: how to continue or roll back the deployment. */
export function pausedAdvice(paused: PausedHook, serviceDeploymentArn: string | undefined): string {
  const arn = serviceDeploymentArn ?? '<service deployment ARN>';
  const expires = paused.expiresAt
    ? `; ECS takes its timeout action (${paused.timeoutAction ?? 'ROLLBACK'}) at ${paused.expiresAt.toISOString()}`
    : '';
  return (
    `the deployment is paused at ${paused.stage ?? '?'} by lifecycle hook ${paused.hookId}${expires}. ` +
    `Continue: aws ecs continue-service-deployment --service-deployment-arn ${arn} --hook-id ${paused.hookId} --action CONTINUE; ` +
    `roll back: the same with --action ROLLBACK`
  );
}

/** Follows until a verdict, the deadline, or expired credentials. `expect` may learn our service deployment's ARN. */
export async function follow(
  deps: DeployDeps,
  options: FollowOptions,
  expect: Expectation,
  memory: FollowMemory,
): Promise<FollowEnd> {
  const { ref, deadline, label } = options;
  const signals: Signal[] = [];
  let last: Observation | undefined;
  let current = expect;
  let lastLine = '';
  let lastStage: string | undefined;
  let lastReason = 'no answer from ECS yet';
  let lastPaused: PausedHook | undefined;
  let baking = false;
  const announced = new Set<string>();
  try {
    const ended = await poll<FollowEnd>(deps, { deadline, intervalMs: options.pollMs }, async () => {
      const obs = await observe(deps, ref, current.serviceDeploymentArn, memory, deadline);
      last = obs;
      for (const event of obs.events) deps.log.info(deps.redact(formatEvent(event)));
      const sd = obs.serviceDeployment;
      if (sd?.lifecycleStage !== undefined && sd.lifecycleStage !== lastStage) {
        lastStage = sd.lifecycleStage;
        const weight = sd.targetServiceRevision?.requestedProductionTrafficWeight;
        deps.log.info(
          `${label}: stage ${lastStage}${weight !== undefined ? `, ${weight}% of production traffic on the new revision` : ''}`,
        );
      }
      const line = progressLine(obs, current);
      if (line !== lastLine) deps.log.info(`${label}: ${line}`);
      lastLine = line;
      const discovered = obs.service?.currentServiceDeployment;
      if (
        current.serviceDeploymentArn === undefined &&
        discovered !== undefined &&
        !current.before.serviceDeploymentArns.has(discovered)
      ) {
        current = { ...current, serviceDeploymentArn: discovered };
      }
      const signal = classify(obs, current, sawUnableToStart(memory.events));
      signals.push(signal);
      const verdict = decide(signals);
      switch (verdict.kind) {
        case 'failed':
          return {
            kind: 'failed',
            observation: obs,
            cause: verdict.cause,
            reason: verdict.reason,
            alarm: verdict.alarm,
          };
        case 'reached': {
          if (stageIndex(sd?.lifecycleStage) >= TRAFFIC_ON_NEW) {
            const targets = await checkTargets(
              deps,
              ref,
              obs.service ?? {},
              current.taskDefinitionArn,
              findOurs(obs.service ?? {}, current)?.desiredCount ?? 1,
              deadline,
            );
            if (!targets.ok) {
              lastReason = `${verdict.what}, targets not healthy: ${targets.detail}`;
              return undefined;
            }
          }
          return { kind: 'reached', observation: obs, what: verdict.what };
        }
        case 'done': {
          const targets = await checkTargets(
            deps,
            ref,
            obs.service ?? {},
            current.taskDefinitionArn,
            verdict.requiredHealthy,
            deadline,
          );
          if (targets.ok) {
            return { kind: 'done', observation: obs, deployment: verdict.deployment, targets };
          }
          const reason = `targets not healthy: ${targets.detail}`;
          if (reason !== lastReason) deps.log.info(`${label}: waiting for healthy targets: ${targets.detail}`);
          lastReason = reason;
          return undefined;
        }
        default: {
          lastReason = verdict.reason;
          const paused = verdict.kind === 'progress' || verdict.kind === 'waiting' ? verdict.paused : undefined;
          lastPaused = paused;
          baking = (verdict.kind === 'progress' || verdict.kind === 'waiting') && verdict.baking === true;
          if (paused !== undefined && !announced.has(paused.hookId)) {
            announced.add(paused.hookId);
            deps.log.warning(pausedAdvice(paused, current.serviceDeploymentArn));
          }
          return undefined;
        }
      }
    });
    if (ended.done) return ended.value;
    return { kind: 'timeout', observation: last, reason: lastReason, paused: lastPaused, baking, late: ended.late };
  } catch (error) {
    if (error instanceof CredentialsExpired) return { kind: 'credentials-expired', what: error.what };
    return {
      kind: 'failed',
      observation: last,
      cause: 'aws-error',
      reason: `following the ${label} failed: ${awsErrorName(error) ?? 'error'}: ${errorMessage(error)}`,
    };
  }
}
