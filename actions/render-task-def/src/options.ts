import {
  ErrorCollector,
  isAwsRegion,
  parseJsonOrKeyValues,
  workspacePath,
  type Inputs,
  type KeyValue,
} from '@deploy-actions/core';
import {
  parseCpuUnits,
  parseMemoryMiB,
  splitCommand,
  type FieldInputs,
  type MergeMode,
  type NamedValue,
  type RenderOptions,
} from '@deploy-actions/taskdef';

/** Input names in one place (aws-actions/amazon-ecs-render-task-definition's where they exist). */
export const INPUT = {
  taskDefinition: 'task-definition',
  family: 'task-definition-family',
  revision: 'task-definition-revision',
  arn: 'task-definition-arn',
  containerName: 'container-name',
  image: 'image',
  images: 'images',
  envFiles: 'env-files',
  environment: 'environment-variables',
  environmentMode: 'environment-mode',
  secrets: 'secrets',
  secretsMode: 'secrets-mode',
  manifest: 'parameters-manifest',
  manifestEnvironment: 'environment',
  accountId: 'aws-account-id',
  region: 'aws-region',
  logDriver: 'log-configuration-log-driver',
  logOptions: 'log-configuration-options',
  dockerLabels: 'docker-labels',
  command: 'command',
  cpu: 'cpu',
  memory: 'memory',
  taskRoleArn: 'task-role-arn',
  executionRoleArn: 'execution-role-arn',
  tags: 'tags',
  unknownKeys: 'unknown-keys',
} as const;

/** `display` is the source as the user gave it, for messages and the summary. */
export type Source =
  | { readonly kind: 'file'; readonly input: string; readonly path: string; readonly display: string }
  | { readonly kind: 'live'; readonly input: string; readonly reference: string; readonly display: string };

/** The task definition fields this action's inputs set, for validation messages. */
export const FIELD_INPUTS: FieldInputs = {
  image: INPUT.image,
  cpu: INPUT.cpu,
  memory: INPUT.memory,
  taskRoleArn: INPUT.taskRoleArn,
  executionRoleArn: INPUT.executionRoleArn,
  logDriver: INPUT.logDriver,
};

export interface Options {
  readonly source: Source;
  /** Everything the inputs change, built once here: main only applies it. */
  readonly plan: RenderOptions;
  readonly manifest?: { path: string; input: string; environment: string };
  readonly accountId?: string;
  readonly region?: string;
  readonly unknownKeys: 'warn' | 'error';
}

/** A role ARN, or a role name ECS resolves in the task's account (what AWS's own examples use). */
const ROLE_ARN = /^(arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}|[\w+=,.@-]{1,64})$/;
const S3_OBJECT_ARN = /^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/\S+$/;
const TASK_DEFINITION_ARN = /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:task-definition\/[A-Za-z0-9_-]{1,255}:\d+$/;
const FAMILY = /^[A-Za-z0-9_-]{1,255}$/;
const CONTAINER = /^[A-Za-z0-9_-]{1,255}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

function named(
  errors: ErrorCollector,
  input: string,
  pairs: readonly KeyValue[],
  check: (kv: KeyValue) => void,
): NamedValue[] {
  const seen = new Set<string>();
  return pairs.map((kv) => {
    if (seen.has(kv.key)) errors.add(`input '${input}'`, `'${kv.key}' is given twice`, 'keep one line per name');
    seen.add(kv.key);
    check(kv);
    return { name: kv.key, value: kv.value };
  });
}

/**
 * Reads every input into one typed object and checks everything that does not need the task definition, before
 * any file is read or AWS is called. All problems are thrown together as ConfigErrors.
 */
export function readOptions(inputs: Inputs, env: NodeJS.ProcessEnv): Options {
  const errors = new ErrorCollector();
  const opt = (name: string): string | undefined => inputs.optional(name);

  // Source: exactly one.
  const file = opt(INPUT.taskDefinition);
  const family = opt(INPUT.family);
  const revision = opt(INPUT.revision);
  const arn = opt(INPUT.arn);
  const given = [
    [INPUT.taskDefinition, file],
    [INPUT.family, family],
    [INPUT.arn, arn],
  ].filter(([, v]) => v !== undefined);
  let source: Source | undefined;
  if (given.length !== 1) {
    errors.add(
      given.length === 0
        ? "inputs 'task-definition' / 'task-definition-family' / 'task-definition-arn'"
        : `inputs ${given.map(([n]) => `'${n}'`).join(' and ')}`,
      given.length === 0 ? 'no task definition source is given' : 'more than one task definition source is given',
      'set exactly one: a file (task-definition), a family (task-definition-family) or an ARN (task-definition-arn)',
    );
  } else if (file !== undefined) {
    source = { kind: 'file', input: INPUT.taskDefinition, path: workspacePath(file, env), display: file };
  } else if (family !== undefined) {
    if (!FAMILY.test(family)) {
      errors.add(
        `input '${INPUT.family}'`,
        'is not a family name',
        'use letters, digits, hyphens and underscores (no :revision; use task-definition-revision)',
      );
    }
    if (revision !== undefined && !/^[1-9]\d*$/.test(revision)) {
      errors.add(`input '${INPUT.revision}'`, 'is not a revision number', 'use a whole number such as 12');
    }
    const reference = revision ? `${family}:${revision}` : family;
    source = { kind: 'live', input: INPUT.family, reference, display: reference };
  } else if (arn !== undefined) {
    if (!TASK_DEFINITION_ARN.test(arn) && !/^[A-Za-z0-9_-]{1,255}:\d+$/.test(arn)) {
      errors.add(
        `input '${INPUT.arn}'`,
        'is not a task definition ARN',
        'use arn:aws:ecs:<region>:<account>:task-definition/<family>:<revision> or <family>:<revision>',
      );
    }
    source = { kind: 'live', input: INPUT.arn, reference: arn, display: arn };
  }
  if (revision !== undefined && family === undefined) {
    errors.add(
      `input '${INPUT.revision}'`,
      'only applies with task-definition-family',
      'set task-definition-family too, or remove it',
    );
  }

  // Containers and images.
  const containers = (opt(INPUT.containerName) ?? '')
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n !== '');
  for (const name of containers) {
    if (!CONTAINER.test(name))
      errors.add(
        `input '${INPUT.containerName}'`,
        `'${name}' is not a container name`,
        'use letters, digits, hyphens and underscores; separate several with commas',
      );
  }
  const images: Record<string, string> = {};
  const checkImage = (where: string, image: string): void => {
    if (/\s/.test(image) || image === '')
      errors.add(
        where,
        'is not an image reference',
        'use e.g. 123456789012.dkr.ecr.eu-west-2.amazonaws.com/web@sha256:... or nginx:1.27',
      );
  };
  const image = opt(INPUT.image);
  const imageLines = errors.attempt(() => inputs.keyValues(INPUT.images)) ?? [];
  if (image !== undefined) {
    checkImage(`input '${INPUT.image}'`, image);
    for (const name of containers) {
      if (imageLines.some((l) => l.key === name)) {
        errors.add(
          `inputs '${INPUT.image}' and '${INPUT.images}'`,
          `both give container '${name}' an image`,
          'use one of them for this container',
        );
      }
    }
  }
  for (const { key, value } of imageLines) {
    if (!CONTAINER.test(key))
      errors.add(`input '${INPUT.images}'`, `'${key}' is not a container name`, 'write container=image, one per line');
    checkImage(`input '${INPUT.images}' for '${key}'`, value);
    if (images[key] !== undefined) {
      errors.add(
        `input '${INPUT.images}'`,
        `container '${key}' is given an image twice`,
        `give each container one image (also check the image input)`,
      );
    }
    images[key] = value;
  }

  // With container-name, aws-actions requires the image; an empty one is what a mistyped step id or output in
  // ${{ steps.<id>.outputs.image }} gives, and must not quietly deploy the image the file already had.
  if (containers.length > 0 && image === undefined && imageLines.length === 0) {
    errors.add(
      `input '${INPUT.image}'`,
      'is empty, but container-name is set',
      'give the image to deploy (check the step id and output name of the expression), or images: container=image',
    );
  }
  const envFiles = inputs.lines(INPUT.envFiles);
  envFiles.forEach((arn, i) => {
    if (!S3_OBJECT_ARN.test(arn)) {
      errors.add(
        `input '${INPUT.envFiles}' line ${i + 1}`,
        'is not an S3 object ARN',
        'use arn:aws:s3:::<bucket>/<key>.env',
      );
    }
  });

  // Environment and secrets.
  const mode = (name: string): MergeMode | undefined =>
    errors.attempt(() => inputs.oneOf<MergeMode>(name, ['merge', 'replace'], 'merge'));
  const environmentMode = mode(INPUT.environmentMode);
  const secretsMode = mode(INPUT.secretsMode);
  const envPairs = errors.attempt(() => inputs.keyValues(INPUT.environment)) ?? [];
  const envValues = named(errors, INPUT.environment, envPairs, ({ key }) => {
    if (!ENV_NAME.test(key))
      errors.add(
        `input '${INPUT.environment}'`,
        `'${key}' is not a valid variable name`,
        'use letters, digits and underscores, not starting with a digit',
      );
  });
  const secretPairs = errors.attempt(() => inputs.keyValues(INPUT.secrets)) ?? [];
  const secretValues = named(errors, INPUT.secrets, secretPairs, ({ key, value }) => {
    if (!ENV_NAME.test(key))
      errors.add(
        `input '${INPUT.secrets}'`,
        `'${key}' is not a valid variable name`,
        'use letters, digits and underscores',
      );
    if (value === '')
      errors.add(
        `input '${INPUT.secrets}'`,
        `'${key}' has no valueFrom`,
        'write NAME=arn:aws:ssm:...:parameter/... or a Secrets Manager ARN',
      );
  });
  for (const { name } of secretValues) {
    if (envValues.some((e) => e.name === name)) {
      errors.add(
        `inputs '${INPUT.environment}' and '${INPUT.secrets}'`,
        `'${name}' is in both`,
        'a variable is either a plain value or a secret',
      );
    }
  }

  // Parameters manifest.
  const manifestFile = opt(INPUT.manifest);
  const manifestEnvironment = opt(INPUT.manifestEnvironment);
  if (manifestFile !== undefined && manifestEnvironment === undefined) {
    errors.add(
      `input '${INPUT.manifestEnvironment}'`,
      'is required with parameters-manifest',
      'set it to an environment of the manifest, e.g. production',
    );
  }
  if (manifestFile === undefined && manifestEnvironment !== undefined) {
    errors.add(
      `input '${INPUT.manifestEnvironment}'`,
      'only applies with parameters-manifest',
      'set parameters-manifest too, or remove it',
    );
  }
  const accountId = opt(INPUT.accountId);
  if (accountId !== undefined && !/^\d{12}$/.test(accountId)) {
    errors.add(`input '${INPUT.accountId}'`, 'is not an AWS account ID', 'use the 12 digits, e.g. 123456789012');
  }
  const region = opt(INPUT.region) ?? env['AWS_REGION'] ?? env['AWS_DEFAULT_REGION'];
  if (region !== undefined && region !== '' && !isAwsRegion(region)) {
    errors.add(`input '${INPUT.region}'`, 'is not an AWS region code', 'use e.g. eu-west-2');
  }

  // Logging, labels, command.
  const logDriver = opt(INPUT.logDriver);
  const logOptionsText = opt(INPUT.logOptions);
  const logOptions =
    logOptionsText === undefined
      ? undefined
      : errors.attempt(() => parseJsonOrKeyValues(logOptionsText, `input '${INPUT.logOptions}'`));
  const labelsText = opt(INPUT.dockerLabels);
  const dockerLabels =
    labelsText === undefined
      ? undefined
      : errors.attempt(() => parseJsonOrKeyValues(labelsText, `input '${INPUT.dockerLabels}'`));
  const commandText = opt(INPUT.command);
  const command =
    commandText === undefined ? undefined : errors.attempt(() => splitCommand(commandText, `input '${INPUT.command}'`));

  // Task-level fields.
  const cpu = opt(INPUT.cpu);
  if (cpu !== undefined && parseCpuUnits(cpu) === undefined) {
    errors.add(`input '${INPUT.cpu}'`, 'is not a CPU size', 'use CPU units such as 256, 512, 1024, or "1 vCPU"');
  }
  const memory = opt(INPUT.memory);
  if (memory !== undefined && parseMemoryMiB(memory) === undefined) {
    errors.add(`input '${INPUT.memory}'`, 'is not a memory size', 'use MiB such as 512, 2048, or "2 GB"');
  }
  const taskRoleArn = opt(INPUT.taskRoleArn);
  const executionRoleArn = opt(INPUT.executionRoleArn);
  for (const [name, value] of [
    [INPUT.taskRoleArn, taskRoleArn],
    [INPUT.executionRoleArn, executionRoleArn],
  ] as const) {
    if (value !== undefined && !ROLE_ARN.test(value)) {
      errors.add(
        `input '${name}'`,
        'is neither an IAM role ARN nor a role name',
        'use arn:aws:iam::<12-digit account>:role/<name>, or the role name alone',
      );
    }
  }
  const tagsText = opt(INPUT.tags);
  const tags =
    tagsText === undefined ? undefined : errors.attempt(() => parseJsonOrKeyValues(tagsText, `input '${INPUT.tags}'`));
  for (const key of Object.keys(tags ?? {})) {
    if (key.startsWith('aws:'))
      errors.add(
        `input '${INPUT.tags}'`,
        `the tag key '${key}' is reserved by AWS`,
        'use a key that does not start with aws:',
      );
  }
  const unknownKeys =
    errors.attempt(() => inputs.oneOf(INPUT.unknownKeys, ['warn', 'error'] as const, 'warn')) ?? 'warn';

  errors.throwIfAny();
  if (source === undefined) throw new Error('unreachable: source checked above');
  const environmentReplace = inputs.optional(INPUT.environmentMode) === 'replace';
  const secretsReplace = inputs.optional(INPUT.secretsMode) === 'replace';
  const plan: RenderOptions = {
    containers,
    images,
    ...(image !== undefined && { image }),
    ...(envFiles.length > 0 && { environmentFiles: envFiles }),
    ...((envValues.length > 0 || environmentReplace) && {
      environment: { values: envValues, mode: environmentMode ?? 'merge' },
    }),
    ...((secretValues.length > 0 || secretsReplace) && {
      secrets: { values: secretValues, mode: secretsMode ?? 'merge' },
    }),
    ...(logDriver !== undefined && { logDriver }),
    ...(logOptions !== undefined && { logOptions }),
    ...(dockerLabels !== undefined && { dockerLabels }),
    ...(command !== undefined && { command }),
    ...(cpu !== undefined && { cpu }),
    ...(memory !== undefined && { memory }),
    ...(taskRoleArn !== undefined && { taskRoleArn }),
    ...(executionRoleArn !== undefined && { executionRoleArn }),
    ...(tags !== undefined && { tags }),
    ...(region !== undefined && region !== '' && { region }),
  };
  return {
    source,
    plan,
    ...(manifestFile !== undefined &&
      manifestEnvironment !== undefined && {
        manifest: { path: workspacePath(manifestFile, env), input: manifestFile, environment: manifestEnvironment },
      }),
    ...(accountId !== undefined && { accountId }),
    ...(region !== undefined && region !== '' && { region }),
    unknownKeys,
  };
}
