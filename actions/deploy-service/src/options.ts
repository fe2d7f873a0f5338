import type {
  PropagateTags,
  ServiceManagedEBSVolumeConfiguration,
  ServiceVolumeConfiguration,
} from '@aws-sdk/client-ecs';
import { ConfigError, ErrorCollector, maskSecret, type ActionIO, type Inputs } from '@deploy-actions/core';
import { parseWaitUntil, WAIT_UNTIL_VALUES, type DeployOptions, type WaitUntil } from '@deploy-actions/deploy';
import { SERVICE_MANAGED_EBS_VOLUME } from '@deploy-actions/taskdef';
import { INPUT } from './input-names';
import { managedVolume } from './json-inputs';
import { revisionCheck, revisionProblems } from './revision-checks';
import { readRevision } from './revision-input';
import { readRunTask } from './run-task-options';
import { isSecretName } from './secrets';

export { INPUT } from './input-names';
export { isSecretName, redactor } from './secrets';

export interface Options {
  /**
   * Everything but the region, which the AWS client configuration resolves. Without a service the task
   * definition is only registered (and the one-off task run): the service's settings then go unused.
   */
  readonly deploy: Omit<DeployOptions, 'region' | 'service'> & { readonly service: string | undefined };
  readonly region: string | undefined;
  readonly github?: { token: string; environment: string; environmentUrl: string | undefined } | undefined;
  readonly secrets: string[];
  readonly warnings: string[];
}

function readWaitUntil(inputs: Inputs, problems: ErrorCollector, wait: boolean): WaitUntil | undefined {
  const waitUntil = parseWaitUntil(problems.attempt(() => inputs.optional(INPUT.waitUntil)));
  if (waitUntil === undefined) {
    problems.add(
      `input '${INPUT.waitUntil}'`,
      'is not a lifecycle stage',
      `use one of: ${WAIT_UNTIL_VALUES.join(', ')}`,
    );
  } else if (waitUntil.kind !== 'completed' && !wait) {
    problems.add(
      `input '${INPUT.waitUntil}'`,
      'needs wait-for-service-stability: true',
      'remove it or turn waiting on',
    );
  }
  return waitUntil;
}

/** The GitHub deployment to record, when asked for (environment needs the token). */
function readGithub(inputs: Inputs, problems: ErrorCollector, token: string | undefined): Options['github'] {
  const environment = problems.attempt(() => inputs.optional(INPUT.environment));
  const environmentUrl = problems.attempt(() => inputs.optional(INPUT.environmentUrl));
  if (environmentUrl !== undefined && !/^https?:\/\/\S+$/.test(environmentUrl)) {
    problems.push(
      new ConfigError(`input '${INPUT.environmentUrl}'`, 'is not an http(s) URL', 'use e.g. https://app.example.com'),
    );
  }
  if (environment !== undefined && token === undefined) {
    problems.add(
      `input '${INPUT.environment}'`,
      'needs github-token to record a GitHub deployment',
      'pass github-token: ${{ github.token }}',
    );
  }
  return token !== undefined && environment !== undefined ? { token, environment, environmentUrl } : undefined;
}

/** Inputs that change a service: without one, setting them would do nothing, so they are refused. */
function refuseWithoutService(inputs: Inputs, problems: ErrorCollector, set: Record<string, boolean>): void {
  for (const [name, isSet] of Object.entries(set)) {
    if (isSet)
      problems.add(`input '${name}'`, 'applies to a service, and no service is given', 'set service, or remove it');
  }
  if (problems.attempt(() => inputs.optional(INPUT.environment)) !== undefined) {
    problems.add(
      `input '${INPUT.environment}'`,
      'records a deployment of a service, and no service is given',
      'set service, or remove it',
    );
  }
}

/** Reads and validates every input (and the task definition file) before any AWS call. */
export async function readOptions(io: ActionIO): Promise<Options> {
  const { inputs } = io;
  const problems = new ErrorCollector();
  const found = { secrets: [] as string[], warnings: [] as string[] };
  const token = problems.attempt(() => inputs.optional(INPUT.githubToken));
  if (token !== undefined) {
    maskSecret(token, io.setSecret);
    found.secrets.push(token);
  }
  const service = problems.attempt(() => inputs.optional(INPUT.service));
  const cluster = problems.attempt(() => inputs.optional(INPUT.cluster)) ?? 'default';
  const region = problems.attempt(() => inputs.optional(INPUT.region));
  const wait = problems.attempt(() => inputs.boolean(INPUT.wait, true)) ?? true;
  const waitMinutes = problems.attempt(() => inputs.number(INPUT.waitMinutes, { min: 0.01, max: 360 })) ?? 30;
  const pollSeconds = problems.attempt(() => inputs.number(INPUT.pollSeconds, { min: 0.05, max: 300 })) ?? 5;
  const waitUntil = readWaitUntil(inputs, problems, wait);
  const forceNewDeployment = problems.attempt(() => inputs.boolean(INPUT.forceNewDeployment, false)) ?? false;
  const desiredCount = problems.attempt(() => inputs.integer(INPUT.desiredCount, { min: 0, max: 5000 }));
  const propagateTags = problems.attempt(() =>
    inputs.optional(INPUT.propagateTags) === undefined
      ? undefined
      : inputs.oneOf<PropagateTags>(INPUT.propagateTags, ['TASK_DEFINITION', 'SERVICE', 'NONE'], 'NONE'),
  );
  const managedTags = problems.attempt(() =>
    inputs.optional(INPUT.managedTags) === undefined ? undefined : inputs.boolean(INPUT.managedTags, false),
  );
  const serviceVolume: ServiceVolumeConfiguration | undefined = managedVolume<ServiceManagedEBSVolumeConfiguration>(
    inputs,
    problems,
    { name: INPUT.serviceVolumeName, volume: INPUT.serviceVolume },
    SERVICE_MANAGED_EBS_VOLUME,
  );
  const keepRevisions = problems.attempt(() => inputs.integer(INPUT.keepRevisions, { min: 1, max: 1000 }));
  const runTask = readRunTask(inputs, problems, managedTags);
  for (const variable of (runTask?.containerOverrides ?? []).flatMap((o) => o.environment ?? [])) {
    if (variable.value && variable.name && isSecretName(variable.name)) {
      maskSecret(variable.value, io.setSecret);
      found.secrets.push(variable.value);
    }
  }
  if (service === undefined) {
    refuseWithoutService(inputs, problems, {
      [INPUT.desiredCount]: desiredCount !== undefined,
      [INPUT.propagateTags]: propagateTags !== undefined,
      [INPUT.forceNewDeployment]: forceNewDeployment,
      [INPUT.serviceVolumeName]: serviceVolume !== undefined,
      [INPUT.waitUntil]: waitUntil !== undefined && waitUntil.kind !== 'completed',
      [INPUT.keepRevisions]: keepRevisions !== undefined,
      [INPUT.managedTags]: managedTags !== undefined && runTask === undefined,
    });
  }
  const { revision, file } = await readRevision(io, problems, found);
  if (service === undefined && revision !== undefined && 'existing' in revision && runTask === undefined) {
    problems.add(
      `input '${INPUT.service}'`,
      `is required with '${INPUT.taskDefinitionArn}' unless run-task is true: there is nothing to register or deploy`,
      'set the service to deploy the revision to, or run-task: true to run it once',
    );
  }
  const asked = { service, runTask, serviceVolume };
  if (file !== undefined) for (const problem of revisionProblems(file, asked)) problems.push(problem);
  const github = readGithub(inputs, problems, token);
  const deploy = {
    cluster,
    service,
    wait,
    waitMinutes,
    pollSeconds,
    forceNewDeployment,
    desiredCount,
    propagateTags,
    enableEcsManagedTags: managedTags,
    serviceVolume,
    rollback: problems.attempt(() => inputs.boolean(INPUT.rollback, true)) ?? true,
    runTask,
    keepRevisions,
    logLines: problems.attempt(() => inputs.integer(INPUT.logLines, { min: 0, max: 500 })) ?? 20,
  };
  problems.throwIfAny();
  // Reading them without a recorded error means they are set.
  if (revision === undefined || waitUntil === undefined) throw new Error('required inputs missing without an error');
  return {
    region,
    secrets: found.secrets,
    warnings: found.warnings,
    github,
    deploy: {
      ...deploy,
      revision,
      waitUntil,
      // A registered file was checked above; an existing revision is checked once described.
      checkRevision: 'existing' in revision ? revisionCheck(asked) : undefined,
    },
  };
}
