import { ConfigError, ErrorCollector } from '@deploy-actions/core';

/** One `secrets[]` entry: the variable a container gets, and the reference it is read from. */
export interface SecretRef {
  /** How messages name it: `secret DB_PASSWORD`, or `secrets[2]` when the name is not a valid variable name. */
  readonly label: string;
  /** The variable name when it is a valid one (a user's choice, safe to name); undefined otherwise. */
  readonly name: string | undefined;
  readonly valueFrom: string;
}

/** What verify-params needs of a container definition: where its variables come from. */
export interface ContainerRefs {
  /** How messages name it: `container 'api'`, or `containerDefinitions[1]` without a valid name. */
  readonly label: string;
  readonly secrets: readonly SecretRef[];
  /** Names of plain environment variables (valid names only; values are never kept). */
  readonly environment: readonly string[];
}

export interface TaskDefinitionRefs {
  readonly file: string;
  readonly containers: readonly ContainerRefs[];
}

const CONTAINER = /^[A-Za-z0-9_-]{1,255}$/;
const VARIABLE = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Reads the secrets and environment names of every container of a task definition document (a registration
 * file, or `describe-task-definition` output with its `taskDefinition` wrapper). Values of `environment` are
 * not kept: they may be secrets set by mistake. Names are kept for messages only when they have the shape of a
 * name; anything else is pointed at by its position, since it may be a value in the wrong field.
 */
export function taskDefinitionRefs(doc: unknown, file: string): TaskDefinitionRefs {
  const errors = new ErrorCollector();
  const root = isObject(doc) && isObject(doc['taskDefinition']) ? doc['taskDefinition'] : doc;
  if (!isObject(root) || !Array.isArray(root['containerDefinitions'])) {
    throw new ConfigError(
      file,
      'is not a task definition: it has no containerDefinitions list',
      'give a task definition file (JSON or YAML)',
    );
  }
  const containers: ContainerRefs[] = [];
  root['containerDefinitions'].forEach((raw: unknown, i) => {
    const at = `${file}: containerDefinitions[${i}]`;
    if (!isObject(raw)) {
      errors.add(at, 'must be an object');
      return;
    }
    const label =
      typeof raw['name'] === 'string' && CONTAINER.test(raw['name'])
        ? `container '${raw['name']}'`
        : `containerDefinitions[${i}]`;
    const secrets: SecretRef[] = [];
    const rawSecrets = raw['secrets'] ?? [];
    if (!Array.isArray(rawSecrets)) errors.add(`${at}.secrets`, 'must be a list');
    else {
      rawSecrets.forEach((s: unknown, j) => {
        if (!isObject(s) || typeof s['name'] !== 'string' || typeof s['valueFrom'] !== 'string') {
          errors.add(`${at}.secrets[${j}]`, 'must have string name and valueFrom');
        } else {
          const name = VARIABLE.test(s['name']) ? s['name'] : undefined;
          secrets.push({ label: name ? `secret ${name}` : `secrets[${j}]`, name, valueFrom: s['valueFrom'] });
        }
      });
    }
    const environment: string[] = [];
    const rawEnv = raw['environment'] ?? [];
    if (!Array.isArray(rawEnv)) errors.add(`${at}.environment`, 'must be a list');
    else {
      rawEnv.forEach((e: unknown, j) => {
        if (!isObject(e) || typeof e['name'] !== 'string') {
          errors.add(`${at}.environment[${j}]`, 'must have a string name');
        } else if (VARIABLE.test(e['name'])) environment.push(e['name']);
      });
    }
    containers.push({ label, secrets, environment });
  });
  errors.throwIfAny();
  return { file, containers };
}
