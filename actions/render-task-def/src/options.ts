import { ErrorCollector, type ActionIO } from '@deploy-actions/core';
import type { RenderOptions } from '@deploy-actions/taskdef';
import { readContext, type Context } from './read/context';
import { readTargets } from './read/containers';
import { readFields } from './read/fields';
import type { Reader } from './read/reader';
import { readSource, type Source } from './read/source';
import { readVariables } from './read/variables';

export type { Source } from './read/source';

export interface Options extends Context {
  readonly source: Source;
  /** Everything the inputs change, built once here: main only applies it. */
  readonly plan: RenderOptions;
}

/**
 * Reads every input into one typed object and checks everything that does not need the task definition, before
 * any file is read or AWS is called. All problems are thrown together as ConfigErrors, so two input mistakes are
 * seen in one run. Each concern reads its own inputs (read/).
 */
export function readOptions(io: Pick<ActionIO, 'inputs' | 'env'>): Options {
  const reader: Reader = { inputs: io.inputs, errors: new ErrorCollector(), env: io.env };
  const source = readSource(reader);
  const { containers, image, images, envFiles } = readTargets(reader);
  const variables = readVariables(reader);
  const fields = readFields(reader);
  const context = readContext(reader);
  reader.errors.throwIfAny();
  if (source === undefined) throw new Error('unreachable: a missing source is an error above');
  const plan: RenderOptions = {
    containers,
    images,
    ...(image !== undefined && { image }),
    ...(envFiles.length > 0 && { environmentFiles: envFiles }),
    ...variables,
    ...fields,
    ...(context.region !== undefined && { region: context.region }),
  };
  return { source, plan, ...context };
}
