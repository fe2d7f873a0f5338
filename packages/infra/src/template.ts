/**
 * Reading a CloudFormation template the way CloudFormation does: YAML with the short-form intrinsic tags
 * (`!Ref`, `!Sub`, `!GetAtt A.B` ...) turned into their long forms (`{ "Ref": ... }`), so the result is the
 * JSON template CloudFormation sees. Local emulators read JSON more faithfully than YAML, which is why tests
 * send this form.
 */
import { readFileSync } from 'node:fs';
import { parse, type Tags } from 'yaml';

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface Resource {
  readonly Type: string;
  readonly Condition?: string;
  readonly DependsOn?: string | string[];
  readonly Metadata?: JsonObject;
  readonly Properties?: JsonObject;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
}

export interface ParameterSpec {
  readonly Type: string;
  readonly Default?: string | number;
  readonly AllowedValues?: (string | number)[];
  readonly AllowedPattern?: string;
  readonly Description?: string;
}

export interface Template {
  readonly Parameters: Record<string, ParameterSpec>;
  readonly Conditions: Record<string, Json>;
  readonly Resources: Record<string, Resource>;
  readonly Outputs: Record<string, JsonObject>;
  readonly [key: string]: unknown;
}

/** A scalar as text; a list or map where a string belongs is a template error, named by `where`. */
export function text(value: Json | undefined, where = 'value'): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new Error(
    `${where}: expected a string, found ${value === null || value === undefined ? 'nothing' : 'a list or map'}`,
  );
}

const FUNCTIONS = ['Base64', 'Cidr', 'FindInMap', 'GetAZs', 'ImportValue', 'Join', 'Select', 'Split', 'Sub'];
const CONDITIONS = ['And', 'Equals', 'If', 'Not', 'Or'];

/** Both YAML forms (scalar and sequence) of every short-form intrinsic function. */
function cloudFormationTags(): Tags {
  const tags: Tags = [];
  const add = (name: string, long: string, scalar: (v: string) => unknown): void => {
    tags.push({ tag: `!${name}`, resolve: scalar });
    tags.push({ tag: `!${name}`, collection: 'seq', resolve: (seq) => ({ [long]: seq.toJSON() as Json }) });
    tags.push({ tag: `!${name}`, collection: 'map', resolve: (map) => ({ [long]: map.toJSON() as Json }) });
  };
  add('Ref', 'Ref', (v) => ({ Ref: v }));
  add('Condition', 'Condition', (v) => ({ Condition: v }));
  // `!GetAtt Db.Endpoint.Address` splits at the first dot only: the attribute name may contain dots.
  add('GetAtt', 'Fn::GetAtt', (v) => {
    const dot = v.indexOf('.');
    return { 'Fn::GetAtt': dot < 0 ? [v] : [v.slice(0, dot), v.slice(dot + 1)] };
  });
  for (const f of [...FUNCTIONS, ...CONDITIONS]) add(f, `Fn::${f}`, (v) => ({ [`Fn::${f}`]: v }));
  return tags;
}

export function parseTemplate(text: string, file: string): Template {
  const doc: unknown = parse(text, { customTags: cloudFormationTags(), uniqueKeys: true, maxAliasCount: 0 });
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new Error(`${file}: not a template`);
  const t = doc as Record<string, unknown>;
  if (t['Resources'] === undefined || typeof t['Resources'] !== 'object') throw new Error(`${file}: no Resources`);
  return {
    ...t,
    Parameters: (t['Parameters'] ?? {}) as Template['Parameters'],
    Conditions: (t['Conditions'] ?? {}) as Template['Conditions'],
    Resources: t['Resources'] as Template['Resources'],
    Outputs: (t['Outputs'] ?? {}) as Template['Outputs'],
  };
}

export function loadTemplate(file: string): Template {
  return parseTemplate(readFileSync(file, 'utf8'), file);
}

/** One entry of a parameters file in the AWS CLI's format (`--parameters file://...`). */
export interface CliParameter {
  readonly ParameterKey: string;
  readonly ParameterValue: string;
}

export function loadCliParameters(file: string): CliParameter[] {
  const doc: unknown = JSON.parse(readFileSync(file, 'utf8'));
  const ok =
    Array.isArray(doc) &&
    doc.every(
      (p: unknown) =>
        p !== null &&
        typeof p === 'object' &&
        typeof (p as Record<string, unknown>)['ParameterKey'] === 'string' &&
        typeof (p as Record<string, unknown>)['ParameterValue'] === 'string',
    );
  if (!ok) throw new Error(`${file}: expected a JSON list of {"ParameterKey": ..., "ParameterValue": ...}`);
  return doc as CliParameter[];
}
