/**
 * The inputs an action declares, read from its action.yml. The runner passes every `with:` key as INPUT_<NAME>
 * whether or not the action declares it, and only warns about unknown ones; a typo such as `wait-for-minute`
 * would then silently fall back to the default. Reading the declarations from action.yml itself (the file the
 * runner starts the action from, always next to dist/) keeps one source of truth: nothing to regenerate when an
 * input is added, and nothing that can drift from what users see in the metadata.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { closestName } from './closest';
import { ConfigError, ConfigErrors, DeployActionsError } from './errors';

export interface InputSpec {
  readonly required: boolean;
  /** action.yml's `default:`; the runner passes it when the workflow does not set the input. */
  readonly default: string | undefined;
}

export interface ActionSpec {
  readonly name: string;
  readonly inputs: ReadonlyMap<string, InputSpec>;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function parseActionSpec(text: string, file: string): ActionSpec {
  const doc: unknown = parse(text);
  if (!isObject(doc) || typeof doc['name'] !== 'string') {
    throw new DeployActionsError(`${file} is not an action metadata file (no name)`);
  }
  const inputs = new Map<string, InputSpec>();
  const raw = doc['inputs'];
  for (const [name, spec] of Object.entries(isObject(raw) ? raw : {})) {
    const value = isObject(spec) ? spec : {};
    const fallback = value['default'];
    inputs.set(name, {
      required: value['required'] === true,
      default:
        typeof fallback === 'string' || typeof fallback === 'number' || typeof fallback === 'boolean'
          ? String(fallback)
          : undefined,
    });
  }
  return { name: doc['name'], inputs };
}

/** The action.yml of the running bundle: `<action>/dist/index.js` is started, `<action>/action.yml` declares it. */
export function bundleActionSpec(entry: string | undefined = process.argv[1]): ActionSpec {
  const file = path.resolve(path.dirname(entry ?? '.'), '..', 'action.yml');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new DeployActionsError(
      `cannot read ${file}: the action's metadata must sit next to its dist/ (the runner needs it too)`,
    );
  }
  return parseActionSpec(text, file);
}

/** The runner's variable for an input: INPUT_ + upper case, spaces as '_', hyphens kept (@actions/core's rule). */
export function inputVariable(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

/**
 * What to say about inputs another tool has and this action does not (by lower-case name): the names users bring
 * when they switch (aws-actions' `max-retries`, `codedeploy-*`), where the closest declared name would point at
 * the wrong input or at nothing.
 */
export type InputHints = Readonly<Record<string, string>>;

/**
 * Every INPUT_* variable that names no declared input, as an error with its hint, else suggesting the closest
 * declared name. The runner upper-cases names, so the suggestion compares case-insensitively and shows the
 * name in lower case.
 */
export function undeclaredInputs(spec: ActionSpec, env: NodeJS.ProcessEnv, hints: InputHints = {}): ConfigError[] {
  const declared = [...spec.inputs.keys()];
  const variables = new Set(declared.map(inputVariable));
  const errors: ConfigError[] = [];
  for (const key of Object.keys(env).sort()) {
    if (!key.startsWith('INPUT_') || variables.has(key)) continue;
    const given = key.slice('INPUT_'.length).toLowerCase();
    const close = closestName(given, declared);
    const fix =
      (Object.hasOwn(hints, given) ? hints[given] : undefined) ??
      (close !== undefined ? `did you mean '${close}'?` : `its inputs are: ${declared.join(', ')}`);
    errors.push(new ConfigError(`input '${given}'`, `is not an input of ${spec.name}`, fix));
  }
  return errors;
}

/** Throws every undeclared input at once, before the action reads anything. */
export function refuseUndeclaredInputs(spec: ActionSpec, env: NodeJS.ProcessEnv, hints: InputHints = {}): void {
  const errors = undeclaredInputs(spec, env, hints);
  if (errors.length > 0) throw new ConfigErrors(errors);
}
