// Every public task definition file of the corpus through the committed bundle, as the runner runs it: what AWS
// registers renders unchanged (beyond the documented normalisation), what AWS refuses is refused naming the
// field. Prints the counts: accepted, rightly refused, falsely refused.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { validateTaskDefinition } from '@deploy-actions/taskdef';
import {
  CORPUS_DIR,
  CORPUS_ROLE_INPUTS,
  corpusFiles,
  corpusRefusal,
  runBundle,
  type RunResult,
} from '@deploy-actions/testing';
import { parse } from 'yaml';

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

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * The source as RegisterTaskDefinition means it, written independently of the action's cleaner: read-only
 * describe fields, nulls and "" fields (other than a pair's value) are "not set"; an object left empty by that
 * is not set either; scalars compare by their text (YAML `cpu: 256` is the API's "256").
 */
function meaning(value: Json, key = ''): Json | undefined {
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

/** The file's task definition: `aws ecs describe-task-definition` output wraps it in {taskDefinition, tags}. */
async function source(file: string): Promise<Json> {
  const text = (await readFile(path.join(CORPUS_DIR, file), 'utf8')).replace(/^\uFEFF/, '');
  const doc = (file.endsWith('.json') ? JSON.parse(text) : parse(text)) as Record<string, Json>;
  const inner = doc['taskDefinition'];
  if (inner === undefined || inner === null || typeof inner !== 'object' || 'containerDefinitions' in doc) return doc;
  const tags = doc['tags'];
  return Array.isArray(tags) && tags.length > 0 ? { ...(inner as Record<string, Json>), tags } : inner;
}

async function rendered(result: RunResult): Promise<Json> {
  return JSON.parse(await readFile(result.outputs['task-definition'] ?? '', 'utf8')) as Json;
}

const counts = { accepted: 0, acceptedWithRoleInputs: 0, rightlyRefused: 0, falselyRefused: 0, wronglyAccepted: 0 };
const files = corpusFiles();

afterAll(() => {
  // The proof the issue asks for, in the test output.
  console.log(
    `corpus of ${files.length} public task definition files through the render-task-def bundle: ` +
      `${counts.accepted} accepted as they are, ${counts.rightlyRefused} rightly refused ` +
      `(${counts.acceptedWithRoleInputs} of them render once task-role-arn / execution-role-arn replace placeholder roles), ` +
      `${counts.falselyRefused} falsely refused, ${counts.wronglyAccepted} wrongly accepted`,
  );
});

test('the corpus has real variety', () => {
  expect(files.length).toBeGreaterThanOrEqual(60);
  expect(new Set(files.map((f) => f.repository)).size).toBeGreaterThanOrEqual(15);
  expect(files.some((f) => /\.ya?ml$/.test(f.file))).toBe(true);
  for (const f of files) expect(f.commit).toMatch(/^[0-9a-f]{40}$/);
});

describe.each(files.map((f) => f.file))('%s', (file) => {
  const refusal = corpusRefusal(file);

  test(refusal ? 'is refused, naming what AWS refuses' : 'renders as it is, unchanged in meaning', async () => {
    const result = await runBundle('render-task-def', { inputs: { 'task-definition': path.join(CORPUS_DIR, file) } });
    if (refusal) {
      if (result.code === 0) counts.wronglyAccepted++;
      expect(result.code).not.toBe(0);
      for (const name of refusal.names) expect(result.stdout).toContain(name);
      counts.rightlyRefused++;
      return;
    }
    if (result.code !== 0) counts.falselyRefused++;
    expect(result.stdout).not.toContain('::error::');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.outputs['changes'] ?? '')).toEqual([]);
    expect(meaning(await rendered(result))).toEqual(meaning(await source(file)));
    counts.accepted++;
  });

  if (refusal?.roleInputs) {
    test('renders once the placeholder roles are given as inputs, nothing else changed', async () => {
      const result = await runBundle('render-task-def', {
        inputs: { 'task-definition': path.join(CORPUS_DIR, file), ...CORPUS_ROLE_INPUTS },
      });
      expect(result.stdout).not.toContain('::error::');
      expect(result.code).toBe(0);
      const expected = meaning(await source(file)) as Record<string, Json>;
      expected['executionRoleArn'] = CORPUS_ROLE_INPUTS['execution-role-arn'];
      expected['taskRoleArn'] = CORPUS_ROLE_INPUTS['task-role-arn'];
      expect(meaning(await rendered(result))).toEqual(expected);
      counts.acceptedWithRoleInputs++;
    });
  }
});

test('a UTF-8 byte-order mark is accepted (Windows editors write one)', async () => {
  const workspace = await mkdtemp(path.join(tmpdir(), 'corpus-bom-'));
  const file = 'BraidFI-AI--watchman-java.json';
  await writeFile(path.join(workspace, 'td.json'), `\uFEFF${await readFile(path.join(CORPUS_DIR, file), 'utf8')}`);
  const result = await runBundle('render-task-def', { workspace, inputs: { 'task-definition': 'td.json' } });
  expect(result.code).toBe(0);
  expect(meaning(await rendered(result))).toEqual(meaning(await source(file)));
});

test('the two-step render aws-actions documents, on a 10-container file with nine empty images', async () => {
  // Each step sets one container's image; until the last step the others still hold "" (a warning, not an error).
  const file = 'CS3219-AY2223S1-T33--cs3219-project.json';
  const names = ['session-service', 'question-service', 'history-service', 'matchmaker', 'user-service'];
  const more = ['matching-service', 'collab-service', 'frontend', 'gateway'];
  let taskDefinition = path.join(CORPUS_DIR, file);
  for (const [i, name] of [...names, ...more].entries()) {
    const result = await runBundle('render-task-def', {
      inputs: { 'task-definition': taskDefinition, 'container-name': name, image: `repo/${name}:1` },
    });
    expect(result.code).toBe(0);
    const warnings = result.stdout
      .split('\n')
      .filter((l) => l.startsWith('::warning::') && l.includes('.image: is missing'));
    expect(warnings).toHaveLength(8 - i);
    taskDefinition = result.outputs['task-definition'] ?? '';
  }
  const final = (await rendered({ outputs: { 'task-definition': taskDefinition } } as unknown as RunResult)) as {
    containerDefinitions: { name: string; image: string }[];
  };
  expect(final.containerDefinitions.map((c) => c.image)).toEqual([
    expect.stringContaining('cs3219:redis-'),
    ...['session-service', 'question-service', 'history-service', 'matchmaker', 'user-service', ...more].map(
      (n) => `repo/${n}:1`,
    ),
  ]);
  // What deploy-service registers: the shared validation at the register stage now accepts it.
  expect(() => validateTaskDefinition(final as never, 'final')).not.toThrow();
});
