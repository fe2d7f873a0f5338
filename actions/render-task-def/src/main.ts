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
import type { RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import {
  changedContainers,
  cleanTaskDefinition,
  diffTaskDefinitions,
  loadTaskDefinitionFile,
  renderTaskDefinition,
  validateTaskDefinition,
  type CleanResult,
  type RenderOptions,
  type SecretSpec,
} from '@deploy-actions/taskdef';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { FIELD_INPUTS, INPUT, input, RENDER_LABELS } from './inputs';
import { readOptions, type Options } from './options';
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

async function describe(options: Options, deps: RenderDeps, reference: string, from: string): Promise<unknown> {
  try {
    return await deps.describeTaskDefinition(reference, options.region);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    const name = awsErrorName(error);
    if (name === 'ClientException' || name === 'InvalidParameterException') {
      throw new ConfigError(
        input(from),
        `ECS cannot find the task definition '${reference}' (${name})`,
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
  const options = readOptions(io);
  const { source, plan } = options;
  const where = source.kind === 'file' ? `file '${source.display}'` : `task definition '${source.reference}'`;

  // Everything local first: the manifest and its environment, so a typo fails before any AWS call.
  const manifest = options.manifest ? await loadManifest(options.manifest.path, input(INPUT.manifest)) : undefined;
  if (manifest && options.manifest) {
    manifestEnvironment(manifest, options.manifest.environment, input(INPUT.manifestEnvironment));
  }
  if (manifest && options.region === undefined) {
    throw new ConfigError(
      input(INPUT.region),
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
  reportCleaning(io, where, cleaned, options.unknownKeys);

  // Validate what the inputs make of the definition before asking STS for the account of the manifest ARNs.
  const check = (
    renderOptions: RenderOptions,
  ): { rendered: RegisterTaskDefinitionCommandInput; warnings: readonly string[] } => {
    const rendered = renderTaskDefinition(cleaned.taskDefinition, renderOptions, RENDER_LABELS);
    const changed = changedContainers(cleaned.taskDefinition, renderOptions);
    const { warnings } = validateTaskDefinition(rendered, { where, stage: 'render', changed, inputs: FIELD_INPUTS });
    return { rendered, warnings };
  };
  let { rendered, warnings } = check(plan);
  if (manifest && options.manifest && options.region !== undefined) {
    const accountId = await account(options, deps, options.region);
    const manifestSecrets: SecretSpec[] = taskSecrets(manifest, options.manifest.environment, {
      region: options.region,
      account: accountId,
    });
    io.log.info(
      `${manifestSecrets.length} parameters of ${options.manifest.input} (${options.manifest.environment}) wired as secrets`,
    );
    ({ rendered, warnings } = check({ ...plan, manifestSecrets }));
  }
  for (const warning of warnings) io.log.warning(warning);

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
      source: source.display,
      file: path.basename(file),
      before: cleaned.taskDefinition,
      after: rendered,
      changes,
      removed: cleaned.removed,
      unknown: cleaned.unknown,
      emptied: cleaned.emptied,
      warnings,
    }),
  );
}

/** Says what cleaning did: read-only fields and "" fields left out, unknown keys dropped (or refused). */
function reportCleaning(io: ActionIO, where: string, cleaned: CleanResult, unknownKeys: 'warn' | 'error'): void {
  const { taskDefinition } = cleaned;
  const names = (taskDefinition.containerDefinitions ?? []).map((c) => c.name ?? '?');
  io.log.info(`family ${taskDefinition.family ?? '(none)'}, containers: ${names.join(', ') || '(none)'}`);
  if (cleaned.removed.length > 0) io.log.notice(`${where}: removed read-only fields ${cleaned.removed.join(', ')}`);
  if (cleaned.emptied.length > 0) {
    io.log.info(`left out fields given as "" (not set): ${cleaned.emptied.join(', ')}`);
  }
  if (cleaned.unknownHints.length > 0) {
    const problem = `has keys the ECS API does not know (the SDK would drop them silently): ${cleaned.unknownHints.join(', ')}`;
    if (unknownKeys === 'error') throw new ConfigError(where, problem, 'fix or remove them, or set unknown-keys: warn');
    io.log.warning(`${where}: ${problem}; they were dropped`);
  }
  if (cleaned.coerced.length > 0) io.log.info(`converted to the API's types: ${cleaned.coerced.join(', ')}`);
}

export function run(io?: ActionIO): Promise<void> {
  return runAction(ACTION, (actionIO) => main(actionIO), io);
}
