import {
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  type NetworkConfiguration,
  type PropagateTags,
  type RegisterTaskDefinitionCommandInput,
  type Service,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import { awsErrorName, DeployActionsError, errorMessage, isCredentialsExpired } from '@deploy-actions/core';
import type { DeployDeps } from './deps';
import { RolloutFailed, RunTaskFailed } from './errors';
import { describeService, followRollout, FollowState, listServiceDeployments, type ServiceRef } from './follow';
import { familyOf, pruneRevisions } from './revisions';
import { findOurs, shortArn, type FailureCause } from './rollout';
import { runOneOffTask } from './run-task';
import { describeStoppedTask, serviceTasks } from './tasks';
import type { DeploymentReporter } from './github';

export type Outcome = 'succeeded' | 'rolled-back' | 'failed';

export interface RunTaskSpec {
  readonly command?: readonly string[] | undefined;
  readonly container?: string | undefined;
  readonly network?: NetworkConfiguration | undefined;
  readonly startedBy: string;
}

export interface DeployOptions {
  readonly cluster: string;
  readonly service: string;
  /** Cleaned and validated RegisterTaskDefinition input. */
  readonly taskDefinition: RegisterTaskDefinitionCommandInput;
  readonly wait: boolean;
  readonly waitMinutes: number;
  readonly pollSeconds: number;
  readonly forceNewDeployment: boolean;
  readonly desiredCount?: number | undefined;
  readonly propagateTags?: PropagateTags | undefined;
  readonly enableEcsManagedTags?: boolean | undefined;
  readonly rollback: boolean;
  readonly runTask?: RunTaskSpec | undefined;
  readonly keepRevisions?: number | undefined;
  /** Last log lines shown per failing container. */
  readonly logLines: number;
}

export interface DeployResult {
  readonly outcome: Outcome;
  /** One sentence saying what happened (the step's failure message when not succeeded). */
  readonly message: string;
  readonly cause?: FailureCause | 'run-task' | 'error' | undefined;
  readonly taskDefinitionArn?: string | undefined;
  readonly previousTaskDefinitionArn?: string | undefined;
  readonly deploymentId?: string | undefined;
  readonly runTaskArn?: string | undefined;
  readonly durationSeconds: number;
  readonly images: readonly { readonly container: string; readonly image: string }[];
  /** New service events seen while following (redacted), oldest first. */
  readonly events: readonly string[];
  /** The failure report: stopped tasks, exit codes, log lines (redacted). Empty after a success. */
  readonly report: readonly string[];
  /** The one-off task's exit codes and log lines (redacted), whatever the outcome. */
  readonly runTaskReport: readonly string[];
  readonly deregistered: readonly string[];
  /** False when wait-for-service-stability is off: the update was accepted, the rollout was not followed. */
  readonly waited: boolean;
}

/** The revision a service runs now: its PRIMARY deployment's, else the service's own. */
export function runningTaskDefinition(service: Service): string | undefined {
  return service.deployments?.find((d) => d.status === 'PRIMARY')?.taskDefinition ?? service.taskDefinition;
}

/** Why a failure report could not be gathered, or the report lines. */
async function failureReport(
  deps: DeployDeps,
  ref: ServiceRef,
  taskDefinition: TaskDefinition,
  deploymentId: string | undefined,
  logLines: number,
): Promise<string[]> {
  try {
    const stopped = (await serviceTasks(deps, ref.cluster, ref.service, 'STOPPED')).filter(
      (t) =>
        t.taskDefinitionArn === taskDefinition.taskDefinitionArn &&
        (deploymentId === undefined || t.startedBy === undefined || t.startedBy === deploymentId),
    );
    stopped.sort((a, b) => (b.stoppedAt?.getTime() ?? 0) - (a.stoppedAt?.getTime() ?? 0));
    if (stopped.length === 0) return ['no stopped task of the new revision (ECS may not have started any)'];
    const lines = [`${stopped.length} stopped task(s) of ${shortArn(taskDefinition.taskDefinitionArn)}:`];
    for (const task of stopped.slice(0, 3))
      lines.push(...(await describeStoppedTask(deps, task, taskDefinition, logLines)));
    if (stopped.length > 3) lines.push(`... and ${stopped.length - 3} more`);
    return lines;
  } catch (error) {
    return [`could not gather the stopped tasks: ${awsErrorName(error) ?? errorMessage(error)}`];
  }
}

const MATTERS = /fail|unhealthy|unable|error|roll|circuit|stopp|deregister|timed out|steady state|insufficient|denied/i;

/**
 * The whole deploy: remember what runs now, register, optionally run a one-off task, update the service, follow
 * the rollout to a truthful end, explain a failure, roll back to what ran before. Returns the result instead of
 * throwing for deploy failures, so the caller can always set outputs and write the summary first.
 */
export async function deployService(
  deps: DeployDeps,
  options: DeployOptions,
  reporter?: DeploymentReporter,
): Promise<DeployResult> {
  const started = deps.clock.now();
  const ref: ServiceRef = { cluster: options.cluster, service: options.service };
  const waitMs = options.waitMinutes * 60_000;
  const pollMs = options.pollSeconds * 1000;
  const state = new FollowState();
  const images = (options.taskDefinition.containerDefinitions ?? []).map((c) => ({
    container: c.name ?? '?',
    image: c.image ?? '?',
  }));
  let deploymentId: string | undefined;
  let runTaskArn: string | undefined;
  let report: string[] = [];
  let runTaskReport: string[] = [];
  let deregistered: string[] = [];
  // Called only after registration, when taskDefinitionArn and previous are set.
  const result = (outcome: Outcome, message: string, cause?: DeployResult['cause'], waited = true): DeployResult => ({
    outcome,
    message: deps.redact(message),
    cause,
    taskDefinitionArn,
    previousTaskDefinitionArn: previous,
    deploymentId,
    runTaskArn,
    durationSeconds: Math.round((deps.clock.now() - started) / 100) / 10,
    images,
    events: state.events.map((e) => deps.redact(`${e.createdAt?.toISOString() ?? ''} ${e.message ?? ''}`.trim())),
    report,
    runTaskReport,
    deregistered,
    waited,
  });

  // 1. What runs now: the rollback target. The service must exist before anything is registered.
  const before = await describeService(deps, ref).catch((error: unknown) => {
    if (error instanceof RolloutFailed) throw new DeployActionsError(`${error.message}: check 'cluster' and 'service'`);
    throw error;
  });
  const previous = runningTaskDefinition(before);
  state.remember(before);
  if ((before.deployments ?? []).length > 1) {
    deps.log.warning(
      `a deployment is already in progress on ${options.service} (${(before.deployments ?? []).map((d) => `${d.status ?? ''} ${shortArn(d.taskDefinition)}`).join(', ')}); the rollback target is the PRIMARY one`,
    );
  }
  deps.log.info(`service ${options.service} in ${options.cluster} runs ${shortArn(previous)}`);

  // 2. Register.
  const registered = await deps.ecs.send(new RegisterTaskDefinitionCommand(options.taskDefinition));
  const taskDefinition = registered.taskDefinition;
  if (taskDefinition?.taskDefinitionArn === undefined)
    throw new DeployActionsError('ECS registered no task definition');
  const taskDefinitionArn = taskDefinition.taskDefinitionArn;
  deps.log.info(`registered ${shortArn(taskDefinitionArn)}`);
  await reporter?.start();

  const finish = async (r: DeployResult): Promise<DeployResult> => {
    await reporter?.finish(r.outcome === 'succeeded' ? 'success' : 'failure', r.message);
    return r;
  };

  // 3. One-off task (migrations): a failure means no service update.
  if (options.runTask) {
    try {
      const ran = await deps.log.group('one-off task', () =>
        runOneOffTask(deps, {
          cluster: options.cluster,
          taskDefinition,
          container: options.runTask?.container,
          command: options.runTask?.command,
          network: options.runTask?.network,
          service: before,
          startedBy: options.runTask?.startedBy ?? 'deploy-actions',
          deadline: deps.clock.now() + waitMs,
          waitMinutes: options.waitMinutes,
          pollMs,
          logLines: options.logLines,
        }),
      );
      runTaskArn = ran.taskArn;
      runTaskReport = ran.report;
    } catch (error) {
      if (error instanceof RunTaskFailed) {
        runTaskArn = error.taskArn;
        runTaskReport = [...error.report];
        return finish(result('failed', error.message, 'run-task'));
      }
      const why = isCredentialsExpired(error) ? 'AWS credentials expired' : (awsErrorName(error) ?? 'error');
      return finish(
        result(
          'failed',
          `the one-off task could not run (${why}: ${errorMessage(error)}); the service was not updated`,
          'run-task',
        ),
      );
    }
  }

  // 4. Update the service.
  if (options.wait) {
    // Only to tell our service deployment from older ones; an error here is met again by UpdateService.
    for (const b of (await listServiceDeployments(deps, ref, state).catch(() => undefined)) ?? []) {
      if (b.serviceDeploymentArn) state.knownServiceDeployments.add(b.serviceDeploymentArn);
    }
  }
  let updated: Service | undefined;
  try {
    const out = await deps.ecs.send(
      new UpdateServiceCommand({
        cluster: options.cluster,
        service: options.service,
        taskDefinition: taskDefinitionArn,
        forceNewDeployment: options.forceNewDeployment,
        ...(options.desiredCount !== undefined ? { desiredCount: options.desiredCount } : {}),
        ...(options.propagateTags !== undefined ? { propagateTags: options.propagateTags } : {}),
        ...(options.enableEcsManagedTags !== undefined ? { enableECSManagedTags: options.enableEcsManagedTags } : {}),
      }),
    );
    updated = out.service;
  } catch (error) {
    return finish(
      result(
        'failed',
        `UpdateService failed (${awsErrorName(error) ?? 'error'}: ${errorMessage(error)}); the service still runs ${shortArn(previous)}`,
        'aws-error',
      ),
    );
  }
  const target = { taskDefinitionArn, previousTaskDefinitionArn: previous };
  deploymentId = updated ? findOurs(updated, target)?.id : undefined;
  deps.log.info(
    `service updated to ${shortArn(taskDefinitionArn)}${deploymentId ? ` (deployment ${deploymentId})` : ''}`,
  );
  if (!options.wait) {
    return finish(
      result(
        'succeeded',
        `service updated to ${shortArn(taskDefinitionArn)}; rollout not followed (wait-for-service-stability is false)`,
        undefined,
        false,
      ),
    );
  }

  // 5. Follow the rollout.
  let failure: RolloutFailed;
  try {
    const followed = await deps.log.group('rollout', () =>
      followRollout(
        deps,
        {
          ref,
          target: { ...target, deploymentId },
          deadline: deps.clock.now() + waitMs,
          waitMinutes: options.waitMinutes,
          pollMs,
          label: 'rollout',
        },
        state,
      ),
    );
    deploymentId = followed.deployment.id ?? deploymentId;
    deps.log.info(
      `rollout COMPLETED: ${shortArn(taskDefinitionArn)} runs ${followed.deployment.runningCount ?? 0}/${followed.deployment.desiredCount ?? 0}; ${followed.targets.detail}`,
    );
    if (options.keepRevisions !== undefined) {
      try {
        const pruned = await pruneRevisions(deps, {
          cluster: options.cluster,
          family: familyOf(taskDefinitionArn),
          keep: options.keepRevisions,
          protect: [taskDefinitionArn, ...(previous ? [previous] : [])],
        });
        deregistered = pruned.deregistered;
        if (pruned.deregistered.length) deps.log.info(`deregistered ${pruned.deregistered.map(shortArn).join(', ')}`);
        if (pruned.skippedInUse.length) deps.log.info(`kept (in use): ${pruned.skippedInUse.map(shortArn).join(', ')}`);
      } catch (error) {
        deps.log.warning(`keep-revisions: ${awsErrorName(error) ?? errorMessage(error)}`);
      }
    }
    return finish(result('succeeded', `${options.service} runs ${shortArn(taskDefinitionArn)}`));
  } catch (error) {
    failure =
      error instanceof RolloutFailed
        ? error
        : new RolloutFailed(
            'aws-error',
            `following the rollout failed: ${awsErrorName(error) ?? ''} ${errorMessage(error)}`.trim(),
          );
  }

  // 6. Explain, then roll back to what ran before.
  deps.log.error(deps.redact(`deploy of ${shortArn(taskDefinitionArn)} failed: ${failure.message}`));
  if (failure.kind !== 'credentials-expired') {
    report = await failureReport(deps, ref, taskDefinition, deploymentId, options.logLines);
    await deps.log.group('failure report', async () => {
      for (const line of report) deps.log.info(line);
    });
  }
  if (!options.rollback) {
    // Say what really runs now: ECS's own circuit breaker may have put the service back already.
    const now = await describeService(deps, ref).then(runningTaskDefinition, () => undefined);
    const where =
      now === undefined
        ? 'the service could not be described'
        : now === taskDefinitionArn
          ? `the service is left on ${shortArn(taskDefinitionArn)}`
          : `the service runs ${shortArn(now)} (put back by ECS)`;
    return finish(result('failed', `${failure.message}; rollback is off, ${where}`, failure.kind));
  }
  if (failure.kind === 'replaced')
    return finish(result('failed', `${failure.message}; not rolling back over another deployment`, failure.kind));
  if (previous === undefined || previous === taskDefinitionArn) {
    return finish(result('failed', `${failure.message}; no earlier revision to roll back to`, failure.kind));
  }
  const rollbackTarget = previous;
  try {
    await deps.log.group(`rollback to ${shortArn(rollbackTarget)}`, async () => {
      const now = await describeService(deps, ref);
      for (const b of (await listServiceDeployments(deps, ref, state)) ?? []) {
        if (b.serviceDeploymentArn) state.knownServiceDeployments.add(b.serviceDeploymentArn);
      }
      if (runningTaskDefinition(now) === rollbackTarget) {
        deps.log.info(`ECS already put ${shortArn(rollbackTarget)} back as PRIMARY; waiting for it to settle`);
      } else {
        await deps.ecs.send(
          new UpdateServiceCommand({
            cluster: options.cluster,
            service: options.service,
            taskDefinition: rollbackTarget,
          }),
        );
        deps.log.info(`service set back to ${shortArn(rollbackTarget)}; waiting for it to settle`);
      }
      await followRollout(
        deps,
        {
          ref,
          target: { taskDefinitionArn: rollbackTarget },
          deadline: deps.clock.now() + waitMs,
          waitMinutes: options.waitMinutes,
          pollMs,
          label: 'rollback',
        },
        state,
      );
    });
  } catch (error) {
    const why =
      error instanceof RolloutFailed
        ? error.message
        : isCredentialsExpired(error)
          ? `AWS credentials expired (${awsErrorName(error) ?? ''})`
          : `${awsErrorName(error) ?? 'error'}: ${errorMessage(error)}`;
    return finish(
      result(
        'failed',
        `${failure.message}; rolling back to ${shortArn(rollbackTarget)} did not settle (${why}) — check the service now`,
        failure.kind,
      ),
    );
  }
  return finish(
    result(
      'rolled-back',
      `${failure.message}; rolled back to ${shortArn(rollbackTarget)}, which runs again`,
      failure.kind,
    ),
  );
}

/** The events worth keeping in the summary: failures, rollbacks, health, steady state (last `max`). */
export function eventsThatMattered(events: readonly string[], max = 12): string[] {
  const picked = events.filter((e) => MATTERS.test(e));
  return (picked.length ? picked : events).slice(-max);
}
