// The one-off task (e.g. `bin/rails db:migrate`) before the service update: run it from the new revision with
// the service's launch settings, wait through the shared polling loop until it STOPS, fail on any non-zero
// (or missing) exit code of an essential container. Its log lines are shown either way.
import {
  RunTaskCommand,
  type NetworkConfiguration,
  type Service,
  type Task,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import type { DeployDeps } from './deps';
import { groupLines, taskGroup } from './diagnose';
import { RunTaskFailed } from './errors';
import { poll } from './poll';
import { call, CredentialsExpired } from './request';
import { describeTasks, taskId } from './tasks';

export interface RunTaskOptions {
  readonly cluster: string;
  readonly taskDefinition: TaskDefinition;
  /** The container whose command is overridden; the first essential container when omitted. */
  readonly container?: string | undefined;
  /** Command as an array (never split on spaces); the image's own command when omitted. */
  readonly command?: readonly string[] | undefined;
  /** Network configuration; the service's when omitted. */
  readonly network?: NetworkConfiguration | undefined;
  readonly service: Service;
  readonly startedBy: string;
  readonly deadline: number;
  readonly waitMinutes: number;
  readonly pollMs: number;
  readonly logLines: number;
}

export interface RunTaskResult {
  readonly taskArn: string;
  readonly report: string[];
}

/** Which container gets the command override. */
export function overrideContainer(taskDefinition: TaskDefinition, wanted: string | undefined): string {
  const containers = taskDefinition.containerDefinitions ?? [];
  if (wanted !== undefined) {
    if (!containers.some((c) => c.name === wanted)) {
      throw new RunTaskFailed(
        `run-task-container '${wanted}' is not in the task definition (containers: ${containers.map((c) => c.name).join(', ')})`,
        undefined,
      );
    }
    return wanted;
  }
  const first = containers.find((c) => c.essential !== false) ?? containers[0];
  if (first?.name === undefined) throw new RunTaskFailed('the task definition has no container to run', undefined);
  return first.name;
}

async function start(deps: DeployDeps, options: RunTaskOptions, container: string): Promise<Task> {
  const { service, taskDefinition } = options;
  const network = options.network ?? service.networkConfiguration;
  const out = await call(deps, 'RunTask', options.deadline, (o) =>
    deps.ecs.send(
      new RunTaskCommand({
        cluster: options.cluster,
        taskDefinition: taskDefinition.taskDefinitionArn,
        count: 1,
        startedBy: options.startedBy,
        ...(service.capacityProviderStrategy?.length
          ? { capacityProviderStrategy: service.capacityProviderStrategy }
          : { launchType: service.launchType ?? 'FARGATE' }),
        ...(service.platformVersion ? { platformVersion: service.platformVersion } : {}),
        ...(network ? { networkConfiguration: network } : {}),
        ...(options.command
          ? { overrides: { containerOverrides: [{ name: container, command: [...options.command] }] } }
          : {}),
      }),
      o,
    ),
  );
  const started = out.tasks?.[0];
  if (started?.taskArn === undefined) {
    const failure = out.failures?.map((f) => `${f.reason ?? '?'}${f.detail ? ` (${f.detail})` : ''}`).join('; ');
    throw new RunTaskFailed(`ECS did not start the one-off task: ${failure ?? 'no task returned'}`, undefined);
  }
  return started;
}

export async function runOneOffTask(deps: DeployDeps, options: RunTaskOptions): Promise<RunTaskResult> {
  const { taskDefinition } = options;
  const container = overrideContainer(taskDefinition, options.container);
  const started = await start(deps, options, container);
  const taskArn = started.taskArn ?? '';
  deps.log.info(
    `one-off task ${taskId(started)} started${options.command ? ` in ${container}` : ''}; waiting for it to stop`,
  );
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
      throw new RunTaskFailed(
        `AWS credentials expired while waiting for the one-off task ${taskId(task)}; the service was not updated`,
        taskArn,
      );
    }
    throw error;
  }
  if (!ended.done) {
    throw new RunTaskFailed(
      `the one-off task ${taskId(task)} did not stop within ${options.waitMinutes} minute(s) (last status ${task.lastStatus ?? '?'}); the service was not updated`,
      taskArn,
    );
  }
  const stopped = ended.value;
  const group = await taskGroup(deps, [stopped], taskDefinition, {
    logLines: options.logLines,
    logs: 'all',
    deadline: options.deadline,
  });
  const report = groupLines(group);
  for (const line of report) deps.log.info(line);
  const essential = new Set(
    (taskDefinition.containerDefinitions ?? []).filter((c) => c.essential !== false).map((c) => c.name),
  );
  // Any non-zero exit fails; a missing exit code fails only for the containers that had to run.
  const failed = (stopped.containers ?? []).filter((c) =>
    c.exitCode === undefined ? essential.has(c.name) || c.name === container : c.exitCode !== 0,
  );
  if (failed.length > 0) {
    const which = failed
      .map((c) => `${c.name ?? '?'} ${c.exitCode === undefined ? 'has no exit code' : `exited ${c.exitCode}`}`)
      .join(', ');
    throw new RunTaskFailed(
      `the one-off task ${taskId(stopped)} failed (${which}; ${group.stoppedReason}); the service was not updated`,
      taskArn,
      report,
    );
  }
  return { taskArn, report };
}
