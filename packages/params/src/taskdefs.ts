import { ConfigError, ErrorCollector } from '@deploy-actions/core';

/** What verify-params needs of a container definition: where its variables come from. */
export interface ContainerRefs {
  readonly name: string;
  readonly secrets: readonly { readonly name: string; readonly valueFrom: string }[];
  readonly environment: readonly string[];
}

export interface TaskDefinitionRefs {
  readonly file: string;
  readonly containers: readonly ContainerRefs[];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Reads the secrets and environment names of every container of a task definition document (a registration
 * file, or `describe-task-definition` output with its `taskDefinition` wrapper). Values of `environment` are
 * not kept: they may be secrets set by mistake.
 */
export function taskDefinitionRefs(doc: unknown, file: string): TaskDefinitionRefs {
  const errors = new ErrorCollector();
  const root = isObject(doc) && isObject(doc['taskDefinition']) ? doc['taskDefinition'] : doc;
  if (!isObject(root) || !Array.isArray(root['containerDefinitions'])) {
    throw new ConfigError(
      `${file}`,
      'is not a task definition: it has no containerDefinitions list',
      "give a task definition file (JSON or YAML) in input 'task-definitions'",
    );
  }
  const containers: ContainerRefs[] = [];
  root['containerDefinitions'].forEach((raw: unknown, i) => {
    const where = `${file}: containerDefinitions[${i}]`;
    if (!isObject(raw)) {
      errors.add(where, 'must be an object');
      return;
    }
    const name = typeof raw['name'] === 'string' ? raw['name'] : `#${i}`;
    const secrets: { name: string; valueFrom: string }[] = [];
    const rawSecrets = raw['secrets'] ?? [];
    if (!Array.isArray(rawSecrets)) errors.add(`${where} (${name}).secrets`, 'must be a list');
    else {
      rawSecrets.forEach((s: unknown, j) => {
        if (!isObject(s) || typeof s['name'] !== 'string' || typeof s['valueFrom'] !== 'string') {
          errors.add(`${where} (${name}).secrets[${j}]`, 'must have string name and valueFrom');
        } else secrets.push({ name: s['name'], valueFrom: s['valueFrom'] });
      });
    }
    const environment: string[] = [];
    const rawEnv = raw['environment'] ?? [];
    if (!Array.isArray(rawEnv)) errors.add(`${where} (${name}).environment`, 'must be a list');
    else {
      rawEnv.forEach((e: unknown, j) => {
        if (!isObject(e) || typeof e['name'] !== 'string') {
          errors.add(`${where} (${name}).environment[${j}]`, 'must have a string name');
        } else environment.push(e['name']);
      });
    }
    containers.push({ name, secrets, environment });
  });
  errors.throwIfAny();
  return { file, containers };
}
