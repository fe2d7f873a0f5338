import { awsRegion, ErrorCollector, readStructuredFile, workspacePath, type ActionIO } from '@deploy-actions/core';
import { environment, loadManifest, type Manifest } from '@deploy-actions/manifest';
import { taskDefinitionRefs, type TaskDefinitionRefs } from '@deploy-actions/params';

export const ACTION = 'verify-params';

const INPUT = {
  manifest: 'parameters-manifest',
  environment: 'environment',
  taskDefinitions: 'task-definitions',
  region: 'aws-region',
  failOnWarnings: 'fail-on-warnings',
  concurrency: 'max-concurrency',
} as const;

export interface Options {
  readonly manifest: Manifest;
  readonly environment: string;
  readonly taskDefinitions: readonly TaskDefinitionRefs[];
  readonly region: string;
  readonly failOnWarnings: boolean;
  readonly concurrency: number;
}

/** Reads and validates every input (manifest and task definition files included) before any AWS call. */
export async function readOptions(io: ActionIO): Promise<Options> {
  const { inputs } = io;
  const manifestFile = inputs.required(INPUT.manifest);
  const envName = inputs.required(INPUT.environment);
  const failOnWarnings = inputs.boolean(INPUT.failOnWarnings, false);
  const concurrency = inputs.integer(INPUT.concurrency, { min: 1, max: 20 }) ?? 4;
  const region = awsRegion(inputs.optional(INPUT.region), io.env);
  const manifest = await loadManifest(workspacePath(manifestFile, io.env), `input '${INPUT.manifest}'`);
  const relabelled: Manifest = { ...manifest, file: manifestFile };
  environment(relabelled, envName, `input '${INPUT.environment}'`);
  // Every bad task definition file is reported at once.
  const errors = new ErrorCollector();
  const taskDefinitions: TaskDefinitionRefs[] = [];
  for (const file of inputs.lines(INPUT.taskDefinitions)) {
    await errors.attemptAsync(async () => {
      const doc = await readStructuredFile(`input '${INPUT.taskDefinitions}'`, workspacePath(file, io.env));
      taskDefinitions.push(taskDefinitionRefs(doc, file));
    });
  }
  errors.throwIfAny();
  return { manifest: relabelled, environment: envName, taskDefinitions, region, failOnWarnings, concurrency };
}
