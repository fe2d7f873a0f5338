import { workspacePath } from '@deploy-actions/core';
import { INPUT, input } from '../inputs';
import type { Reader } from './reader';

/** `display` is the source as the user gave it, for messages and the summary. */
export type Source =
  | { readonly kind: 'file'; readonly input: string; readonly path: string; readonly display: string }
  | { readonly kind: 'live'; readonly input: string; readonly reference: string; readonly display: string };

const TASK_DEFINITION_ARN = /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:task-definition\/[A-Za-z0-9_-]{1,255}:\d+$/;
const FAMILY = /^[A-Za-z0-9_-]{1,255}$/;
const FAMILY_REVISION = /^[A-Za-z0-9_-]{1,255}:\d+$/;

/** Exactly one of a file, a family (with an optional revision) or an ARN. */
export function readSource({ inputs, errors, env }: Reader): Source | undefined {
  const file = inputs.optional(INPUT.taskDefinition);
  const family = inputs.optional(INPUT.family);
  const revision = inputs.optional(INPUT.revision);
  const arn = inputs.optional(INPUT.arn);
  if (revision !== undefined && family === undefined) {
    errors.add(
      input(INPUT.revision),
      'only applies with task-definition-family',
      'set task-definition-family too, or remove it',
    );
  }
  const given = [
    [INPUT.taskDefinition, file],
    [INPUT.family, family],
    [INPUT.arn, arn],
  ].filter(([, v]) => v !== undefined);
  if (given.length !== 1) {
    errors.add(
      given.length === 0
        ? "inputs 'task-definition' / 'task-definition-family' / 'task-definition-arn'"
        : `inputs ${given.map(([n]) => `'${n}'`).join(' and ')}`,
      given.length === 0 ? 'no task definition source is given' : 'more than one task definition source is given',
      'set exactly one: a file (task-definition), a family (task-definition-family) or an ARN (task-definition-arn)',
    );
    return undefined;
  }
  if (file !== undefined) {
    return { kind: 'file', input: INPUT.taskDefinition, path: workspacePath(file, env), display: file };
  }
  if (family !== undefined) {
    if (!FAMILY.test(family)) {
      errors.add(
        input(INPUT.family),
        'is not a family name',
        'use letters, digits, hyphens and underscores (no :revision; use task-definition-revision)',
      );
    }
    if (revision !== undefined && !/^[1-9]\d*$/.test(revision)) {
      errors.add(input(INPUT.revision), 'is not a revision number', 'use a whole number such as 12');
    }
    const reference = revision ? `${family}:${revision}` : family;
    return { kind: 'live', input: INPUT.family, reference, display: reference };
  }
  const reference = arn ?? '';
  if (!TASK_DEFINITION_ARN.test(reference) && !FAMILY_REVISION.test(reference)) {
    errors.add(
      input(INPUT.arn),
      'is not a task definition ARN',
      'use arn:aws:ecs:<region>:<account>:task-definition/<family>:<revision> or <family>:<revision>',
    );
  }
  return { kind: 'live', input: INPUT.arn, reference, display: reference };
}
