// Phase 8's words: the result of a deploy, its one-line cause, the step's message (cause first) and the ECS
// console links for the service and its deployments.
import type { Diagnosis } from './diagnose';
import { pausedAdvice, type FollowEnd } from './follow';
import type { FailureCause } from './verdict';

export type Outcome = 'succeeded' | 'in-progress' | 'rolled-back' | 'failed';

export interface ConsoleLinks {
  readonly service: string;
  readonly deployments: string;
}

export interface DeployResult {
  readonly outcome: Outcome;
  /** The step's message: its first line is the cause for failures (what the run page and e-mails show). */
  readonly message: string;
  /** The cause in one line (failures only). */
  readonly headline?: string | undefined;
  readonly cause?: FailureCause | undefined;
  readonly taskDefinitionArn?: string | undefined;
  readonly previousTaskDefinitionArn?: string | undefined;
  /** False when an existing revision was deployed (task-definition-arn). */
  readonly registered: boolean;
  readonly deploymentId?: string | undefined;
  readonly serviceDeploymentArn?: string | undefined;
  readonly runTaskArn?: string | undefined;
  /** The service's deployment strategy as one line (e.g. `BLUE_GREEN, bake 10 min, ...`). */
  readonly strategy?: string | undefined;
  /** The last lifecycle stage seen (traffic-shifting strategies). */
  readonly lifecycleStage?: string | undefined;
  readonly durationSeconds: number;
  readonly images: readonly { readonly container: string; readonly image: string }[];
  /** New service events seen while following (redacted), oldest first. */
  readonly events: readonly string[];
  /** Why the new revision's tasks failed, grouped (failures only). */
  readonly diagnosis?: Diagnosis | undefined;
  /** The failure report as lines (stopped task groups, exit codes, log lines). Empty after a success. */
  readonly report: readonly string[];
  /** The one-off task's exit codes and log lines, whatever the outcome. */
  readonly runTaskReport: readonly string[];
  readonly deregistered: readonly string[];
  /** False when wait-for-service-stability is off: the update was accepted, the rollout was not followed. */
  readonly waited: boolean;
  readonly links?: ConsoleLinks | undefined;
}

/** The ECS console (v2) pages of a service; undefined where the console address is not known. */
export function consoleLinks(region: string, cluster: string, service: string): ConsoleLinks | undefined {
  const host = region.startsWith('cn-')
    ? 'https://console.amazonaws.cn'
    : region.startsWith('us-gov-') || region.includes('-iso')
      ? undefined
      : `https://${region}.console.aws.amazon.com`;
  if (host === undefined) return undefined;
  const base = `${host}/ecs/v2/clusters/${encodeURIComponent(cluster)}/services/${encodeURIComponent(service)}`;
  return { service: `${base}/health?region=${region}`, deployments: `${base}/deployments?region=${region}` };
}

/** The one line that names the cause, from the tasks where they explain it, else from the verdict. */
export function headlineFor(
  cause: FailureCause,
  reason: string,
  diagnosis: Diagnosis | undefined,
  context: { alarm?: string | undefined; taskDefinition: string; waitMinutes: number },
): string {
  switch (cause) {
    case 'alarm':
      return `CloudWatch alarm ${context.alarm ?? '(unnamed)'} went into ALARM during the deployment of ${context.taskDefinition}`;
    case 'replaced':
    case 'service-inactive':
    case 'aws-error':
    case 'deployment-stopped':
      return reason;
    case 'credentials-expired':
      return `AWS credentials expired while deploying ${context.taskDefinition}: give the role session more time (role-duration-seconds) than wait-for-minutes`;
    case 'timeout': {
      if (diagnosis?.headline !== undefined) return diagnosis.headline;
      const pending = diagnosis?.notStopped.filter((l) => /: (PROVISIONING|PENDING|ACTIVATING)/.test(l)) ?? [];
      if (pending.length > 0) {
        return `${pending.length} task(s) of ${context.taskDefinition} still starting after ${context.waitMinutes} minute(s): ${pending[0] ?? ''}`;
      }
      return `${context.taskDefinition}: ${reason}`;
    }
    default:
      return diagnosis?.headline ?? reason;
  }
}

/** The step's message: the cause, what happened and where the service is now, and where to look. */
export function failureMessage(headline: string, what: string, links: ConsoleLinks | undefined): string {
  return [headline, what, ...(links ? [`ECS console: ${links.deployments}`] : [])].join('\n');
}

/** The words for a deadline that passed while ECS held a healthy revision (bake time) or a pause hook. */
export function heldWords(
  end: Extract<FollowEnd, { kind: 'timeout' }>,
  name: string,
  waitMinutes: number,
  serviceDeploymentArn: string | undefined,
): { headline: string; what: string } {
  if (end.paused !== undefined) {
    return {
      headline: `the deployment of ${name} is paused at ${end.paused.stage ?? '?'} by lifecycle hook ${end.paused.hookId}, awaiting action`,
      what: `not rolled back after ${waitMinutes} minute(s): ${pausedAdvice(end.paused, serviceDeploymentArn)}; or set wait-until: paused to end the step there`,
    };
  }
  const arn = serviceDeploymentArn ?? '<service deployment ARN>';
  return {
    headline: `${name} is up and ECS is still baking it after ${waitMinutes} minute(s) (${end.reason})`,
    what:
      'not rolled back: ECS completes the deployment after its bake time, or rolls it back itself when an alarm fires. ' +
      `Set wait-until: BAKE_TIME to end the step once traffic has moved; roll back now with: aws ecs stop-service-deployment --service-deployment-arn ${arn} --stop-type ROLLBACK`,
  };
}

/** What happened when the credentials expired: nothing more could be done, and what to do about it. */
export function credentialsWords(name: string, previous: string): string {
  return `deploy of ${name}: the result is unknown and no rollback was attempted (it needs valid credentials) — check the service; to go back, deploy ${previous} again (task-definition-arn, or deploy.yml source: rollback)`;
}
