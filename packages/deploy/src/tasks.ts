// Tasks: the one module that lists and describes them (ListTasks pages, DescribeTasks batches), finds their
// network address and awslogs stream, and reads their last log lines.
import { GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeTasksCommand,
  ListTasksCommand,
  type DesiredStatus,
  type Task,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import { awsErrorName } from '@deploy-actions/core';
import { containerText } from './container-text';
import type { DeployDeps } from './deps';
import { call, CredentialsExpired, DeadlineReached } from './request';

type Deps = Pick<DeployDeps, 'ecs' | 'clock' | 'log'>;

/** The tasks of a service with a desired status, at most `limit` (ListTasks pages, DescribeTasks batches). */
export async function serviceTasks(
  deps: Deps,
  where: { cluster: string; service: string },
  desiredStatus: DesiredStatus,
  deadline: number,
  limit = 100,
): Promise<Task[]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await call(deps, 'ListTasks', deadline, (o) =>
      deps.ecs.send(
        new ListTasksCommand({
          cluster: where.cluster,
          serviceName: where.service,
          desiredStatus,
          maxResults: 100,
          nextToken,
        }),
        o,
      ),
    );
    arns.push(...(page.taskArns ?? []));
    nextToken = page.nextToken;
  } while (nextToken !== undefined && arns.length < limit);
  return describeTasks(deps, where.cluster, arns.slice(0, limit), deadline);
}

export async function describeTasks(deps: Deps, cluster: string, arns: string[], deadline: number): Promise<Task[]> {
  const tasks: Task[] = [];
  for (let i = 0; i < arns.length; i += 100) {
    const out = await call(deps, 'DescribeTasks', deadline, (o) =>
      deps.ecs.send(new DescribeTasksCommand({ cluster, tasks: arns.slice(i, i + 100) }), o),
    );
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

export interface LogLines {
  /** Group and stream, or why there is none. */
  readonly where: string;
  readonly lines: string[];
}

/** The last `lines` log lines of a container, through containerText; a note instead when they cannot be read. */
export async function containerLogLines(
  deps: Pick<DeployDeps, 'logs' | 'redact' | 'clock' | 'log'>,
  taskDefinition: TaskDefinition | undefined,
  container: string,
  task: Task,
  lines: number,
  deadline: number,
): Promise<LogLines> {
  const place = awslogsStream(taskDefinition, container, task);
  if (place === undefined) {
    return { where: 'no awslogs log configuration with awslogs-group and awslogs-stream-prefix', lines: [] };
  }
  const where = `${place.group} ${place.stream}`;
  if (lines <= 0) return { where, lines: [] };
  try {
    const out = await call(deps, 'GetLogEvents', deadline, (o) =>
      deps.logs(place.region).send(
        new GetLogEventsCommand({
          logGroupName: place.group,
          logStreamName: place.stream,
          limit: lines,
          startFromHead: false,
        }),
        o,
      ),
    );
    const messages = (out.events ?? []).map((e) => containerText(deps, e.message ?? ''));
    return { where, lines: messages.slice(-lines) };
  } catch (error) {
    if (error instanceof CredentialsExpired) throw error;
    const name = error instanceof DeadlineReached ? 'no answer in time' : awsErrorName(error);
    const why =
      name === 'ResourceNotFoundException'
        ? 'no such log stream: the container never started or logged nothing'
        : `cannot read: ${name ?? 'error'}`;
    return { where: `${where} (${why})`, lines: [] };
  }
}
