import type { RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import { Check, type Rule, type ValidateOptions, type ValidateResult } from './context';
import { containerResources, containerSet, images } from './containers';
import { limits } from './limits';
import { logging } from './logging';
import { ports } from './ports';
import { references } from './references';
import { family, launchTypes, roles, storageAndVolumes, taskSize } from './task';
import { executionRole, variables } from './variables';

export { containerLabel, type FieldInputs, type ValidateOptions, type ValidateResult } from './context';
export { MAX_CONTAINERS, MAX_TASK_DEFINITION_BYTES } from './limits';

/** Every rule, by concern; each reads the definition and records problems, none depends on another's result. */
export const RULES: Readonly<Record<string, Rule>> = {
  family,
  launchTypes,
  taskSize,
  roles,
  storageAndVolumes,
  containerSet,
  images,
  containerResources,
  ports,
  variables,
  executionRole,
  logging,
  references,
  limits,
};

/**
 * Checks a cleaned task definition the way ECS would at registration (and at task start, for the Fargate size
 * table and awsvpc port rules), reporting every problem at once as ConfigErrors. Returns warnings: what only a
 * later step can still fix (see ValidateOptions.stage). A string is taken as `where` (stage register).
 */
export function validateTaskDefinition(
  td: RegisterTaskDefinitionCommandInput,
  options: ValidateOptions | string,
): ValidateResult {
  const check = new Check(td, typeof options === 'string' ? { where: options } : options);
  for (const rule of Object.values(RULES)) rule(check);
  check.errors.throwIfAny();
  return { warnings: check.warnings };
}
