import { GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeTasksCommand,
  ListTasksCommand,
  type DesiredStatus,
  type Task,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import { awsErrorName, isCredentialsExpired } from '@deploy-actions/core';
import type { DeployDeps } from './deps';

/** The tasks of a service with a desired status (ListTasks pages, DescribeTasks in batches of 100). */
export async function serviceTasks(
  deps: Pick<DeployDeps, 'ecs'>,
  cluster: string,
  serviceName: string,
  desiredStatus: DesiredStatus,
  limit = 100,
): Promise<Task[]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await deps.ecs.send(
      new ListTasksCommand({ cluster, serviceName, desiredStatus, maxResults: 100, nextToken }),
    );
    arns.push(...(page.taskArns ?? []));
    nextToken = page.nextToken;
  } while (nextToken !== undefined && arns.length < limit);
  return describeTasks(deps, cluster, arns.slice(0, limit));
}

export async function describeTasks(deps: Pick<DeployDeps, 'ecs'>, cluster: string, arns: string[]): Promise<Task[]> {
  const tasks: Task[] = [];
  for (let i = 0; i < arns.length; i += 100) {
    const out = await deps.ecs.send(new DescribeTasksCommand({ cluster, tasks: arns.slice(i, i + 100) }));
    tasks.push(...(out.tasks ?? []));
  }
  return tasks;
}

export function taskId(task: Task): string {
  const arn = task.taskArn ?? '';
  return arn.slice(arn.lastIndexOf('/') + 1);
}

/** The task's private IP (awsvpc ENI attachment, else the container network interface). */
export function taskIp(task: Task): string | undefined {
  for (const attachment of task.attachments ?? []) {
    const ip = attachment.details?.find((d) => d.name === 'privateIPv4Address')?.value;
    if (ip) return ip;
  }
  for (const container of task.containers ?? []) {
    const ip = container.networkInterfaces?.[0]?.privateIpv4Address;
    if (ip) return ip;
  }
  return undefined;
}

/** Where the awslogs driver writes a container's output: `prefix/container/task-id` in the group. */
export function awslogsStream(
  taskDefinition: TaskDefinition | undefined,
  container: string,
  task: Task,
): { group: string; stream: string; region: string | undefined } | undefined {
  const def = taskDefinition?.containerDefinitions?.find((c) => c.name === container);
  const config = def?.logConfiguration;
  if (config?.logDriver !== 'awslogs') return undefined;
  const group = config.options?.['awslogs-group'];
  const prefix = config.options?.['awslogs-stream-prefix'];
  if (!group || !prefix) return undefined;
  return { group, stream: `${prefix}/${container}/${taskId(task)}`, region: config.options?.['awslogs-region'] };
}

/** The last `lines` log lines of a container, already redacted; a note instead when they cannot be read. */
export async function containerLogLines(
  deps: Pick<DeployDeps, 'logs' | 'redact'>,
  taskDefinition: TaskDefinition | undefined,
  container: string,
  task: Task,
  lines: number,
): Promise<{ where: string; lines: string[] }> {
  const place = awslogsStream(taskDefinition, container, task);
  if (place === undefined) {
    return { where: 'no awslogs log configuration with awslogs-group and awslogs-stream-prefix', lines: [] };
  }
  const where = `${place.group} ${place.stream}`;
  if (lines <= 0) return { where, lines: [] };
  try {
    const out = await deps.logs(place.region).send(
      new GetLogEventsCommand({
        logGroupName: place.group,
        logStreamName: place.stream,
        limit: lines,
        startFromHead: false,
      }),
    );
    const messages = (out.events ?? []).map((e) => deps.redact((e.message ?? '').replace(/\r?\n$/, '')));
    return { where, lines: messages.slice(-lines) };
  } catch (error) {
    if (isCredentialsExpired(error)) throw error;
    const name = awsErrorName(error);
    const why =
      name === 'ResourceNotFoundException'
        ? 'no such log stream: the container never started or logged nothing'
        : `cannot read: ${name ?? 'error'}`;
    return { where: `${where} (${why})`, lines: [] };
  }
}

function exitText(code: number | undefined): string {
  return code === undefined ? 'no exit code' : `exit code ${code}`;
}

/** A stopped task as report lines: why it stopped, each container's exit, the failing containers' logs. */
export async function describeStoppedTask(
  deps: Pick<DeployDeps, 'logs' | 'redact'>,
  task: Task,
  taskDefinition: TaskDefinition | undefined,
  logLines: number,
  allLogs = false,
): Promise<string[]> {
  const out: string[] = [];
  const stopCode = task.stopCode ? ` [${task.stopCode}]` : '';
  out.push(
    `task ${taskId(task)}${stopCode}: ${deps.redact(task.stoppedReason ?? task.lastStatus ?? 'no reason given')}`,
  );
  const containers = task.containers ?? [];
  // A task stopped by the scheduler (e.g. failed ELB health checks) may have only clean exits: then every
  // container's log is what explains it.
  const anyFailed = containers.some((c) => c.exitCode !== 0);
  for (const container of containers) {
    const name = container.name ?? '?';
    const reason =
      container.reason && container.reason !== task.stoppedReason ? ` — ${deps.redact(container.reason)}` : '';
    out.push(`  container ${name}: ${exitText(container.exitCode)}${reason}`);
    if (allLogs || !anyFailed || container.exitCode !== 0) {
      const logs = await containerLogLines(deps, taskDefinition, name, task, logLines);
      if (logs.lines.length === 0) {
        out.push(`    no log lines of ${name} (${logs.where})`);
      } else {
        out.push(`    last ${logs.lines.length} log line(s) of ${name} (${logs.where}):`);
        for (const line of logs.lines) out.push(`      | ${line}`);
      }
    }
  }
  return out;
}
