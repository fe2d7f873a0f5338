import type {
  AssignPublicIp,
  NetworkConfiguration,
  PropagateTags,
  RegisterTaskDefinitionCommandInput,
} from '@aws-sdk/client-ecs';
import { ConfigError, ErrorCollector, maskSecret, redact, workspacePath, type ActionIO } from '@deploy-actions/core';
import { parseWaitUntil, WAIT_UNTIL_VALUES, type DeployOptions, type Revision } from '@deploy-actions/deploy';
import {
  cleanTaskDefinition,
  loadTaskDefinitionFile,
  splitCommand,
  validateTaskDefinition,
} from '@deploy-actions/taskdef';

/** Input names in one place (aws-actions/amazon-ecs-deploy-task-definition's where they exist). */
export const INPUT = {
  taskDefinition: 'task-definition',
  taskDefinitionArn: 'task-definition-arn',
  service: 'service',
  cluster: 'cluster',
  region: 'aws-region',
  wait: 'wait-for-service-stability',
  waitMinutes: 'wait-for-minutes',
  pollSeconds: 'poll-interval-seconds',
  waitUntil: 'wait-until',
  forceNewDeployment: 'force-new-deployment',
  desiredCount: 'desired-count',
  propagateTags: 'propagate-tags',
  managedTags: 'enable-ecs-managed-tags',
  rollback: 'rollback',
  runTask: 'run-task',
  runTaskCommand: 'run-task-command',
  runTaskContainer: 'run-task-container',
  runTaskSubnets: 'run-task-subnets',
  runTaskSecurityGroups: 'run-task-security-groups',
  runTaskPublicIp: 'run-task-assign-public-ip',
  runTaskStartedBy: 'run-task-started-by',
  keepRevisions: 'keep-revisions',
  logLines: 'log-lines',
  githubToken: 'github-token',
  environment: 'environment',
  environmentUrl: 'environment-url',
} as const;

/**
 * Names that are secret by convention: their environment values are masked and never printed, and their
 * `NAME=value` / `NAME: value` forms in log lines are redacted. One rule for both.
 */
const SECRET_WORD = /PASSWORD|SECRET|TOKEN|PRIVATE|CREDENTIAL/i;
export function isSecretName(name: string): boolean {
  return SECRET_WORD.test(name) || name.split('_').some((part) => part.toUpperCase() === 'KEY');
}
const ASSIGNMENT = /\b([A-Za-z][A-Za-z0-9_]*)(\s*[=:]\s*)("[^"]*"|'[^']*'|\S+)/g;

/** An existing revision: a task definition ARN or family:revision (a bare family would mean "latest"). */
const REVISION = /^(arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:task-definition\/)?[A-Za-z0-9_-]{1,255}:[1-9]\d*$/;

export interface Options {
  /** Everything but the region, which the AWS client configuration resolves. */
  readonly deploy: Omit<DeployOptions, 'region'>;
  readonly region: string | undefined;
  readonly github?: { token: string; environment: string; environmentUrl: string | undefined } | undefined;
  readonly secrets: string[];
  readonly warnings: string[];
}

function list(text: string | undefined): string[] {
  return (text ?? '')
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** Reads and validates every input (and the task definition file) before any AWS call. */
export async function readOptions(io: ActionIO): Promise<Options> {
  const { inputs } = io;
  const problems = new ErrorCollector();
  const secrets: string[] = [];
  const token = problems.attempt(() => inputs.optional(INPUT.githubToken));
  if (token !== undefined) {
    maskSecret(token, io.setSecret);
    secrets.push(token);
  }
  const service = problems.attempt(() => inputs.required(INPUT.service));
  const cluster = problems.attempt(() => inputs.optional(INPUT.cluster)) ?? 'default';
  const region = problems.attempt(() => inputs.optional(INPUT.region));
  const wait = problems.attempt(() => inputs.boolean(INPUT.wait, true)) ?? true;
  const waitMinutes = problems.attempt(() => inputs.number(INPUT.waitMinutes, { min: 0.01, max: 360 })) ?? 30;
  const pollSeconds = problems.attempt(() => inputs.number(INPUT.pollSeconds, { min: 0.05, max: 300 })) ?? 5;
  const waitUntilText = problems.attempt(() => inputs.optional(INPUT.waitUntil));
  const waitUntil = parseWaitUntil(waitUntilText);
  if (waitUntil === undefined) {
    problems.add(
      `input '${INPUT.waitUntil}'`,
      'is not a lifecycle stage',
      `use one of: ${WAIT_UNTIL_VALUES.join(', ')}`,
    );
  } else if (waitUntil.kind !== 'completed' && !wait) {
    problems.add(
      `input '${INPUT.waitUntil}'`,
      'needs wait-for-service-stability: true',
      'remove it or turn waiting on',
    );
  }
  const forceNewDeployment = problems.attempt(() => inputs.boolean(INPUT.forceNewDeployment, false)) ?? false;
  const desiredCount = problems.attempt(() => inputs.integer(INPUT.desiredCount, { min: 0, max: 5000 }));
  const propagateTags = problems.attempt(() =>
    inputs.optional(INPUT.propagateTags) === undefined
      ? undefined
      : inputs.oneOf<PropagateTags>(INPUT.propagateTags, ['TASK_DEFINITION', 'SERVICE', 'NONE'], 'NONE'),
  );
  const managedTags = problems.attempt(() =>
    inputs.optional(INPUT.managedTags) === undefined ? undefined : inputs.boolean(INPUT.managedTags, false),
  );
  const rollback = problems.attempt(() => inputs.boolean(INPUT.rollback, true)) ?? true;
  const keepRevisions = problems.attempt(() => inputs.integer(INPUT.keepRevisions, { min: 1, max: 1000 }));
  const logLines = problems.attempt(() => inputs.integer(INPUT.logLines, { min: 0, max: 500 })) ?? 20;

  const runTask = problems.attempt(() => inputs.boolean(INPUT.runTask, false)) ?? false;
  const commandText = problems.attempt(() => inputs.optional(INPUT.runTaskCommand));
  const command =
    commandText === undefined
      ? undefined
      : problems.attempt(() => splitCommand(commandText, `input '${INPUT.runTaskCommand}'`));
  const subnets = list(problems.attempt(() => inputs.optional(INPUT.runTaskSubnets)));
  const securityGroups = list(problems.attempt(() => inputs.optional(INPUT.runTaskSecurityGroups)));
  const publicIp = problems.attempt(() =>
    inputs.oneOf<AssignPublicIp>(INPUT.runTaskPublicIp, ['ENABLED', 'DISABLED'], 'DISABLED'),
  );
  const container = problems.attempt(() => inputs.optional(INPUT.runTaskContainer));
  const startedBy = problems.attempt(() => inputs.optional(INPUT.runTaskStartedBy)) ?? 'deploy-actions';
  if (!runTask) {
    for (const name of [
      INPUT.runTaskCommand,
      INPUT.runTaskContainer,
      INPUT.runTaskSubnets,
      INPUT.runTaskSecurityGroups,
    ]) {
      if (problems.attempt(() => inputs.optional(name)) !== undefined) {
        problems.push(
          new ConfigError(`input '${name}'`, 'is set but run-task is false', 'set run-task: true or remove it'),
        );
      }
    }
  }
  if (securityGroups.length > 0 && subnets.length === 0) {
    problems.push(
      new ConfigError(`input '${INPUT.runTaskSecurityGroups}'`, 'needs run-task-subnets', 'give the subnets as well'),
    );
  }
  const network: NetworkConfiguration | undefined =
    subnets.length > 0
      ? {
          awsvpcConfiguration: {
            subnets,
            assignPublicIp: publicIp ?? 'DISABLED',
            ...(securityGroups.length ? { securityGroups } : {}),
          },
        }
      : undefined;

  const environment = problems.attempt(() => inputs.optional(INPUT.environment));
  const environmentUrl = problems.attempt(() => inputs.optional(INPUT.environmentUrl));
  if (environmentUrl !== undefined && !/^https?:\/\/\S+$/.test(environmentUrl)) {
    problems.push(
      new ConfigError(`input '${INPUT.environmentUrl}'`, 'is not an http(s) URL', 'use e.g. https://app.example.com'),
    );
  }
  if (environment !== undefined && token === undefined) {
    problems.push(
      new ConfigError(
        `input '${INPUT.environment}'`,
        'needs github-token to record a GitHub deployment',
        'pass github-token: ${{ github.token }}',
      ),
    );
  }

  // What to deploy: a task definition file (cleaned and validated as render-task-def does), or an existing revision.
  const warnings: string[] = [];
  let taskDefinition: RegisterTaskDefinitionCommandInput | undefined;
  const file = problems.attempt(() => inputs.optional(INPUT.taskDefinition));
  const existing = problems.attempt(() => inputs.optional(INPUT.taskDefinitionArn));
  if (file !== undefined && existing !== undefined) {
    problems.add(
      `input '${INPUT.taskDefinitionArn}'`,
      `is set together with '${INPUT.taskDefinition}'`,
      'give one of them',
    );
  } else if (file === undefined && existing === undefined) {
    problems.add(
      `input '${INPUT.taskDefinition}'`,
      'is required',
      `set 'with: task-definition: <file>' to register one, or 'task-definition-arn: <family:revision or ARN>' to deploy an existing revision`,
    );
  }
  if (existing !== undefined && !REVISION.test(existing)) {
    problems.add(
      `input '${INPUT.taskDefinitionArn}'`,
      `'${existing}' is not a task definition revision`,
      'use family:revision (e.g. learning-platform-api:41) or the task definition ARN',
    );
  }
  if (file !== undefined) {
    const where = `input '${INPUT.taskDefinition}' (${file})`;
    await problems.attemptAsync(async () => {
      const raw = await loadTaskDefinitionFile(workspacePath(file, io.env), where);
      const cleaned = cleanTaskDefinition(raw, where);
      validateTaskDefinition(cleaned.taskDefinition, where);
      taskDefinition = cleaned.taskDefinition;
      if (cleaned.removed.length) io.log.info(`removed read-only fields: ${cleaned.removed.join(', ')}`);
      for (const hint of cleaned.unknownHints) {
        warnings.push(`${where}: unknown key ${hint} dropped (ECS would ignore it)`);
      }
    });
  }
  for (const def of taskDefinition?.containerDefinitions ?? []) {
    for (const variable of def.environment ?? []) {
      if (variable.value && variable.name && isSecretName(variable.name)) {
        maskSecret(variable.value, io.setSecret);
        secrets.push(variable.value);
        warnings.push(
          `container '${def.name ?? '?'}' has ${variable.name} as a plain environment value; use secrets (Parameter Store) instead`,
        );
      }
    }
  }
  if (
    runTask &&
    container !== undefined &&
    taskDefinition &&
    !taskDefinition.containerDefinitions?.some((c) => c.name === container)
  ) {
    problems.push(
      new ConfigError(
        `input '${INPUT.runTaskContainer}'`,
        `'${container}' is not a container of the task definition`,
        `use one of: ${(taskDefinition.containerDefinitions ?? []).map((c) => c.name).join(', ')}`,
      ),
    );
  }
  problems.throwIfAny();
  // Reading them without a recorded error means they are set.
  const revision: Revision | undefined =
    taskDefinition !== undefined ? { register: taskDefinition } : existing !== undefined ? { existing } : undefined;
  if (revision === undefined || service === undefined || waitUntil === undefined) {
    throw new Error('required inputs missing without an error');
  }
  return {
    region,
    secrets,
    warnings,
    ...(token !== undefined && environment !== undefined ? { github: { token, environment, environmentUrl } } : {}),
    deploy: {
      cluster,
      service,
      revision,
      wait,
      waitMinutes,
      pollSeconds,
      waitUntil,
      forceNewDeployment,
      desiredCount,
      propagateTags,
      enableEcsManagedTags: managedTags,
      rollback,
      runTask: runTask ? { command, container, network, startedBy } : undefined,
      keepRevisions,
      logLines,
    },
  };
}

/** Replaces known secret values and the values of secret-looking NAME=value pairs. */
export function redactor(secrets: readonly string[]): (text: string) => string {
  return (text) =>
    redact(text, secrets).replace(ASSIGNMENT, (match, name: string, sep: string) =>
      isSecretName(name) ? `${name}${sep}***` : match,
    );
}
