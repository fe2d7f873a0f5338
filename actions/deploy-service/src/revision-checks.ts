// What the inputs ask of the revision: the containers they name exist, the EBS volumes they configure are
// volumes the task definition configures at launch, and a one-off task without a service has a network.
// Checked against the file before any AWS call, and against an existing revision once it is described.
import type { RunTaskSpec } from '@deploy-actions/deploy';
import { ConfigError, ConfigErrors } from '@deploy-actions/core';
import type { TaskDefinition } from '@aws-sdk/client-ecs';
import { INPUT } from './input-names';

/** The parts of a task definition (a file's or a described one) the checks read. */
export type Revision = Pick<TaskDefinition, 'containerDefinitions' | 'volumes' | 'networkMode'>;

export interface Asked {
  readonly service: string | undefined;
  readonly runTask: RunTaskSpec | undefined;
  readonly serviceVolume: { readonly name?: string | undefined } | undefined;
}

function containers(td: Revision, spec: RunTaskSpec): ConfigError[] {
  const names = (td.containerDefinitions ?? []).map((c) => c.name ?? '');
  const choices = `use one of: ${names.join(', ')}`;
  const errors: ConfigError[] = [];
  if (spec.container !== undefined && !names.includes(spec.container)) {
    errors.push(
      new ConfigError(`input '${INPUT.runTaskContainer}'`, 'names no container of the task definition', choices),
    );
  }
  for (const [i, override] of (spec.containerOverrides ?? []).entries()) {
    if (names.includes(override.name ?? '')) continue;
    const where = `input '${INPUT.runTaskOverrides}' at [${i}].name`;
    errors.push(new ConfigError(where, 'names no container of the task definition', choices));
  }
  return errors;
}

function volume(td: Revision, input: string, name: string | undefined): ConfigError[] {
  if (name === undefined) return [];
  const atLaunch = (td.volumes ?? []).filter((v) => v.configuredAtLaunch === true).map((v) => v.name ?? '');
  if (atLaunch.includes(name)) return [];
  const fix = atLaunch.length
    ? `use one of: ${atLaunch.join(', ')}`
    : `add {"name": "${name}", "configuredAtLaunch": true} to the task definition's volumes`;
  return [
    new ConfigError(`input '${input}'`, `'${name}' is not a volume the task definition configures at launch`, fix),
  ];
}

/** Without a service there is no network configuration to take: an awsvpc task needs subnets. */
function network(td: Revision, asked: Asked, spec: RunTaskSpec): ConfigError[] {
  const mode = td.networkMode ?? 'bridge';
  if (spec.network !== undefined && mode !== 'awsvpc') {
    return [
      new ConfigError(
        `input '${INPUT.runTaskSubnets}'`,
        `the task definition's network mode is ${mode}; subnets and security groups apply only to awsvpc`,
        'remove them',
      ),
    ];
  }
  if (asked.service !== undefined || spec.network !== undefined) return [];
  if (mode === 'awsvpc') {
    return [
      new ConfigError(
        `input '${INPUT.runTaskSubnets}'`,
        'is required without a service: the task uses awsvpc networking and there is no service network to take',
        'give its subnets (and security groups)',
      ),
    ];
  }
  return spec.assignPublicIp !== undefined
    ? [
        new ConfigError(
          `input '${INPUT.runTaskPublicIp}'`,
          `applies to awsvpc tasks; this one's network mode is ${mode}`,
          'remove it',
        ),
      ]
    : [];
}

export function revisionProblems(td: Revision, asked: Asked): ConfigError[] {
  const spec = asked.runTask;
  return [
    ...(spec ? [...containers(td, spec), ...network(td, asked, spec)] : []),
    ...volume(td, INPUT.runTaskVolumeName, spec?.volume?.name),
    ...volume(td, INPUT.serviceVolumeName, asked.serviceVolume?.name),
  ];
}

/** The check the deploy runs on an existing revision once it is described, before anything changes. */
export function revisionCheck(asked: Asked): (td: TaskDefinition) => void {
  return (td) => {
    const problems = revisionProblems(td, asked);
    if (problems.length > 0) throw new ConfigErrors(problems);
  };
}
