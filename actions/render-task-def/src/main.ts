import {
  actionCredentials,
  awsClientConfig,
  awsErrorName,
  ConfigError,
  DeployActionsError,
  isAccessDenied,
  runAction,
  type ActionIO,
} from '@deploy-actions/core';
import { environment as manifestEnvironment, loadManifest, taskSecrets } from '@deploy-actions/manifest';
import {
  cleanTaskDefinition,
  diffTaskDefinitions,
  loadTaskDefinitionFile,
  renderTaskDefinition,
  validateTaskDefinition,
  type RenderOptions,
  type SecretSpec,
} from '@deploy-actions/taskdef';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { INPUT, readOptions, type Options } from './options';
import { describeChange, renderSummary } from './summary';

export const ACTION = 'render-task-def';

/** The AWS calls and the file write, injected so tests can run main in-process. */
export interface RenderDeps {
  /** DescribeTaskDefinition with tags: `{taskDefinition, tags}`. */
  describeTaskDefinition(reference: string, region: string | undefined): Promise<unknown>;
  /** The caller's account (STS GetCallerIdentity), for SSM parameter ARNs. */
  accountId(region: string): Promise<string>;
  writeFile(file: string, text: string): Promise<void>;
}

export function awsDeps(io: ActionIO): RenderDeps {
  const { env } = io;
  const credentials = actionCredentials(io);
  return {
    describeTaskDefinition: async (reference, region) => {
      const { DescribeTaskDefinitionCommand, ECSClient } = await import(/* webpackMode: "eager" */ './aws-clients');
      const ecs = new ECSClient(awsClientConfig({ region, actionName: ACTION, credentials }, env));
      const { taskDefinition, tags } = await ecs.send(
        new DescribeTaskDefinitionCommand({ taskDefinition: reference, include: ['TAGS'] }),
      );
      return { taskDefinition, tags };
    },
    accountId: async (region) => {
      const { GetCallerIdentityCommand, STSClient } = await import(/* webpackMode: "eager" */ './aws-clients');
      const sts = new STSClient(awsClientConfig({ region, actionName: ACTION, credentials }, env));
      const { Account } = await sts.send(new GetCallerIdentityCommand({}));
      if (!Account) throw new DeployActionsError('STS GetCallerIdentity returned no account');
      return Account;
    },
    writeFile: (file, text) => writeFile(file, text, { flag: 'wx', mode: 0o600 }),
  };
}

async function describe(options: Options, deps: RenderDeps, reference: string, input: string): Promise<unknown> {
  try {
    return await deps.describeTaskDefinition(reference, options.region);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    const name = awsErrorName(error);
    if (name === 'ClientException' || name === 'InvalidParameterException') {
      throw new ConfigError(
        `input '${input}'`,
        `ECS cannot find the task definition '${reference}' (${(error as Error).message})`,
        'check the name, that a revision is ACTIVE, and the region (aws-region / AWS_REGION)',
      );
    }
    if (isAccessDenied(error)) {
      throw new DeployActionsError(
        `not allowed to read task definition '${reference}': grant ecs:DescribeTaskDefinition to the role (${(error as Error).message})`,
      );
    }
    throw error;
  }
}

async function account(options: Options, deps: RenderDeps, region: string): Promise<string> {
  if (options.accountId !== undefined) return options.accountId;
  try {
    return await deps.accountId(region);
  } catch (error) {
    throw new DeployActionsError(
      `cannot find the AWS account for the parameter ARNs (STS GetCallerIdentity: ${(error as Error).message}); set aws-account-id`,
      { cause: error },
    );
  }
}

export async function main(io: ActionIO, deps: RenderDeps = awsDeps(io)): Promise<void> {
  const options = readOptions(io.inputs, io.env);
  const { source } = options;
  const where =
    source.kind === 'file' ? `file '${io.inputs.raw(INPUT.taskDefinition)}'` : `task definition '${source.reference}'`;

  // Everything local first: the manifest and its environment, so a typo fails before any AWS call.
  const manifest = options.manifest ? await loadManifest(options.manifest.path) : undefined;
  if (manifest && options.manifest) manifestEnvironment(manifest, options.manifest.environment);
  if (manifest && options.region === undefined) {
    throw new ConfigError(
      `input '${INPUT.region}'`,
      'is needed to build the SSM parameter ARNs of the manifest',
      'set aws-region or AWS_REGION',
    );
  }

  const raw = await io.log.group(`Read ${where}`, async () =>
    source.kind === 'file'
      ? loadTaskDefinitionFile(source.path, where)
      : describe(options, deps, source.reference, source.input),
  );
  const cleaned = cleanTaskDefinition(raw, where);
  const names = (cleaned.taskDefinition.containerDefinitions ?? []).map((c) => c.name ?? '?');
  io.log.info(`family ${cleaned.taskDefinition.family ?? '(none)'}, containers: ${names.join(', ') || '(none)'}`);
  if (cleaned.removed.length > 0) io.log.notice(`${where}: removed read-only fields ${cleaned.removed.join(', ')}`);
  if (cleaned.unknownHints.length > 0) {
    const message = `${where}: keys the ECS API does not know (the SDK would drop them silently): ${cleaned.unknownHints.join(', ')}`;
    if (options.unknownKeys === 'error')
      throw new ConfigError(where, message.slice(where.length + 2), 'fix or remove them, or set unknown-keys: warn');
    io.log.warning(`${message}; they were dropped`);
  }
  if (cleaned.coerced.length > 0) io.log.info(`converted to the API's types: ${cleaned.coerced.join(', ')}`);

  const containers = cleaned.taskDefinition.containerDefinitions ?? [];
  const images = { ...options.images };
  if (options.image !== undefined) {
    const targets =
      options.containers.length > 0 ? options.containers : containers.length === 1 ? [containers[0]?.name ?? ''] : [];
    if (targets.length === 0) {
      throw new ConfigError(
        `input '${INPUT.containerName}'`,
        `is needed with image: the task definition has ${containers.length} containers`,
        `set it to one of: ${containers.map((c) => c.name ?? '').join(', ')} (or use images: container=image)`,
      );
    }
    for (const name of targets) {
      if (images[name] !== undefined) {
        throw new ConfigError(
          `inputs '${INPUT.image}' and '${INPUT.images}'`,
          `both give container '${name}' an image`,
          'use one of them for this container',
        );
      }
      images[name] = options.image;
    }
  }
  const renderOptions: RenderOptions = {
    containers: options.containers,
    images,
    ...(options.environment && { environment: options.environment }),
    ...(options.secrets && { secrets: options.secrets }),
    ...(options.logDriver !== undefined && { logDriver: options.logDriver }),
    ...(options.logOptions && { logOptions: options.logOptions }),
    ...(options.dockerLabels && { dockerLabels: options.dockerLabels }),
    ...(options.command && { command: options.command }),
    ...(options.cpu !== undefined && { cpu: options.cpu }),
    ...(options.memory !== undefined && { memory: options.memory }),
    ...(options.taskRoleArn !== undefined && { taskRoleArn: options.taskRoleArn }),
    ...(options.executionRoleArn !== undefined && { executionRoleArn: options.executionRoleArn }),
    ...(options.tags && { tags: options.tags }),
    ...(options.region !== undefined && { region: options.region }),
  };
  // Validate what the inputs make of the definition before asking STS for the account of the manifest ARNs.
  let rendered = renderTaskDefinition(cleaned.taskDefinition, renderOptions);
  validateTaskDefinition(rendered, where);
  if (manifest && options.manifest && options.region !== undefined) {
    const accountId = await account(options, deps, options.region);
    const manifestSecrets: SecretSpec[] = taskSecrets(manifest, options.manifest.environment, {
      region: options.region,
      account: accountId,
    });
    io.log.info(
      `${manifestSecrets.length} parameters of ${options.manifest.input} (${options.manifest.environment}) wired as secrets`,
    );
    rendered = renderTaskDefinition(cleaned.taskDefinition, { ...renderOptions, manifestSecrets });
    validateTaskDefinition(rendered, where);
  }

  const changes = diffTaskDefinitions(cleaned.taskDefinition, rendered);
  await io.log.group(`Changes (${changes.length})`, async () => {
    for (const change of changes) io.log.info(describeChange(change));
    if (changes.length === 0) io.log.info('none: the task definition is rendered as it was');
  });

  const family = rendered.family ?? '';
  const dir = io.env['RUNNER_TEMP'] || tmpdir();
  const file = path.join(dir, `task-definition-${family}-${randomBytes(4).toString('hex')}.json`);
  await deps.writeFile(file, `${JSON.stringify(rendered, null, 2)}\n`);
  io.log.info(`wrote ${file}`);

  io.setOutput('task-definition', file);
  io.setOutput('family', family);
  io.setOutput('changes', JSON.stringify(changes));
  await io.writeSummary(
    renderSummary({
      source: source.kind === 'file' ? io.inputs.raw(INPUT.taskDefinition) : source.reference,
      file: path.basename(file),
      before: cleaned.taskDefinition,
      after: rendered,
      changes,
      removed: cleaned.removed,
      unknown: cleaned.unknown,
    }),
  );
}

export function run(io?: ActionIO): Promise<void> {
  return runAction(ACTION, (actionIO) => main(actionIO), io);
}
