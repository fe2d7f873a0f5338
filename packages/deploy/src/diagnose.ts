// Why the new revision's tasks did not run: the stopped tasks grouped by how they stopped (identical stops are
// one group with a count), the failing containers' last log lines for the newest task of each group, and a
// one-line cause ("container api exited 1: ActiveRecord::ConnectionNotEstablished … (3 of 3 tasks)"). With no
// stopped task, the tasks still starting or running say what is missing (PENDING since when, unhealthy).
import type { ServiceEvent, Task, TaskDefinition } from '@aws-sdk/client-ecs';
import { awsErrorName, errorMessage } from '@deploy-actions/core';
import { containerText } from './container-text';
import type { DeployDeps } from './deps';
import type { ServiceRef } from './observe';
import { CredentialsExpired } from './request';
import { containerLogLines, serviceTasks, taskId, type LogLines } from './tasks';
import { shortArn } from './verdict';

/** Stopped tasks looked at, newest first; more only make the report longer, not clearer. */
const STOPPED_LOOKED_AT = 20;
/** Groups whose logs are read (one task each). */
const GROUPS_WITH_LOGS = 3;
/** Log lines that state an error, preferred for the one-line cause. */
const ERROR_LINE = /error|exception|fatal|failed|refused|denied|not found|panic|emerg|cannot|unable|killed|invalid/i;

export interface ContainerStop {
  readonly name: string;
  readonly exitCode: number | undefined;
  readonly reason: string | undefined;
}

/** Stopped tasks that stopped the same way: same stop code, reason and container exits. */
export interface TaskGroup {
  readonly taskIds: string[];
  readonly stopCode: string | undefined;
  readonly stoppedReason: string;
  readonly containers: ContainerStop[];
  /** Logs of the failing containers (every container when all exited 0), from the group's newest task. */
  readonly logs: { readonly container: string; readonly log: LogLines }[];
}

export interface Diagnosis {
  /** The cause in one line, for the step's error and the top of the summary; undefined when tasks say nothing. */
  readonly headline: string | undefined;
  readonly groups: TaskGroup[];
  /** Stopped tasks of the revision (all, not only the ones looked at). */
  readonly stoppedCount: number;
  /** Tasks still starting or running, when no task stopped (e.g. a timeout). */
  readonly notStopped: string[];
  /** Why the report is incomplete, if it is. */
  readonly note: string | undefined;
}

function signature(task: Task): string {
  const containers = (task.containers ?? []).map((c) => `${c.name ?? ''}=${c.exitCode ?? '-'}:${c.reason ?? ''}`);
  // Task ids in reasons (e.g. target group names do not vary, task ids do) must not split groups.
  return [task.stopCode ?? '', (task.stoppedReason ?? '').replace(/[0-9a-f]{32}/g, '*'), ...containers].join('|');
}

function failingContainers(task: Task): string[] {
  const containers = task.containers ?? [];
  const failed = containers.filter((c) => c.exitCode !== 0);
  return (failed.length > 0 ? failed : containers).map((c) => c.name ?? '?');
}

/** Stopped tasks (newest first) as one group; logs of none, the failing or all containers of the newest. */
export async function taskGroup(
  deps: DeployDeps,
  tasks: Task[],
  taskDefinition: TaskDefinition,
  options: { logLines: number; logs: 'none' | 'failing' | 'all'; deadline: number },
): Promise<TaskGroup> {
  const { logLines, deadline } = options;
  const newest = tasks[0] ?? {};
  const logs: TaskGroup['logs'] = [];
  if (options.logs !== 'none') {
    const names =
      options.logs === 'all' ? (newest.containers ?? []).map((c) => c.name ?? '?') : failingContainers(newest);
    for (const container of names) {
      logs.push({
        container,
        log: await containerLogLines(deps, taskDefinition, container, newest, logLines, deadline),
      });
    }
  }
  return {
    taskIds: tasks.map(taskId),
    stopCode: newest.stopCode,
    stoppedReason: containerText(deps, newest.stoppedReason ?? newest.lastStatus ?? 'no reason given'),
    containers: (newest.containers ?? []).map((c) => ({
      name: c.name ?? '?',
      exitCode: c.exitCode,
      reason: c.reason !== undefined ? containerText(deps, c.reason) : undefined,
    })),
    logs,
  };
}

/** The line of a container's log that best says what went wrong. */
function keyLine(lines: readonly string[]): string | undefined {
  const errors = lines.filter((l) => ERROR_LINE.test(l) && !/^\s*(\/|at |from )/.test(l));
  return (errors[0] ?? lines.at(-1))?.trim();
}

/** A long reason keeps its start and its end (where errors say "not found", "denied"), not only its start. */
const clip = (text: string, max = 240): string =>
  text.length > max ? `${text.slice(0, max / 2)} … ${text.slice(-(max / 2 - 2))}` : text;

/** What ECS last said about an unhealthy target ("Health checks failed with these codes: [502]"). */
export function unhealthyReason(events: readonly ServiceEvent[]): string | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const reason = /is unhealthy in .* due to \(reason (.*)\)\.?$/.exec(events[i]?.message ?? '')?.[1];
    if (reason !== undefined) return reason;
  }
  return undefined;
}

/** The cause of one group, in one line; `health` is the load balancer's reason for failed health checks. */
export function groupCause(group: TaskGroup, total: number, health?: string): string {
  const count = `(${group.taskIds.length} of ${total} task${total === 1 ? '' : 's'})`;
  const exited = group.containers.find((c) => c.exitCode !== undefined && c.exitCode !== 0);
  if (exited !== undefined) {
    const log = group.logs.find((l) => l.container === exited.name)?.log.lines ?? [];
    const line =
      (exited.reason !== undefined && exited.reason !== group.stoppedReason ? exited.reason : undefined) ??
      keyLine(log);
    return clip(`container ${exited.name} exited ${exited.exitCode}${line ? `: ${line}` : ''}`) + ` ${count}`;
  }
  const reason = group.containers.find((c) => c.reason !== undefined)?.reason;
  if (reason !== undefined) return `${clip(reason)} ${count}`;
  const elb = health !== undefined && /ELB health checks/.test(group.stoppedReason) ? `: ${health}` : '';
  return `${clip(group.stoppedReason)}${elb} ${count}`;
}

async function notStopped(deps: DeployDeps, ref: ServiceRef, arn: string, deadline: number): Promise<string[]> {
  const now = deps.clock.now();
  const since = (at: Date | undefined): string =>
    at ? ` for ${Math.max(0, Math.round((now - at.getTime()) / 1000))} s` : '';
  const tasks = (await serviceTasks(deps, ref, 'RUNNING', deadline)).filter((t) => t.taskDefinitionArn === arn);
  return tasks.map((t) => {
    const status = t.lastStatus ?? '?';
    const detail =
      status === 'RUNNING'
        ? `RUNNING${since(t.startedAt)}, health ${t.healthStatus ?? 'UNKNOWN'}`
        : `${status}${since(t.pullStartedAt ?? t.createdAt)}${t.pullStartedAt && !t.pullStoppedAt ? ' (image still being pulled)' : ''}`;
    return `task ${taskId(t)}: ${detail}`;
  });
}

/** The diagnosis of the revision's tasks; never throws except for expired credentials. */
export async function diagnose(
  deps: DeployDeps,
  ref: ServiceRef,
  taskDefinition: TaskDefinition,
  deploymentId: string | undefined,
  options: { logLines: number; deadline: number; events: readonly ServiceEvent[] },
): Promise<Diagnosis> {
  const arn = taskDefinition.taskDefinitionArn ?? '';
  try {
    const stopped = (await serviceTasks(deps, ref, 'STOPPED', options.deadline)).filter(
      (t) =>
        t.taskDefinitionArn === arn &&
        (deploymentId === undefined || t.startedBy === undefined || t.startedBy === deploymentId),
    );
    stopped.sort((a, b) => (b.stoppedAt?.getTime() ?? 0) - (a.stoppedAt?.getTime() ?? 0));
    if (stopped.length === 0) {
      const waiting = await notStopped(deps, ref, arn, options.deadline);
      const note = `no stopped task of ${shortArn(arn)}${waiting.length ? '' : ' and none starting (ECS may not have started any: read the service events)'}`;
      return { headline: undefined, groups: [], stoppedCount: 0, notStopped: waiting, note };
    }
    const bySignature = new Map<string, Task[]>();
    for (const task of stopped.slice(0, STOPPED_LOOKED_AT)) {
      const key = signature(task);
      bySignature.set(key, [...(bySignature.get(key) ?? []), task]);
    }
    const ordered = [...bySignature.values()].sort((a, b) => b.length - a.length);
    const groups: TaskGroup[] = [];
    for (const [i, tasks] of ordered.entries()) {
      const logs = i < GROUPS_WITH_LOGS ? 'failing' : 'none';
      groups.push(
        await taskGroup(deps, tasks, taskDefinition, { logLines: options.logLines, logs, deadline: options.deadline }),
      );
    }
    const looked = Math.min(stopped.length, STOPPED_LOOKED_AT);
    const first = groups[0];
    return {
      headline: first ? groupCause(first, looked, unhealthyReason(options.events)) : undefined,
      groups,
      stoppedCount: stopped.length,
      notStopped: [],
      note: stopped.length > looked ? `the newest ${looked} of ${stopped.length} stopped tasks` : undefined,
    };
  } catch (error) {
    if (error instanceof CredentialsExpired) throw error;
    const why = awsErrorName(error) ?? errorMessage(error);
    return {
      headline: undefined,
      groups: [],
      stoppedCount: 0,
      notStopped: [],
      note: `could not gather the tasks: ${why}`,
    };
  }
}

const exitText = (code: number | undefined): string => (code === undefined ? 'no exit code' : `exit code ${code}`);

/** A group as report lines (the step log and the summary's "What failed" show the same). */
export function groupLines(group: TaskGroup): string[] {
  const n = group.taskIds.length;
  const ids = group.taskIds.slice(0, 3).join(', ') + (n > 3 ? `, … (${n - 3} more)` : '');
  const out = [
    `${n} task${n === 1 ? '' : 's'} stopped${group.stopCode ? ` [${group.stopCode}]` : ''}: ${group.stoppedReason} — ${ids}`,
  ];
  for (const c of group.containers) {
    const reason = c.reason && c.reason !== group.stoppedReason ? ` — ${c.reason}` : '';
    out.push(`  container ${c.name}: ${exitText(c.exitCode)}${reason}`);
  }
  for (const { container, log } of group.logs) {
    if (log.lines.length === 0) out.push(`    no log lines of ${container} (${log.where})`);
    else {
      out.push(`    last ${log.lines.length} log line(s) of ${container} (${log.where}):`);
      for (const line of log.lines) out.push(`      | ${line}`);
    }
  }
  return out;
}

/** The whole diagnosis as report lines. */
export function diagnosisLines(d: Diagnosis): string[] {
  const out: string[] = [];
  if (d.note !== undefined) out.push(d.note);
  for (const line of d.notStopped) out.push(line);
  for (const group of d.groups) out.push(...groupLines(group));
  return out;
}
