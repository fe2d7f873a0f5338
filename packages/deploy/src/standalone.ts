// Without a service: register the task definition (or take the named revision) and, if asked, run a one-off
// task from it — a scheduled job, or a revision for something else to deploy. Nothing else is touched.
import type { DeployDeps } from './deps';
import type { RevisionOptions } from './options';
import { register } from './plan';
import type { DeployResult } from './report';
import { oneOffTaskPhase, type OneOffOutcome } from './run-task';
import { shortArn } from './verdict';

/** The result's words for what was registered and what the task did. */
function message(name: string, registered: boolean, ran: OneOffOutcome | undefined): string {
  const what = registered ? `registered ${name}` : `took the existing revision ${name}`;
  if (ran === undefined) return `${what}; no service given, so nothing was deployed`;
  if (!ran.ok) return ran.message;
  return `${what} and ran a one-off task from it (${ran.waited ? 'it exited 0' : 'started, not waited for'}); no service given`;
}

export async function registerOnly(deps: DeployDeps, options: RevisionOptions): Promise<DeployResult> {
  const started = deps.clock.now();
  const deadline = (): number => deps.clock.now() + options.waitMinutes * 60_000;
  const td = await register(deps, options.revision, deadline());
  options.checkRevision?.(td);
  const spec = options.runTask;
  const ran =
    spec === undefined
      ? undefined
      : await oneOffTaskPhase(deps, {
          cluster: options.cluster,
          taskDefinition: td,
          spec,
          deadline: deadline(),
          waitMinutes: options.waitMinutes,
          pollMs: options.pollSeconds * 1000,
          logLines: options.logLines,
        });
  const registered = 'register' in options.revision;
  const text = deps.redact(message(shortArn(td.taskDefinitionArn), registered, ran));
  const failed = ran !== undefined && !ran.ok;
  return {
    outcome: failed ? 'failed' : 'succeeded',
    message: text,
    headline: failed ? text : undefined,
    cause: failed ? 'run-task' : undefined,
    taskDefinitionArn: td.taskDefinitionArn,
    registered,
    runTaskArn: ran?.taskArn,
    durationSeconds: Math.round((deps.clock.now() - started) / 100) / 10,
    images: (td.containerDefinitions ?? []).map((c) => ({ container: c.name ?? '?', image: c.image ?? '?' })),
    events: [],
    report: [],
    runTaskReport: ran?.report ?? [],
    deregistered: [],
    waited: true,
  };
}
