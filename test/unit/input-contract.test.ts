// The input contract of every action: it reads exactly the inputs its action.yml declares, and where action.yml
// gives a default, the code falls back to the same value when the input is empty. The runner passes every
// `with:` key and every declared default as INPUT_*; an input renamed in code to a typo would otherwise read an
// always-empty variable and silently use a fallback, and a default changed in one place only would make a
// workflow behave differently from what the metadata (and the README generated from it) says.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseActionSpec, readCredentialSources, type ActionIO, type ActionSpec } from '@deploy-actions/core';
import { recordingIO, REPO_ROOT } from '@deploy-actions/testing';
import { readOptions as buildOptions } from '../../actions/build-nginx-image/src/options';
import { readOptions as deployOptions } from '../../actions/deploy-service/src/options';
import { readOptions as renderOptions } from '../../actions/render-task-def/src/options';
import { readOptions as verifyOptions } from '../../actions/verify-params/src/options';

type Inputs = Record<string, string>;

interface Subject {
  readonly readOptions: (io: ActionIO) => unknown;
  /** Configurations that are valid together with the defaults; together they reach every input. */
  readonly configurations: readonly Inputs[];
  readonly env?: Record<string, string>;
}

const SHA = '0123456789abcdef0123456789abcdef01234567';
const TASK_DEFINITION = JSON.stringify({
  family: 'web',
  networkMode: 'awsvpc',
  requiresCompatibilities: ['FARGATE'],
  cpu: '256',
  memory: '512',
  containerDefinitions: [{ name: 'web', image: 'nginx:1.27', essential: true }],
});

const SUBJECTS: Record<string, Subject> = {
  'build-nginx-image': {
    readOptions: buildOptions,
    configurations: [
      { directory: 'site', repository: '127.0.0.1:5000/frontend' },
      // An ECR repository is where aws-region applies.
      { directory: 'site', repository: '123456789012.dkr.ecr.eu-west-2.amazonaws.com/frontend' },
    ],
    env: { GITHUB_SHA: SHA },
  },
  'deploy-service': {
    readOptions: deployOptions,
    configurations: [
      { 'task-definition': 'td.json', service: 'web' },
      // The one-off task's inputs (and their defaults) apply with run-task.
      { 'task-definition': 'td.json', service: 'web', 'run-task': 'true' },
    ],
  },
  'render-task-def': {
    readOptions: renderOptions,
    configurations: [{ 'task-definition': 'td.json' }],
  },
  'verify-params': {
    readOptions: verifyOptions,
    configurations: [{ 'parameters-manifest': 'parameters.yml', environment: 'production' }],
    env: { AWS_REGION: 'eu-west-2' },
  },
};

const actions = readdirSync(path.join(REPO_ROOT, 'actions')).sort();

function spec(action: string): ActionSpec {
  const file = path.join(REPO_ROOT, 'actions', action, 'action.yml');
  return parseActionSpec(readFileSync(file, 'utf8'), file);
}

/** What the runner passes for inputs a workflow does not set: each declared default. */
function defaults(s: ActionSpec): Inputs {
  const out: Inputs = {};
  for (const [name, input] of s.inputs)
    if (input.default !== undefined && input.default !== '') out[name] = input.default;
  return out;
}

let workspace: string;
beforeAll(async () => {
  workspace = await mkdtemp(path.join(tmpdir(), 'input-contract-'));
  await writeFile(path.join(workspace, 'td.json'), TASK_DEFINITION);
  await writeFile(
    path.join(workspace, 'parameters.yml'),
    await readFile(path.join(REPO_ROOT, 'examples/parameters.yml'), 'utf8'),
  );
});

/**
 * Everything an action reads before its first AWS call: its own options, and the credential sources that core
 * reads for every action when main builds its clients (actionCredentials).
 */
async function read(s: ActionSpec, subject: Subject, inputs: Inputs) {
  const io = recordingIO(s.inputs.keys(), inputs, { GITHUB_WORKSPACE: workspace, ...subject.env });
  const options = { action: await subject.readOptions(io), credentialSources: readCredentialSources(io.inputs) };
  return { options, read: io.read };
}

test('every action is covered', () => {
  expect(actions).toEqual(Object.keys(SUBJECTS).sort());
});

describe.each(actions)('actions/%s', (action) => {
  const s = spec(action);
  const subject = SUBJECTS[action] as Subject;

  test('reads every input its action.yml declares, and no other', async () => {
    const names = new Set<string>();
    for (const configuration of subject.configurations) {
      // Reading an undeclared name throws here, naming it (a constant renamed to a typo).
      const { read: seen } = await read(s, subject, { ...defaults(s), ...configuration });
      for (const name of seen) names.add(name);
    }
    expect([...names].sort()).toEqual([...s.inputs.keys()].sort());
  });

  const withDefault = [...s.inputs].filter(([, input]) => input.default !== undefined && input.default !== '');
  if (withDefault.length > 0) {
    test.each(withDefault.map(([name, input]) => [name, input.default]))(
      "an empty '%s' means what action.yml's default %p means",
      async (name) => {
        for (const configuration of subject.configurations) {
          if (name in configuration) continue; // set by the configuration, not by its default
          const given = { ...defaults(s), ...configuration };
          const empty: Inputs = { ...given };
          delete empty[name];
          const [withIt, without] = await Promise.all([read(s, subject, given), read(s, subject, empty)]);
          expect(without.options).toEqual(withIt.options);
        }
      },
    );
  }

  test('main reads inputs only through readOptions (and core, for the credential sources)', () => {
    const main = readFileSync(path.join(REPO_ROOT, 'actions', action, 'src', 'main.ts'), 'utf8');
    expect(main).not.toMatch(/\binputs\.(raw|optional|required|boolean|integer|number|oneOf|lines|keyValues)\(/);
    expect(main).toMatch(/\bactionCredentials\(io\)/);
  });
});
