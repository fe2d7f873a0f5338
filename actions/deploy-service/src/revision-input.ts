// What to deploy: a task definition file (cleaned and validated as render-task-def does, keep-null-value-keys
// applied) or an existing revision named by task-definition-arn.
import type { RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import { maskSecret, workspacePath, type ActionIO, type ErrorCollector } from '@deploy-actions/core';
import type { Revision } from '@deploy-actions/deploy';
import { cleanTaskDefinition, loadTaskDefinitionFile, validateTaskDefinition } from '@deploy-actions/taskdef';
import { INPUT } from './input-names';
import { list } from './run-task-options';
import { isSecretName } from './secrets';

/** An existing revision: a task definition ARN or family:revision (a bare family would mean "latest"). */
const REVISION = /^(arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:task-definition\/)?[A-Za-z0-9_-]{1,255}:[1-9]\d*$/;

export interface RevisionInput {
  readonly revision: Revision | undefined;
  /** The file's task definition, when one is registered (checked against the other inputs before any call). */
  readonly file: RegisterTaskDefinitionCommandInput | undefined;
}

/** Reads task-definition or task-definition-arn; secret-looking plain environment values are masked and noted. */
export async function readRevision(
  io: ActionIO,
  problems: ErrorCollector,
  found: { secrets: string[]; warnings: string[] },
): Promise<RevisionInput> {
  const { inputs } = io;
  const file = problems.attempt(() => inputs.optional(INPUT.taskDefinition));
  const existing = problems.attempt(() => inputs.optional(INPUT.taskDefinitionArn));
  const keepEmpty = list(problems.attempt(() => inputs.optional(INPUT.keepNullValueKeys)));
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
      'is not a task definition revision',
      'use family:revision (e.g. learning-platform-api:41) or the task definition ARN',
    );
  }
  if (existing !== undefined && keepEmpty.length > 0) {
    problems.add(
      `input '${INPUT.keepNullValueKeys}'`,
      `applies to a task definition file, and '${INPUT.taskDefinitionArn}' registers nothing`,
      'remove it',
    );
  }
  let taskDefinition: RegisterTaskDefinitionCommandInput | undefined;
  if (file !== undefined) {
    const where = `input '${INPUT.taskDefinition}' (${file})`;
    await problems.attemptAsync(async () => {
      const raw = await loadTaskDefinitionFile(workspacePath(file, io.env), where);
      const cleaned = cleanTaskDefinition(raw, where, { keepEmpty: new Set(keepEmpty) });
      validateTaskDefinition(cleaned.taskDefinition, where);
      taskDefinition = cleaned.taskDefinition;
      if (cleaned.removed.length) io.log.info(`removed read-only fields: ${cleaned.removed.join(', ')}`);
      for (const hint of cleaned.unknownHints) {
        found.warnings.push(`${where}: unknown key ${hint} dropped (ECS would ignore it)`);
      }
    });
  }
  for (const def of taskDefinition?.containerDefinitions ?? []) {
    for (const variable of def.environment ?? []) {
      if (variable.value && variable.name && isSecretName(variable.name)) {
        maskSecret(variable.value, io.setSecret);
        found.secrets.push(variable.value);
        found.warnings.push(
          `container '${def.name ?? '?'}' has ${variable.name} as a plain environment value; use secrets (Parameter Store) instead`,
        );
      }
    }
  }
  const revision: Revision | undefined =
    taskDefinition !== undefined ? { register: taskDefinition } : existing !== undefined ? { existing } : undefined;
  return { revision, file: taskDefinition };
}
