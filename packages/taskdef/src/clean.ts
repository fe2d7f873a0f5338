import type { RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import { closestName, ConfigError, ErrorCollector } from '@deploy-actions/core';
import { READ_ONLY_FIELDS, REGISTER_TASK_DEFINITION } from './known-keys.generated';
import { isList, isMap, isStruct, type Shape } from './shape';

export interface CleanResult {
  /** Only keys RegisterTaskDefinition accepts, with scalar types as the API expects. */
  readonly taskDefinition: RegisterTaskDefinitionCommandInput;
  /** Read-only describe fields that were stripped (e.g. `taskDefinitionArn`, `revision`). */
  readonly removed: string[];
  /** Paths of keys the ECS API does not know (e.g. `containerDefinitions[0].imagee`), dropped. */
  readonly unknown: string[];
  /** Unknown keys with the closest known key, for a helpful warning: `imagee (did you mean 'image'?)`. */
  readonly unknownHints: string[];
  /** Paths whose scalar was converted to the API's type (YAML `cpu: 256` → "256"). */
  readonly coerced: string[];
  /**
   * Paths given as "" (or as an object holding only such fields), which mean "not set": console exports and
   * templates write `"taskRoleArn": ""`, and AWS rejects an empty role where it accepts none. Left out.
   */
  readonly emptied: string[];
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

interface CleanerOptions {
  /** Unknown keys are errors (a JSON input the user wrote for one API call) instead of dropped with a warning. */
  readonly refuseUnknown?: boolean;
  /** Keys whose "" is kept as a value rather than read as "not set" (aws-actions' keep-null-value-keys). */
  readonly keepEmpty?: ReadonlySet<string>;
}

class Cleaner {
  readonly unknown: string[] = [];
  readonly unknownHints: string[] = [];
  readonly coerced: string[] = [];
  readonly emptied: string[] = [];
  readonly errors = new ErrorCollector();
  constructor(
    private readonly where: string,
    private readonly options: CleanerOptions = {},
  ) {}

  private fail(path: string, problem: string, fix?: string): undefined {
    this.errors.add(path === '' ? this.where : `${this.where} at ${path}`, problem, fix);
    return undefined;
  }

  value(value: unknown, shape: Shape, path: string): Json | undefined {
    if (value === null || value === undefined) return undefined;
    if (isStruct(shape)) {
      if (!isObject(value)) return this.fail(path, `must be an object, not ${describe(value)}`, example(shape));
      const out: Record<string, Json> = {};
      const known = Object.keys(shape.struct);
      for (const [key, member] of Object.entries(value)) {
        const memberShape = shape.struct[key];
        const memberPath = path === '' ? key : `${path}.${key}`;
        if (memberShape === undefined) {
          const hint = closestName(key, known);
          if (this.options.refuseUnknown === true) {
            this.fail(
              memberPath,
              'is not a field ECS knows',
              hint ? `did you mean '${hint}'?` : `use ${known.join(', ')}`,
            );
            continue;
          }
          this.unknown.push(memberPath);
          this.unknownHints.push(hint ? `${memberPath} (did you mean '${hint}'?)` : memberPath);
          continue;
        }
        // "" is "unset" for a field, except a value in a name/value pair: an empty environment value is a value.
        const keep = key === 'value' || this.options.keepEmpty?.has(key) === true;
        if (member === '' && memberShape === 'string' && !keep) {
          this.emptied.push(memberPath);
          continue;
        }
        const before = this.emptied.length;
        const cleaned = this.value(member, memberShape, memberPath);
        const onlyEmptied = isObject(cleaned) && Object.keys(cleaned).length === 0 && this.emptied.length > before;
        if (onlyEmptied) this.emptied.splice(before, this.emptied.length - before, memberPath);
        else if (cleaned !== undefined) out[key] = cleaned;
      }
      return out;
    }
    if (isList(shape)) {
      if (!Array.isArray(value)) return this.fail(path, `must be a list, not ${describe(value)}`, example(shape));
      const out: Json[] = [];
      value.forEach((item: unknown, index) => {
        const cleaned = this.value(item, shape.list, `${path}[${index}]`);
        if (cleaned !== undefined) out.push(cleaned);
      });
      return out;
    }
    if (isMap(shape)) {
      if (!isObject(value)) return this.fail(path, `must be an object of names to values, not ${describe(value)}`);
      const out: Record<string, Json> = {};
      for (const [key, member] of Object.entries(value)) {
        const cleaned = this.value(member, shape.map, `${path}.${key}`);
        if (cleaned !== undefined) out[key] = cleaned;
      }
      return out;
    }
    return this.scalar(value, shape, path);
  }

  private scalar(value: unknown, shape: Shape, path: string): Json | undefined {
    switch (shape) {
      case 'string':
        if (typeof value === 'string') return value;
        if (typeof value === 'number' || typeof value === 'boolean') {
          this.coerced.push(path);
          return String(value);
        }
        return this.fail(path, `must be a string, not ${describe(value)}`);
      case 'number':
        if (typeof value === 'number' && Number.isFinite(value)) return value;
        if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim())) {
          this.coerced.push(path);
          return Number(value);
        }
        return this.fail(path, `must be a number, not ${describe(value)}`);
      case 'boolean':
        if (typeof value === 'boolean') return value;
        if (value === 'true' || value === 'false') {
          this.coerced.push(path);
          return value === 'true';
        }
        return this.fail(path, `must be true or false, not ${describe(value)}`);
      default:
        // timestamps, blobs and documents are not part of a task definition a user writes; keep them as given.
        return value as Json;
    }
  }
}

/** The right shape, e.g. `write it as [{"key": "...", "value": "..."}]` for tags given as an object. */
function example(shape: Shape): string | undefined {
  const item = isList(shape) ? shape.list : shape;
  if (!isStruct(item)) return isList(shape) ? 'write it as a list: [...]' : undefined;
  const keys = Object.keys(item.struct);
  const pick = ['name', 'key', 'value', 'valueFrom', 'containerPort'].filter((k) => keys.includes(k));
  const shown = (pick.length > 0 ? pick : keys.slice(0, 2)).map((k) => `"${k}": ...`).join(', ');
  return isList(shape) ? `write it as a list: [{${shown}}]` : `write it as an object: {${shown}}`;
}

/** The kind of a value, never the value: it may be a secret typed into the wrong field. */
function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return 'text';
  if (typeof value === 'number') return 'a number';
  if (typeof value === 'boolean') return 'true/false';
  return typeof value;
}

const WRAPPER_NOISE = ['$metadata', 'ResponseMetadata'];

/**
 * Turns a task definition file or a describe-task-definition output (`{taskDefinition, tags}`) into a valid
 * RegisterTaskDefinition input: strips the read-only describe fields, drops (and reports) keys the ECS API does
 * not know at any depth, and converts scalars to the API's types. Wrong structure (a list where an object
 * belongs, text where a number belongs) throws ConfigErrors naming every path at once.
 */
export function cleanTaskDefinition(
  input: unknown,
  where: string,
  options: { readonly keepEmpty?: ReadonlySet<string> } = {},
): CleanResult {
  if (!isObject(input)) {
    throw new ConfigError(
      where,
      `is not a task definition (found ${describe(input)})`,
      'write an object with family and containerDefinitions',
    );
  }
  let source: Record<string, unknown> = input;
  const removed: string[] = [];
  if (isObject(input['taskDefinition']) && !('containerDefinitions' in input)) {
    // The whole `aws ecs describe-task-definition --include TAGS` output: the tags live next to the definition.
    source = { ...input['taskDefinition'] };
    if (Array.isArray(input['tags']) && input['tags'].length > 0 && source['tags'] === undefined) {
      source['tags'] = input['tags'];
    }
    for (const key of Object.keys(input)) {
      if (key !== 'taskDefinition' && key !== 'tags') removed.push(key);
    }
  }
  const stripped: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(source)) {
    if (READ_ONLY_FIELDS.includes(key) || WRAPPER_NOISE.includes(key)) removed.push(key);
    else stripped[key] = value;
  }
  const cleaner = new Cleaner(where, options);
  const taskDefinition = cleaner.value(
    stripped,
    REGISTER_TASK_DEFINITION,
    '',
  ) as unknown as RegisterTaskDefinitionCommandInput;
  cleaner.errors.throwIfAny();
  return {
    taskDefinition,
    removed,
    unknown: cleaner.unknown,
    unknownHints: cleaner.unknownHints,
    coerced: cleaner.coerced,
    emptied: cleaner.emptied,
  };
}

/**
 * A value the user wrote for part of an ECS request (e.g. RunTask's containerOverrides, given as JSON in an
 * input) checked against the API's shape: every unknown key and wrong type is refused at once, naming its
 * path (never its value) and the closest known key; scalars are converted to the API's types.
 */
export function checkApiShape(value: unknown, shape: Shape, where: string): unknown {
  const cleaner = new Cleaner(where, { refuseUnknown: true });
  const checked = cleaner.value(value, shape, '');
  cleaner.errors.throwIfAny();
  return checked;
}
