export { checkApiShape, cleanTaskDefinition, type CleanResult } from './clean';
export {
  validateTaskDefinition,
  containerLabel,
  RULES,
  MAX_CONTAINERS,
  MAX_TASK_DEFINITION_BYTES,
  type FieldInputs,
  type ValidateOptions,
  type ValidateResult,
} from './validate';
export { loadTaskDefinitionFile } from './load';
export { FARGATE_SIZES, fargateMemoryOptions, parseCpuUnits, parseMemoryMiB } from './fargate';
export {
  CAPACITY_PROVIDER_STRATEGY_ITEM,
  CONTAINER_OVERRIDE,
  ECS_SDK_VERSION,
  READ_ONLY_FIELDS,
  REGISTER_TASK_DEFINITION,
  SERVICE_MANAGED_EBS_VOLUME,
  TAG,
  TASK_MANAGED_EBS_VOLUME,
} from './known-keys.generated';
export type { Shape, Scalar } from './shape';
export { splitCommand } from './command';
export {
  renderTaskDefinition,
  changedContainers,
  AWSLOGS_STREAM_PREFIX,
  NEUTRAL_LABELS,
  type RenderLabels,
  type RenderOptions,
  type MergeMode,
  type NamedValue,
  type SecretSpec,
} from './render';
export { diffTaskDefinitions, type Change, type ChangeAction } from './diff';
