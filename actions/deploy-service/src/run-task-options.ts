// The one-off task's inputs: ours (run-task-command, run-task-container) or aws-actions' JSON container
// overrides, the launch (type or capacity provider strategy), network, tags, a managed EBS volume and whether
// to wait. Every problem is collected; nothing here calls AWS.
import type {
  AssignPublicIp,
  CapacityProviderStrategyItem,
  ContainerOverride,
  LaunchType,
  NetworkConfiguration,
  Tag,
  TaskManagedEBSVolumeConfiguration,
} from '@aws-sdk/client-ecs';
import type { ErrorCollector, Inputs } from '@deploy-actions/core';
import type { Launch, RunTaskSpec } from '@deploy-actions/deploy';
import {
  CAPACITY_PROVIDER_STRATEGY_ITEM,
  CONTAINER_OVERRIDE,
  splitCommand,
  TAG,
  TASK_MANAGED_EBS_VOLUME,
} from '@deploy-actions/taskdef';
import { INPUT } from './input-names';
import { jsonList, managedVolume } from './json-inputs';

/** Every launch type ECS has (a Record, so a new one in the SDK fails the type check until it is listed). */
const LAUNCH_TYPES: Record<LaunchType, true> = { EC2: true, EXTERNAL: true, FARGATE: true, MANAGED_INSTANCES: true };

/** The run-task inputs without a default: setting one while run-task is false is a mistake worth naming. */
const ONLY_WITH_RUN_TASK = [
  INPUT.runTaskCommand,
  INPUT.runTaskContainer,
  INPUT.runTaskOverrides,
  INPUT.runTaskSubnets,
  INPUT.runTaskSecurityGroups,
  INPUT.runTaskPublicIp,
  INPUT.runTaskLaunchType,
  INPUT.runTaskCapacityProviders,
  INPUT.runTaskTags,
  INPUT.runTaskVolumeName,
  INPUT.runTaskVolume,
] as const;

export function list(text: string | undefined): string[] {
  return (text ?? '')
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function command(inputs: Inputs, problems: ErrorCollector): string[] | undefined {
  const text = problems.attempt(() => inputs.optional(INPUT.runTaskCommand));
  return text === undefined ? undefined : problems.attempt(() => splitCommand(text, `input '${INPUT.runTaskCommand}'`));
}

/** Container overrides in RunTask's own shape; not together with our command and container inputs. */
function overrides(inputs: Inputs, problems: ErrorCollector): ContainerOverride[] | undefined {
  const given = jsonList<ContainerOverride>(inputs, problems, INPUT.runTaskOverrides, CONTAINER_OVERRIDE, {
    example: '[{"name": "app", "command": ["bin/rails", "db:migrate"]}]',
    required: ['name'],
  });
  if (given === undefined) return undefined;
  const names = given.map((o) => o.name);
  const twice = names.filter((name, i) => names.indexOf(name) !== i);
  if (twice.length > 0) {
    problems.add(`input '${INPUT.runTaskOverrides}'`, `names container '${twice[0] ?? ''}' twice`, 'merge them');
  }
  for (const ours of [INPUT.runTaskCommand, INPUT.runTaskContainer]) {
    if (problems.attempt(() => inputs.optional(ours)) !== undefined) {
      problems.add(
        `input '${INPUT.runTaskOverrides}'`,
        `is set together with '${ours}'`,
        `give the command in one of them: run-task-command (with run-task-container) or the overrides' "command"`,
      );
    }
  }
  return given;
}

function launch(inputs: Inputs, problems: ErrorCollector): Launch | undefined {
  const type = problems.attempt(() => inputs.optional(INPUT.runTaskLaunchType));
  const strategy = jsonList<CapacityProviderStrategyItem>(
    inputs,
    problems,
    INPUT.runTaskCapacityProviders,
    CAPACITY_PROVIDER_STRATEGY_ITEM,
    { example: '[{"capacityProvider": "FARGATE_SPOT", "weight": 1}]', required: ['capacityProvider'] },
  );
  if (type !== undefined && !Object.hasOwn(LAUNCH_TYPES, type)) {
    problems.add(
      `input '${INPUT.runTaskLaunchType}'`,
      'is not a launch type',
      `use one of: ${Object.keys(LAUNCH_TYPES).join(', ')}`,
    );
    return undefined;
  }
  if (type !== undefined && strategy !== undefined) {
    problems.add(
      `input '${INPUT.runTaskLaunchType}'`,
      `is set together with '${INPUT.runTaskCapacityProviders}'`,
      'ECS takes one of them: remove the launch type or the strategy',
    );
    return undefined;
  }
  if (strategy !== undefined) return { capacityProviderStrategy: strategy };
  return type !== undefined ? { launchType: type as LaunchType } : undefined;
}

function tags(inputs: Inputs, problems: ErrorCollector): Tag[] | undefined {
  const given = jsonList<Tag>(inputs, problems, INPUT.runTaskTags, TAG, {
    example: '[{"key": "project", "value": "myproject"}]',
    required: ['key'],
  });
  const where = `input '${INPUT.runTaskTags}'`;
  for (const [i, tag] of (given ?? []).entries()) {
    // ECS refuses these; said here, before the task definition is registered.
    if (/^aws:/i.test(tag.key ?? ''))
      problems.add(`${where} at [${i}].key`, "uses the reserved prefix 'aws:'", 'rename it');
    if ((tag.key ?? '').length > 128) problems.add(`${where} at [${i}].key`, 'is longer than 128 characters');
    if ((tag.value ?? '').length > 256) problems.add(`${where} at [${i}].value`, 'is longer than 256 characters');
  }
  if ((given?.length ?? 0) > 50) problems.add(where, 'has more than 50 tags, the most ECS takes');
  return given;
}

function networkConfiguration(
  inputs: Inputs,
  problems: ErrorCollector,
  publicIp: AssignPublicIp | undefined,
): NetworkConfiguration | undefined {
  const subnets = list(problems.attempt(() => inputs.optional(INPUT.runTaskSubnets)));
  const securityGroups = list(problems.attempt(() => inputs.optional(INPUT.runTaskSecurityGroups)));
  if (securityGroups.length > 0 && subnets.length === 0) {
    problems.add(`input '${INPUT.runTaskSecurityGroups}'`, 'needs run-task-subnets', 'give the subnets as well');
  }
  if (subnets.length === 0) return undefined;
  return {
    awsvpcConfiguration: {
      subnets,
      assignPublicIp: publicIp ?? 'DISABLED',
      ...(securityGroups.length ? { securityGroups } : {}),
    },
  };
}

/** The one-off task, when run-task is true; `managedTags` is enable-ecs-managed-tags (it applies to it too). */
export function readRunTask(
  inputs: Inputs,
  problems: ErrorCollector,
  managedTags: boolean | undefined,
): RunTaskSpec | undefined {
  const runTask = problems.attempt(() => inputs.boolean(INPUT.runTask, false)) ?? false;
  if (!runTask) {
    for (const name of ONLY_WITH_RUN_TASK) {
      if (problems.attempt(() => inputs.optional(name)) !== undefined) {
        problems.add(`input '${name}'`, 'is set but run-task is false', 'set run-task: true or remove it');
      }
    }
  }
  // Read (and checked) either way: a mistake in them is worth knowing before run-task is turned on.
  const publicIp = problems.attempt(() =>
    inputs.optional(INPUT.runTaskPublicIp) === undefined
      ? undefined
      : inputs.oneOf<AssignPublicIp>(INPUT.runTaskPublicIp, ['ENABLED', 'DISABLED'], 'DISABLED'),
  );
  const network = networkConfiguration(inputs, problems, publicIp);
  const spec: RunTaskSpec = {
    command: command(inputs, problems),
    container: problems.attempt(() => inputs.optional(INPUT.runTaskContainer)),
    containerOverrides: overrides(inputs, problems),
    network,
    assignPublicIp: network === undefined ? publicIp : undefined,
    launch: launch(inputs, problems),
    tags: tags(inputs, problems),
    enableEcsManagedTags: managedTags,
    volume: managedVolume<TaskManagedEBSVolumeConfiguration>(
      inputs,
      problems,
      { name: INPUT.runTaskVolumeName, volume: INPUT.runTaskVolume },
      TASK_MANAGED_EBS_VOLUME,
    ),
    startedBy: problems.attempt(() => inputs.optional(INPUT.runTaskStartedBy)) ?? 'deploy-actions',
    wait: problems.attempt(() => inputs.boolean(INPUT.waitForTask, true)) ?? true,
  };
  return runTask ? spec : undefined;
}
