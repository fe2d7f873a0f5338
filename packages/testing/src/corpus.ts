// The corpus of public task definition files (packages/taskdef/test/corpus, sources in SOURCES.tsv) and what AWS
// does with each: most register as they are; the rest AWS refuses, for the reason recorded here. The corpus
// tests and `npm run bench` count accepted, rightly refused and falsely refused files against this.
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parse } from 'yaml';
import { REPO_ROOT } from './repo';
import { runBundle, type RunResult } from './runner';

export const CORPUS_DIR = path.join(REPO_ROOT, 'packages/taskdef/test/corpus');

export interface CorpusFile {
  readonly file: string;
  readonly repository: string;
  readonly path: string;
  readonly commit: string;
}

export function corpusFiles(): CorpusFile[] {
  return readFileSync(path.join(CORPUS_DIR, 'SOURCES.tsv'), 'utf8')
    .split('\n')
    .slice(1)
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [file = '', repository = '', source = '', commit = ''] = line.split('\t');
      return { file, repository, path: source, commit };
    });
}

/** Placeholder accounts (XXXXXXXXXXXX, YOUR_ACCOUNT_ID) and templates: AWS answers "Role is not valid". */
const ROLES = ['taskRoleArn', 'executionRoleArn'];

/**
 * Files AWS refuses as they are, with the fields (or phrases) the refusal must name. `roleInputs`: the refusal is
 * only the placeholder roles, so with task-role-arn / execution-role-arn given as inputs the file renders.
 */
export const CORPUS_REFUSALS: Readonly<
  Record<string, { readonly names: readonly string[]; readonly roleInputs?: true }>
> = {
  'Extelligence-ai--bagel.json': { names: ROLES, roleInputs: true },
  'LunarLogic--zupa--production.json': { names: ['family', ...ROLES] },
  'nkuik--automation-api.yaml': { names: ['executionRoleArn'], roleInputs: true },
  'aws-samples--amazon-ecs-firelens-examples--fluent-bit-dynatrace-task-definition.json': {
    names: ['is not valid JSON', 'line 34, column 20'],
  },
  'aws-samples--amazon-ecs-firelens-examples--fluent-bit-forward-to-aggregator-task-definition.json': {
    names: ['executionRoleArn'],
    roleInputs: true,
  },
  'aws-samples--amazon-ecs-firelens-examples--fluent-bit-logstash-task-definition.json': {
    names: ['containerDefinitions[1].portMappings: must be a list, not an object'],
  },
  'aws-samples--amazon-ecs-firelens-examples--fluent-bit-signalfx-task-definition.json': {
    names: ['logConfiguration.secretOptions: must be a list, not an object'],
  },
  ...Object.fromEntries(
    ['gunicorn', 'jetty', 'kibana', 'nginx', 'tomcat', 'wildfly'].map((name) => [
      `aws-samples--aws-containers-task-definitions--${name}-${name}_fargate.json`,
      { names: ['executionRoleArn: is missing', 'logs to CloudWatch on Fargate'] },
    ]),
  ),
  'aws-samples--aws-containers-task-definitions--kibana-kibana_ec2.json': {
    names: ['hostPort: is 80 but containerPort is 5601; under awsvpc they must be equal'],
  },
  'aws-samples--aws-containers-task-definitions--tomcat-tomcat_ec2.json': {
    names: ['hostPort: is 80 but containerPort is 8080; under awsvpc they must be equal'],
  },
};

/**
 * The refusal of a file: listed above, or a role ARN whose account is a placeholder (XXXXXXXXXXXX, xxxxxxxxxx,
 * aws_account_id, 11 digits...), which is all that is wrong with the firelens examples.
 */
export function corpusRefusal(
  file: string,
): { readonly names: readonly string[]; readonly roleInputs?: true } | undefined {
  const listed = CORPUS_REFUSALS[file];
  if (listed) return listed;
  const text = readFileSync(path.join(CORPUS_DIR, file), 'utf8');
  return /:iam::(?!\d{12}:)[^:"]*:role\//.test(text)
    ? { names: ROLES.filter((r) => text.includes(`"${r}"`)), roleInputs: true }
    : undefined;
}

/** Role ARNs a user would give as inputs in place of the placeholders. */
export const CORPUS_ROLE_INPUTS = {
  'task-role-arn': 'arn:aws:iam::123456789012:role/app-task',
  'execution-role-arn': 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole',
} as const;

const READ_ONLY = new Set([
  'taskDefinitionArn',
  'revision',
  'status',
  'requiresAttributes',
  'compatibilities',
  'registeredAt',
  'registeredBy',
  'deregisteredAt',
  'deleteRequestedAt',
]);

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * A task definition as RegisterTaskDefinition means it, written independently of the action's cleaner: read-only
 * describe fields, nulls and "" fields (other than a pair's value) are "not set"; an object left empty by that
 * is not set either; scalars compare by their text (YAML `cpu: 256` is the API's "256").
 */
export function meaning(value: Json, key = ''): Json | undefined {
  if (value === null || (value === '' && key !== 'value')) return undefined;
  if (Array.isArray(value)) return value.map((v) => meaning(v) ?? null);
  if (typeof value === 'object') {
    const out: Record<string, Json> = {};
    for (const [k, v] of Object.entries(value)) {
      if (key === '' && READ_ONLY.has(k)) continue;
      const m = meaning(v, k);
      if (m !== undefined) out[k] = m;
    }
    return key !== '' && Object.keys(out).length === 0 && Object.keys(value).length > 0 ? undefined : out;
  }
  return String(value);
}

/** A corpus file's task definition: `aws ecs describe-task-definition` output wraps it in {taskDefinition, tags}. */
export async function corpusSource(file: string): Promise<Json> {
  const text = (await readFile(path.join(CORPUS_DIR, file), 'utf8')).replace(/^\uFEFF/, '');
  const doc = (file.endsWith('.json') ? JSON.parse(text) : parse(text)) as Record<string, Json>;
  const inner = doc['taskDefinition'];
  if (inner === undefined || inner === null || typeof inner !== 'object' || 'containerDefinitions' in doc) return doc;
  const tags = doc['tags'];
  return Array.isArray(tags) && tags.length > 0 ? { ...(inner as Record<string, Json>), tags } : inner;
}

/** The task definition file a run wrote (output task-definition). */
export async function renderedTaskDefinition(result: Pick<RunResult, 'outputs'>): Promise<Json> {
  return JSON.parse(await readFile(result.outputs['task-definition'] ?? '', 'utf8')) as Json;
}

export type CorpusVerdict =
  | 'accepted'
  | 'rightly refused'
  | 'falsely refused'
  | 'wrongly accepted'
  /** Rendered, but changed beyond what the inputs ask. */
  | 'altered'
  /** Refused as AWS refuses it, but without naming what AWS refuses. */
  | 'refused for another reason';

export interface CorpusJudgement {
  readonly verdict: CorpusVerdict;
  readonly result: RunResult;
  /** For files refused only for placeholder roles: the verdict once the role inputs are given. */
  readonly withRoleInputs?: CorpusVerdict;
}

/**
 * Runs one corpus file through the committed render-task-def bundle, as the runner does, and judges the result
 * against what AWS does with the file (CORPUS_REFUSALS). The corpus tests and `npm run bench` both count these.
 */
export async function judgeCorpusFile(file: string): Promise<CorpusJudgement> {
  const refusal = corpusRefusal(file);
  const run = (inputs: Record<string, string>): Promise<RunResult> =>
    runBundle('render-task-def', { inputs: { 'task-definition': path.join(CORPUS_DIR, file), ...inputs } });
  const result = await run({});
  // Read only for files AWS registers: some of those it refuses are not even valid JSON.
  const expected = async (): Promise<Json | undefined> => meaning(await corpusSource(file));
  const same = async (r: RunResult, want: Json | undefined): Promise<boolean> =>
    isDeepStrictEqual(meaning(await renderedTaskDefinition(r)), want);
  if (!refusal) {
    if (result.code !== 0 || result.stdout.includes('::error::')) return { verdict: 'falsely refused', result };
    const unchanged = (result.outputs['changes'] ?? '') === '[]' && (await same(result, await expected()));
    return { verdict: unchanged ? 'accepted' : 'altered', result };
  }
  if (result.code === 0) return { verdict: 'wrongly accepted', result };
  const named = refusal.names.every((name) => result.stdout.includes(name));
  if (!refusal.roleInputs) return { verdict: named ? 'rightly refused' : 'refused for another reason', result };
  const roles = await run(CORPUS_ROLE_INPUTS);
  const withRoles = { ...((await expected()) as Record<string, Json>) };
  withRoles['executionRoleArn'] = CORPUS_ROLE_INPUTS['execution-role-arn'];
  withRoles['taskRoleArn'] = CORPUS_ROLE_INPUTS['task-role-arn'];
  const rendered = roles.code === 0 && !roles.stdout.includes('::error::');
  const withRoleInputs: CorpusVerdict = !rendered
    ? 'falsely refused'
    : (await same(roles, meaning(withRoles)))
      ? 'accepted'
      : 'altered';
  return { verdict: named ? 'rightly refused' : 'refused for another reason', result, withRoleInputs };
}

export interface CorpusCounts {
  readonly files: number;
  readonly accepted: number;
  readonly rightlyRefused: number;
  /** Of the rightly refused: those that render once the placeholder roles are given as inputs. */
  readonly acceptedWithRoleInputs: number;
  readonly falselyRefused: number;
  readonly wronglyAccepted: number;
  readonly altered: number;
  readonly refusedForAnotherReason: number;
}

export function tallyCorpus(judgements: readonly CorpusJudgement[]): CorpusCounts {
  const count = (verdict: CorpusVerdict): number => judgements.filter((j) => j.verdict === verdict).length;
  return {
    files: judgements.length,
    accepted: count('accepted'),
    rightlyRefused: count('rightly refused'),
    acceptedWithRoleInputs: judgements.filter((j) => j.withRoleInputs === 'accepted').length,
    falselyRefused: count('falsely refused') + judgements.filter((j) => j.withRoleInputs === 'falsely refused').length,
    wronglyAccepted: count('wrongly accepted'),
    altered: count('altered') + judgements.filter((j) => j.withRoleInputs === 'altered').length,
    refusedForAnotherReason: count('refused for another reason'),
  };
}

/** The counts in one sentence, as the corpus test and the bench print them. */
export function describeCorpusCounts(c: CorpusCounts): string {
  return (
    `corpus of ${c.files} public task definition files through the render-task-def bundle: ` +
    `${c.accepted} accepted as they are, ${c.rightlyRefused} rightly refused ` +
    `(${c.acceptedWithRoleInputs} of them render once task-role-arn / execution-role-arn replace placeholder roles), ` +
    `${c.falselyRefused} falsely refused, ${c.wronglyAccepted} wrongly accepted, ${c.altered} altered, ` +
    `${c.refusedForAnotherReason} refused for another reason`
  );
}
