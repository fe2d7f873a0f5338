import { parseJsonOrKeyValues } from '@deploy-actions/core';
import { parseCpuUnits, parseMemoryMiB, splitCommand, type RenderOptions } from '@deploy-actions/taskdef';
import { INPUT, input } from '../inputs';
import type { Reader } from './reader';

/** A role ARN, or a role name ECS resolves in the task's account (what AWS's own examples use). */
const ROLE_ARN = /^(arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}|[\w+=,.@-]{1,64})$/;

type Fields = Pick<
  RenderOptions,
  | 'logDriver'
  | 'logOptions'
  | 'dockerLabels'
  | 'command'
  | 'cpu'
  | 'memory'
  | 'taskRoleArn'
  | 'executionRoleArn'
  | 'tags'
>;

/** Container settings (logging, labels, command) and task-level fields (size, roles, tags). */
export function readFields({ inputs, errors }: Reader): Fields {
  const optional = (name: string): string | undefined => inputs.optional(name);
  const parsed = <T>(name: string, parse: (text: string, where: string) => T): T | undefined => {
    const text = optional(name);
    return text === undefined ? undefined : errors.attempt(() => parse(text, input(name)));
  };
  const logDriver = optional(INPUT.logDriver);
  const logOptions = parsed(INPUT.logOptions, parseJsonOrKeyValues);
  const dockerLabels = parsed(INPUT.dockerLabels, parseJsonOrKeyValues);
  const command = parsed(INPUT.command, splitCommand);

  const cpu = optional(INPUT.cpu);
  if (cpu !== undefined && parseCpuUnits(cpu) === undefined) {
    errors.add(input(INPUT.cpu), 'is not a CPU size', 'use CPU units such as 256, 512, 1024, or "1 vCPU"');
  }
  const memory = optional(INPUT.memory);
  if (memory !== undefined && parseMemoryMiB(memory) === undefined) {
    errors.add(input(INPUT.memory), 'is not a memory size', 'use MiB such as 512, 2048, or "2 GB"');
  }
  const taskRoleArn = optional(INPUT.taskRoleArn);
  const executionRoleArn = optional(INPUT.executionRoleArn);
  for (const [name, value] of [
    [INPUT.taskRoleArn, taskRoleArn],
    [INPUT.executionRoleArn, executionRoleArn],
  ] as const) {
    if (value !== undefined && !ROLE_ARN.test(value)) {
      errors.add(
        input(name),
        'is neither an IAM role ARN nor a role name',
        'use arn:aws:iam::<12-digit account>:role/<name>, or the role name alone',
      );
    }
  }
  const tags = parsed(INPUT.tags, parseJsonOrKeyValues);
  for (const key of Object.keys(tags ?? {})) {
    if (key.toLowerCase().startsWith('aws:')) {
      errors.add(
        input(INPUT.tags),
        'a tag key starts with aws:, which AWS reserves',
        'use a key that does not start with aws:',
      );
    }
  }
  return {
    ...(logDriver !== undefined && { logDriver }),
    ...(logOptions !== undefined && { logOptions }),
    ...(dockerLabels !== undefined && { dockerLabels }),
    ...(command !== undefined && { command }),
    ...(cpu !== undefined && { cpu }),
    ...(memory !== undefined && { memory }),
    ...(taskRoleArn !== undefined && { taskRoleArn }),
    ...(executionRoleArn !== undefined && { executionRoleArn }),
    ...(tags !== undefined && { tags }),
  };
}
