import { readStructuredFile } from '@deploy-actions/core';

/**
 * Reads a task definition file, JSON or YAML (by extension: `.json` is parsed strictly as JSON, anything else
 * as YAML, which also accepts JSON). Returns the raw document; pass it to cleanTaskDefinition.
 */
export async function loadTaskDefinitionFile(path: string, where = `file '${path}'`): Promise<unknown> {
  return readStructuredFile(where, path);
}
