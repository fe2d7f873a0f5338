// The one-off task (e.g. `bin/rails db:migrate`) before the service update, or on its own without a service:
// run it from the new revision with the caller's launch settings (else the service's), wait through the
// shared polling loop until it STOPS, fail on any non-zero (or missing) exit code of a container that had to
// run. Its log lines are shown either way. Without waiting, it is only started (and RunTask's refusal fails).
import {
  RunTaskCommand,
  type NetworkConfiguration,
  type RunTaskCommandInput,
  type Service,
  type Task,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import { awsErrorName, errorMessage } from '@deploy-actions/core';
import type { DeployDeps } from './deps';
import { groupLines, taskGroup } from './diagnose';
import { RunTaskFailed } from './errors';
import type { RunTaskSpec } from './options';
import { poll } from './poll';
import { call, CredentialsExpired } from './request';
import { describeTasks, taskId } from './tasks';

export interface RunTaskOptions {
  readonly cluster: string;
  readonly taskDefinition: TaskDefinition;
  readonly spec: RunTaskSpec;
  /** The service whose launch settings the task takes unless the spec names its own; none without a service. */
  readonly service?: Service | undefined;
  /** What a failure leaves untouched, for its message (e.g. "the service was not updated"). */
  readonly untouched?: string | undefined;
  readonly deadline: number;
  readonly waitMinutes: number;
  readonly pollMs: number;
  readonly logLines: number;
}

export interface RunTaskResult {
  readonly taskArn: string;
  readonly report: string[];
  /** False when the task was only started (the caller did not want to wait for it). */
  readonly waited: boolean;
}

/** The container that gets `command`: the one named, else the first essential container. */
export function overrideContainer(taskDefinition: TaskDefinition, wanted: string | undefined): string {
  if (wanted !== undefined) return wanted;
  const containers = taskDefinition.containerDefinitions ?? [];
  const first = containers.find((c) => c.essential !== false) ?? containers[0];
  if (first?.name === undefined) throw new RunTaskFailed('the task definition has no container to run', undefined);
  return first.name;
}

/** The caller's launch type or capacity provider strategy, else the service's (with its platform version). */
function launchSettings(spec: RunTaskSpec, service: Service | undefined): Partial<RunTaskCommandInput> {
  const launch = spec.launch;
  if (launch !== undefined) {
    return 'launchType' in launch
      ? { launchType: launch.launchType }
      : { capacityProviderStrategy: [...launch.capacityProviderStrategy] };
  }
  const platform = service?.platformVersion ? { platformVersion: service.platformVersion } : {};
  return service?.capacityProviderStrategy?.length
    ? { capacityProviderStrategy: service.capacityProviderStrategy, ...platform }
    : { launchType: service?.launchType ?? 'FARGATE', ...platform };
}

/** The caller's subnets, else the service's network configuration (with the caller's public IP setting). */
function network(spec: RunTaskSpec, service: Service | undefined): NetworkConfiguration | undefined {
  if (spec.network !== undefined) return spec.network;
  const own = service?.networkConfiguration;
  if (spec.assignPublicIp === undefined) return own;
  if (own?.awsvpcConfiguration === undefined) {
    throw new RunTaskFailed(
      'a public IP setting needs an awsvpc network configuration, and the service has none: give the subnets as well',
      undefined,
    );
  }
  return { awsvpcConfiguration: { ...own.awsvpcConfiguration, assignPublicIp: spec.assignPublicIp } };
}

/** The RunTask request for one task, exactly as sent. */
export function runTaskRequest(options: RunTaskOptions): RunTaskCommandInput {
  const { spec, service, taskDefinition } = options;
  const containerOverrides =
    spec.containerOverrides ??
    (spec.command
      ? [{ name: overrideContainer(taskDefinition, spec.container), command: [...spec.command] }]
      : undefined);
  const vpc = network(spec, service);
  return {
    cluster: options.cluster,
    taskDefinition: taskDefinition.taskDefinitionArn,
    count: 1,
    startedBy: spec.startedBy,
    ...launchSettings(spec, service),
    ...(vpc ? { networkConfiguration: vpc } : {}),
    ...(containerOverrides?.length ? { overrides: { containerOverrides: [...containerOverrides] } } : {}),
    ...(spec.tags?.length ? { tags: [...spec.tags] } : {}),
    ...(spec.enableEcsManagedTags !== undefined ? { enableECSManagedTags: spec.enableEcsManagedTags } : {}),
    ...(spec.volume ? { volumeConfigurations: [spec.volume] } : {}),
  };
}

function failed(options: RunTaskOptions, what: string, taskArn: string | undefined, report?: string[]): RunTaskFailed {
  return new RunTaskFailed(`${what}${options.untouched ? `; ${options.untouched}` : ''}`, taskArn, report);
}

async function start(deps: DeployDeps, options: RunTaskOptions, request: RunTaskCommandInput): Promise<Task> {
  const out = await call(deps, 'RunTask', options.deadline, (o) => deps.ecs.send(new RunTaskCommand(request), o));
  const started = out.tasks?.[0];
  if (started?.taskArn === undefined) {
    const failure = out.failures?.map((f) => `${f.reason ?? '?'}${f.detail ? ` (${f.detail})` : ''}`).join('; ');
    throw failed(options, `ECS did not start the one-off task: ${failure ?? 'no task returned'}`, undefined);
  }
  return started;
}

/** Polls the task until it is STOPPED, within the deadline. */
async function untilStopped(deps: DeployDeps, options: RunTaskOptions, started: Task): Promise<Task> {
  const taskArn = started.taskArn ?? '';
  let task: Task = started;
  let lastStatus = '';
  let ended;
  try {
    ended = await poll<Task>(deps, { deadline: options.deadline, intervalMs: options.pollMs }, async () => {
      task = (await describeTasks(deps, options.cluster, [taskArn], options.deadline))[0] ?? task;
      if (task.lastStatus !== lastStatus) {
        lastStatus = task.lastStatus ?? '';
        deps.log.info(`one-off task ${taskId(task)}: ${lastStatus}`);
      }
      return task.lastStatus === 'STOPPED' ? task : undefined;
    });
  } catch (error) {
    if (error instanceof CredentialsExpired) {
      throw failed(options, `AWS credentials expired while waiting for the one-off task ${taskId(task)}`, taskArn);
    }
    throw error;
  }
  if (!ended.done) {
    const last = task.lastStatus ?? '?';
    throw failed(
      options,
      `the one-off task ${taskId(task)} did not stop within ${options.waitMinutes} minute(s) (last status ${last})`,
      taskArn,
    );
  }
  return ended.value;
}

export async function runOneOffTask(deps: DeployDeps, options: RunTaskOptions): Promise<RunTaskResult> {
  const { taskDefinition, spec } = options;
  const request = runTaskRequest(options);
  const started = await start(deps, options, request);
  const taskArn = started.taskArn ?? '';
  if (!spec.wait) {
    const line = `one-off task ${taskId(started)} started; not waiting for it to stop (its exit code is not checked)`;
    deps.log.info(line);
    return { taskArn, report: [line], waited: false };
  }
  deps.log.info(`one-off task ${taskId(started)} started; waiting for it to stop`);
  const stopped = await untilStopped(deps, options, started);
  const group = await taskGroup(deps, [stopped], taskDefinition, {
    logLines: options.logLines,
    logs: 'all',
    deadline: options.deadline,
  });
  const report = groupLines(group);
  for (const line of report) deps.log.info(line);
  // Any non-zero exit fails; a missing exit code fails only for the containers that had to run (the essential
  // ones and those given a command).
  const mustRun = new Set([
    ...(taskDefinition.containerDefinitions ?? []).filter((c) => c.essential !== false).map((c) => c.name),
    ...(request.overrides?.containerOverrides ?? []).filter((o) => o.command !== undefined).map((o) => o.name),
  ]);
  const failedContainers = (stopped.containers ?? []).filter((c) =>
    c.exitCode === undefined ? mustRun.has(c.name) : c.exitCode !== 0,
  );
  if (failedContainers.length > 0) {
    const which = failedContainers
      .map((c) => `${c.name ?? '?'} ${c.exitCode === undefined ? 'has no exit code' : `exited ${c.exitCode}`}`)
      .join(', ');
    throw failed(
      options,
      `the one-off task ${taskId(stopped)} failed (${which}; ${group.stoppedReason})`,
      taskArn,
      report,
    );
  }
  return { taskArn, report, waited: true };
}

/** The one-off task as a phase: what ran, or the failure in words (never thrown). */
export type OneOffOutcome =
  | { readonly ok: true; readonly taskArn: string; readonly report: string[]; readonly waited: boolean }
  | { readonly ok: false; readonly taskArn: string | undefined; readonly report: string[]; readonly message: string };

export async function oneOffTaskPhase(deps: DeployDeps, options: RunTaskOptions): Promise<OneOffOutcome> {
  try {
    const ran = await deps.log.group('one-off task', () => runOneOffTask(deps, options));
    return { ok: true, ...ran };
  } catch (error) {
    if (error instanceof RunTaskFailed) {
      return { ok: false, taskArn: error.taskArn, report: [...error.report], message: error.message };
    }
    const why = error instanceof CredentialsExpired ? 'AWS credentials expired' : (awsErrorName(error) ?? 'error');
    const message = `the one-off task could not run (${why}: ${errorMessage(error)})`;
    return { ok: false, taskArn: undefined, report: [], message: failed(options, message, undefined).message };
  }
}
