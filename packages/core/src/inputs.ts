import { ConfigError, DeployActionsError } from './errors';
import { jsonProblem } from './syntax';

/** Reads one raw input; the runner's contract is INPUT_<NAME>, read by Runner.getInput. */
export type GetInput = (name: string) => string;

export interface KeyValue {
  readonly key: string;
  readonly value: string;
  /** The line of the input it was on (1-based, blank and comment lines counted), for messages. */
  readonly line: number;
}

const TRUE = new Set(['true', 'True', 'TRUE']);
const FALSE = new Set(['false', 'False', 'FALSE']);

/** Typed input reading. Every error names the input and says what a valid value looks like. */
export class Inputs {
  /**
   * `declared`: the inputs of action.yml. Reading any other name is a bug in the action (a renamed or mistyped
   * constant would otherwise read an always-empty variable and silently use its fallback), so it throws.
   */
  constructor(
    private readonly get: GetInput,
    private readonly declared?: ReadonlySet<string>,
  ) {}

  raw(name: string): string {
    if (this.declared !== undefined && !this.declared.has(name)) {
      throw new DeployActionsError(`the action reads input '${name}', which its action.yml does not declare`);
    }
    return this.get(name).trim();
  }

  optional(name: string): string | undefined {
    const value = this.raw(name);
    return value === '' ? undefined : value;
  }

  required(name: string): string {
    const value = this.optional(name);
    if (value === undefined) throw new ConfigError(`input '${name}'`, 'is required', `set 'with: ${name}: ...'`);
    return value;
  }

  boolean(name: string, fallback: boolean): boolean {
    const value = this.raw(name);
    if (value === '') return fallback;
    if (TRUE.has(value)) return true;
    if (FALSE.has(value)) return false;
    throw new ConfigError(`input '${name}'`, 'is not a boolean', 'use true or false');
  }

  integer(name: string, options: { min?: number; max?: number }): number | undefined {
    const value = this.optional(name);
    if (value === undefined) return undefined;
    if (!/^-?\d+$/.test(value)) throw new ConfigError(`input '${name}'`, 'is not a whole number', rangeHint(options));
    const n = Number(value);
    const { min, max } = options;
    if ((min !== undefined && n < min) || (max !== undefined && n > max)) {
      throw new ConfigError(`input '${name}'`, 'is out of range', rangeHint(options));
    }
    return n;
  }

  /** Positive decimal number (e.g. minutes, seconds). */
  number(name: string, options: { min?: number; max?: number }): number | undefined {
    const value = this.optional(name);
    if (value === undefined) return undefined;
    if (!/^\d+(\.\d+)?$/.test(value)) throw new ConfigError(`input '${name}'`, 'is not a number', rangeHint(options));
    const n = Number(value);
    if ((options.min !== undefined && n < options.min) || (options.max !== undefined && n > options.max)) {
      throw new ConfigError(`input '${name}'`, 'is out of range', rangeHint(options));
    }
    return n;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.optional(name);
    if (value === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(value)) {
      throw new ConfigError(`input '${name}'`, 'is not one of the allowed values', `use one of: ${allowed.join(', ')}`);
    }
    return value as T;
  }

  /** A JSON value (told by its position, never quoted, when it does not parse); `example` shows the shape. */
  json(name: string, example: string): unknown {
    const value = this.optional(name);
    if (value === undefined) return undefined;
    try {
      return JSON.parse(value) as unknown;
    } catch (error) {
      throw new ConfigError(`input '${name}'`, `is not valid JSON (${jsonProblem(error, value)})`, `e.g. ${example}`);
    }
  }

  /** Non-empty, non-comment lines. */
  lines(name: string): string[] {
    return splitLines(this.raw(name));
  }

  /** Multi-line KEY=VALUE list, split at the FIRST '=' so values may contain '='. */
  keyValues(name: string): KeyValue[] {
    return parseKeyValues(this.raw(name), `input '${name}'`);
  }
}

function rangeHint(options: { min?: number; max?: number }): string {
  const { min, max } = options;
  return `use a number${min !== undefined ? ` from ${min}` : ''}${max !== undefined ? ` up to ${max}` : ''}`;
}

/** Non-empty, non-comment lines, trimmed, with their 1-based line numbers in the text. */
function numberedLines(text: string): { text: string; line: number }[] {
  return text
    .split(/\r?\n/)
    .map((line, i) => ({ text: line.trim(), line: i + 1 }))
    .filter(({ text: line }) => line !== '' && !line.startsWith('#'));
}

export function splitLines(text: string): string[] {
  return numberedLines(text).map((l) => l.text);
}

/**
 * NAME=value lines split at the first '='. An error never quotes the line: a line without '=' is often the
 * continuation of a multi-line value (a key, a certificate), which may be secret.
 */
export function parseKeyValues(text: string, where: string): KeyValue[] {
  return numberedLines(text).map(({ text: line, line: number }) => {
    const at = line.indexOf('=');
    if (at <= 0) {
      throw new ConfigError(
        `${where} line ${number}`,
        at === 0 ? 'has no name before =' : "has no '=' (the line is not shown: values may be secret)",
        'write one NAME=value per line; a value cannot span lines',
      );
    }
    return { key: line.slice(0, at).trim(), value: line.slice(at + 1).trim(), line: number };
  });
}

/**
 * A value given either as JSON (object or array) or as a KEY=VALUE list, e.g. docker labels or
 * log options. Returns a flat string map.
 */
export function parseJsonOrKeyValues(text: string, where: string): Record<string, string> {
  const trimmed = text.trim();
  if (trimmed === '') return {};
  if (trimmed.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (error) {
      throw new ConfigError(
        where,
        `is not valid JSON (${jsonProblem(error, trimmed)})`,
        'fix the JSON or use NAME=value lines',
      );
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new ConfigError(where, 'must be a JSON object of strings', 'e.g. {"team": "web"} or NAME=value lines');
    }
    const out: Record<string, string> = {};
    for (const [key, value] of Object.entries(parsed)) {
      if (typeof value !== 'string')
        throw new ConfigError(`${where} key '${key}'`, 'must be a string', 'quote the value');
      out[key] = value;
    }
    return out;
  }
  const out: Record<string, string> = {};
  for (const { key, value } of parseKeyValues(trimmed, where)) out[key] = value;
  return out;
}
