import type {
  ContainerDefinition,
  KeyValuePair,
  LogDriver,
  RegisterTaskDefinitionCommandInput,
  Secret,
} from '@aws-sdk/client-ecs';
import { ConfigError, ErrorCollector } from '@deploy-actions/core';

export type MergeMode = 'merge' | 'replace';

export interface NamedValue {
  readonly name: string;
  readonly value: string;
}

/** A secret for one container; `container` undefined means the render targets (container-name). */
export interface SecretSpec {
  readonly container?: string | undefined;
  readonly name: string;
  readonly valueFrom: string;
}

/** What to change in a task definition. Every field is optional: an empty object renders the file as is. */
export interface RenderOptions {
  /** Containers that environment, secrets, logging, labels and command apply to (default: the only container). */
  readonly containers?: readonly string[];
  /** Image for the target containers (`containers`, or the only container). */
  readonly image?: string;
  /** Image per container name. */
  readonly images?: Readonly<Record<string, string>>;
  /** S3 object ARNs of env files for the target containers; they replace the container's environmentFiles. */
  readonly environmentFiles?: readonly string[];
  readonly environment?: { readonly values: readonly NamedValue[]; readonly mode: MergeMode };
  readonly secrets?: { readonly values: readonly NamedValue[]; readonly mode: MergeMode };
  /** Secrets from a parameters manifest, merged after `secrets` (each may name its own container). */
  readonly manifestSecrets?: readonly SecretSpec[];
  readonly logDriver?: string;
  readonly logOptions?: Readonly<Record<string, string>>;
  readonly dockerLabels?: Readonly<Record<string, string>>;
  readonly command?: readonly string[];
  readonly cpu?: string;
  readonly memory?: string;
  readonly taskRoleArn?: string;
  readonly executionRoleArn?: string;
  /** Merged into the task definition's tags by key. */
  readonly tags?: Readonly<Record<string, string>>;
  /** Region for the awslogs default `awslogs-region`. */
  readonly region?: string;
}

/**
 * How the caller names the options in messages, so a user is told about the inputs of the action they called
 * (render-task-def's `input 'container-name'`) and never about another action's. Without labels the messages
 * name the option's meaning only.
 */
export interface RenderLabels {
  /** `containers`: the containers the render targets. */
  readonly containers: string;
  readonly image: string;
  readonly images: string;
  /** `manifestSecrets`: where the manifest's secrets came from. */
  readonly manifestSecrets: string;
}

export const NEUTRAL_LABELS: RenderLabels = {
  containers: 'the containers to change',
  image: 'the image',
  images: 'the images by container',
  manifestSecrets: 'the parameters manifest',
};

/** Default stream prefix of awslogs (Fargate requires one); streams become `ecs/<container>/<task-id>`. */
export const AWSLOGS_STREAM_PREFIX = 'ecs';

function containerNames(td: RegisterTaskDefinitionCommandInput): string[] {
  return (td.containerDefinitions ?? []).map((c) => c.name ?? '');
}

/** Problem and fix for a container name the definition does not have, listing the ones it has. */
function unknownContainer(name: string, td: RegisterTaskDefinitionCommandInput): [string, string] {
  const names = containerNames(td);
  return [
    `there is no container '${name}' in the task definition`,
    names.length ? `the containers are: ${names.join(', ')}` : 'the task definition has no containers',
  ];
}

function mergeByName<T extends { name?: string | undefined }>(
  existing: readonly T[] | undefined,
  incoming: readonly T[],
  mode: MergeMode,
): T[] {
  if (mode === 'replace') return [...incoming];
  const out = [...(existing ?? [])];
  for (const item of incoming) {
    const at = out.findIndex((e) => e.name === item.name);
    if (at === -1) out.push(item);
    else out[at] = item;
  }
  return out;
}

/** Whether any option changes the target containers (so a definition of several needs container-name). */
function needsTarget(options: RenderOptions): boolean {
  return (
    options.image !== undefined ||
    options.environmentFiles !== undefined ||
    options.environment !== undefined ||
    options.secrets !== undefined ||
    (options.manifestSecrets ?? []).some((s) => s.container === undefined) ||
    options.logDriver !== undefined ||
    options.logOptions !== undefined ||
    options.dockerLabels !== undefined ||
    options.command !== undefined
  );
}

/** The containers `image`, environment, secrets, logging, labels and command apply to. */
function resolveTargets(
  td: RegisterTaskDefinitionCommandInput,
  options: RenderOptions,
  errors?: ErrorCollector,
  labels: RenderLabels = NEUTRAL_LABELS,
): ContainerDefinition[] {
  const containers = td.containerDefinitions ?? [];
  if (options.containers && options.containers.length > 0) {
    const found: ContainerDefinition[] = [];
    for (const name of options.containers) {
      const container = containers.find((c) => c.name === name);
      if (container) found.push(container);
      else errors?.add(labels.containers, ...unknownContainer(name, td));
    }
    return found;
  }
  if (containers.length === 1 && containers[0]) return [containers[0]];
  if (needsTarget(options)) {
    errors?.add(
      labels.containers,
      `is needed to know which of the ${containers.length} containers to change`,
      `use one of: ${containerNames(td).join(', ')}`,
    );
  }
  return [];
}

/**
 * The containers a render changes: its targets, those given an image by name, and those the manifest wires
 * secrets into. The others are as the source had them (a later step of a multi-step render may change them).
 */
export function changedContainers(td: RegisterTaskDefinitionCommandInput, options: RenderOptions): string[] {
  const names = new Set<string>(Object.keys(options.images ?? {}));
  if (needsTarget(options)) for (const c of resolveTargets(td, options)) names.add(c.name ?? '');
  for (const s of options.manifestSecrets ?? []) if (s.container !== undefined) names.add(s.container);
  return [...names];
}

/**
 * Applies one deploy's changes to a cleaned task definition and returns a new one (the input is not modified).
 * Input errors that depend on the definition (unknown container, no target container) are collected and thrown
 * together as ConfigErrors; call validateTaskDefinition on the result afterwards.
 */
export function renderTaskDefinition(
  source: RegisterTaskDefinitionCommandInput,
  options: RenderOptions,
  labels: RenderLabels = NEUTRAL_LABELS,
): RegisterTaskDefinitionCommandInput {
  const td = structuredClone(source);
  const errors = new ErrorCollector();
  const containers = td.containerDefinitions ?? [];
  if (containers.length === 0) {
    // Said once, as the missing field, rather than as every container name the inputs give being unknown.
    throw new ConfigError('task definition', 'has no containerDefinitions', 'add the list of containers to the file');
  }
  const byName = (name: string): ContainerDefinition | undefined => containers.find((c) => c.name === name);

  for (const [name, image] of Object.entries(options.images ?? {})) {
    const container = byName(name);
    if (!container) {
      errors.add(labels.images, ...unknownContainer(name, td));
    } else container.image = image;
  }

  const targets = resolveTargets(td, options, errors, labels);
  for (const c of targets) {
    if (options.image !== undefined && options.images?.[c.name ?? ''] !== undefined) {
      errors.add(
        `${labels.image} and ${labels.images}`,
        `both give container '${c.name ?? ''}' an image`,
        'use one of them for this container',
      );
    }
    if (options.image !== undefined) c.image = options.image;
    if (options.environmentFiles) c.environmentFiles = options.environmentFiles.map((value) => ({ value, type: 's3' }));
    if (options.environment) {
      const incoming: KeyValuePair[] = options.environment.values.map((v) => ({ name: v.name, value: v.value }));
      c.environment = mergeByName(c.environment, incoming, options.environment.mode);
    }
    if (options.secrets) {
      const incoming: Secret[] = options.secrets.values.map((v) => ({ name: v.name, valueFrom: v.value }));
      c.secrets = mergeByName(c.secrets, incoming, options.secrets.mode);
    }
    if (options.logDriver !== undefined || options.logOptions !== undefined) {
      const current = c.logConfiguration;
      // The driver is checked against the SDK's LogDriver values by validateTaskDefinition afterwards.
      const driver = (options.logDriver ?? current?.logDriver) as LogDriver | undefined;
      // Options of another driver mean nothing to the new one, so a driver change starts from empty options.
      const same = current !== undefined && current.logDriver === driver;
      const opts: Record<string, string> = { ...(same ? current.options : {}), ...options.logOptions };
      if (driver === 'awslogs') {
        opts['awslogs-group'] ??= `/ecs/${td.family ?? c.name ?? 'task'}`;
        opts['awslogs-stream-prefix'] ??= AWSLOGS_STREAM_PREFIX;
        if (options.region !== undefined) opts['awslogs-region'] ??= options.region;
      }
      c.logConfiguration = { ...(same ? current : {}), logDriver: driver, options: opts };
    }
    if (options.dockerLabels) c.dockerLabels = { ...c.dockerLabels, ...options.dockerLabels };
    if (options.command) c.command = [...options.command];
  }

  const missing = new Map<string, string[]>();
  for (const spec of options.manifestSecrets ?? []) {
    const where = spec.container === undefined ? targets : [byName(spec.container)];
    if (where.length === 1 && where[0] === undefined) {
      missing.set(spec.container ?? '', [...(missing.get(spec.container ?? '') ?? []), spec.name]);
      continue;
    }
    for (const c of where) {
      if (!c) continue;
      c.secrets = mergeByName(c.secrets, [{ name: spec.name, valueFrom: spec.valueFrom }], 'merge');
      // A value that now comes from Parameter Store must not stay a plain environment value as well.
      if (c.environment?.some((e) => e.name === spec.name)) {
        c.environment = c.environment.filter((e) => e.name !== spec.name);
      }
    }
  }

  for (const [container, parameters] of missing) {
    const [problem, fix] = unknownContainer(container, td);
    errors.add(
      labels.manifestSecrets,
      `${problem}, but the manifest puts ${parameters.length} parameter(s) there (${parameters.slice(0, 3).join(', ')}${parameters.length > 3 ? ', …' : ''})`,
      `${fix}; fix 'container' in the manifest or the task definition`,
    );
  }

  if (options.cpu !== undefined) td.cpu = options.cpu;
  if (options.memory !== undefined) td.memory = options.memory;
  if (options.taskRoleArn !== undefined) td.taskRoleArn = options.taskRoleArn;
  if (options.executionRoleArn !== undefined) td.executionRoleArn = options.executionRoleArn;
  if (options.tags) {
    const tags = [...(td.tags ?? [])];
    for (const [key, value] of Object.entries(options.tags)) {
      const at = tags.findIndex((t) => t.key === key);
      if (at === -1) tags.push({ key, value });
      else tags[at] = { key, value };
    }
    td.tags = tags;
  }
  errors.throwIfAny();
  return td;
}
