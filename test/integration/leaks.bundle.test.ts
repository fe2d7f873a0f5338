// The leak suite: secrets put where they do not belong — the ways people really do it — through the committed
// bundles as the runner runs them, with step debug logging on and the runner's masking modelled (a registered
// value is masked whole, a cut piece of it is not). Each secret, and every 6-character fragment of it, must be
// absent from stdout, stderr, GITHUB_OUTPUT, the job summary and every file under RUNNER_TEMP. Each case also
// checks that the run failed where it should, so a case cannot pass by never reaching the code it is about.
import { SSMClient } from '@aws-sdk/client-ssm';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  leaksOf,
  localClientConfig,
  putParameters,
  runBundle,
  startMoto,
  STEP_DEBUG_ENV,
  TEST_ACCOUNT,
  type Moto,
} from '@deploy-actions/testing';

/** Secrets in the shapes they come in: symbols, base64, hex (a Rails master key), a token. */
const PASSWORD = 'hV7#qP2!zR9@kM4$';
const BASE64 = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYzqZ3x9';
const HEX = '3f9a7c1e5b2d8f4a6c0e9b7d5f3a1c8e';
const TOKEN = 'ghp_Xq3vB8nM2kL7pR4tW9yZ1cF6hJ0sD5gA';
/** An unquoted YAML value starting with '*' is read as an alias: the error must not name it. */
const STAR = '*Kx9vQ2mZ7wR4pLt';

type Action = 'render-task-def' | 'deploy-service' | 'verify-params' | 'build-nginx-image';

interface Case {
  readonly name: string;
  readonly action: Action;
  readonly secrets: readonly string[];
  readonly inputs: Record<string, string>;
  /** Files of the workspace. */
  readonly files?: Record<string, string>;
  /** Where the run must stop: a fragment of its error annotation. */
  readonly error: string;
}

const FARGATE = {
  family: 'web',
  networkMode: 'awsvpc',
  requiresCompatibilities: ['FARGATE'],
  cpu: '256',
  memory: '512',
  executionRoleArn: 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole',
};
const withContainer = (container: Record<string, unknown>): string =>
  JSON.stringify({ ...FARGATE, containerDefinitions: [{ name: 'web', image: 'nginx:1.27', ...container }] });
const VALID_TD = withContainer({});
const ENV_FILE = `DB_PASSWORD=${PASSWORD}\nAWS_SECRET_ACCESS_KEY=${BASE64}\nRAILS_MASTER_KEY=${HEX}\n`;
const YAML_TD = (value: string): string =>
  [
    'family: web',
    'containerDefinitions:',
    '  - name: web',
    '    image: nginx:1.27',
    '    environment:',
    '      - name: DB_PASSWORD',
    `        value: ${value}`,
  ].join('\n');
const COMPOSE_YAML = [
  'family: web',
  'containerDefinitions:',
  '  - name: web',
  '    image: nginx:1.27',
  '    environment:',
  `      - DB_PASSWORD=${PASSWORD}`,
].join('\n');

/** The same file mistakes, for each action that reads a task definition file before any AWS call. */
function fileCases(
  action: Action,
  input: string,
  extra: Record<string, string>,
  files: Record<string, string> = {},
): Case[] {
  const run = (name: string, file: string, text: string, secrets: string[], error: string): Case => ({
    name,
    action,
    secrets,
    inputs: { ...extra, [input]: file },
    files: { ...files, [file]: text },
    error,
  });
  return [
    run(
      'compose-style environment list in JSON',
      'td.json',
      withContainer({ environment: [`DB_PASSWORD=${PASSWORD}`, `API_TOKEN=${TOKEN}`] }),
      [PASSWORD, TOKEN],
      'environment[0]',
    ),
    run('compose-style environment list in YAML', 'td.yml', COMPOSE_YAML, [PASSWORD], 'environment[0]'),
    run(
      'task definition pointed at a .env file',
      '.env',
      ENV_FILE,
      [PASSWORD, BASE64, HEX],
      'is not a task definition',
    ),
    run('an unquoted YAML value starting with * (an alias)', 'td.yml', YAML_TD(STAR), [STAR], 'alias'),
    run('an unquoted YAML value starting with @', 'td.yml', YAML_TD(`@${PASSWORD}`), [PASSWORD], 'reserved character'),
    run(
      'a JSON syntax error right after a secret',
      'td.json',
      `{"family": "web", "containerDefinitions": [{"name": "web", "environment": [{"name": "X", "value": "${BASE64}" "y"}]}]}`,
      [BASE64],
      'is not valid JSON',
    ),
    run(
      'a secret where a number belongs',
      'td.json',
      withContainer({ memory: PASSWORD, portMappings: [{ containerPort: TOKEN }] }),
      [PASSWORD, TOKEN],
      'must be a number, not text',
    ),
  ];
}

/** verify-params' manifest: a hex-ruled key (seeded one character short) and a password. */
const MANIFEST = [
  'version: 1',
  'environments: { ci: { path: /leak/ci/ } }',
  'parameters:',
  '  - { name: RAILS_MASTER_KEY, secret: true, format: { rule: hex, length: 32 } }',
  '  - { name: DB_PASSWORD, secret: true }',
].join('\n');

const RENDER_TD = { 'task-definition': 'td.json' };
const renderInput = (inputs: Record<string, string>, error: string, secrets: string[], name: string): Case => ({
  name,
  action: 'render-task-def',
  secrets,
  inputs: { ...RENDER_TD, ...inputs },
  files: { 'td.json': VALID_TD },
  error,
});

const deployInput = (inputs: Record<string, string>, error: string, secrets: string[], name: string): Case => ({
  name,
  action: 'deploy-service',
  secrets,
  inputs: { 'task-definition': 'td.json', service: 'web', ...inputs },
  files: { 'td.json': VALID_TD },
  error,
});

const buildInput = (inputs: Record<string, string>, error: string, secrets: string[], name: string): Case => ({
  name,
  action: 'build-nginx-image',
  secrets,
  inputs: { directory: 'site', repository: '127.0.0.1:9/frontend', ...inputs },
  error,
});

const CASES: Case[] = [
  ...fileCases('render-task-def', 'task-definition', {}),
  ...fileCases('deploy-service', 'task-definition', { service: 'web' }),
  // verify-params reads only the secrets and environment names of a task definition, so a wrongly typed number
  // is not its business; the rest of the file mistakes are.
  ...fileCases(
    'verify-params',
    'task-definitions',
    { 'parameters-manifest': 'parameters.yml', environment: 'ci' },
    { 'parameters.yml': MANIFEST },
  ).filter((c) => c.name !== 'a secret where a number belongs'),
  // Wrongly typed values in inputs.
  renderInput({ cpu: PASSWORD, memory: BASE64 }, "input 'cpu'", [PASSWORD, BASE64], 'render: cpu and memory'),
  renderInput(
    { 'task-role-arn': PASSWORD, 'execution-role-arn': BASE64 },
    "input 'task-role-arn'",
    [PASSWORD, BASE64],
    'render: roles',
  ),
  renderInput(
    { 'aws-region': TOKEN, 'aws-account-id': HEX },
    "input 'aws-region'",
    [TOKEN, HEX],
    'render: region and account',
  ),
  renderInput(
    { 'container-name': PASSWORD, image: 'nginx:1' },
    "input 'container-name'",
    [PASSWORD],
    'render: container-name',
  ),
  renderInput(
    { images: `web=${PASSWORD} x\n${BASE64}=nginx:1` },
    "input 'images'",
    [PASSWORD, BASE64],
    'render: images',
  ),
  renderInput(
    { 'container-name': 'web', image: 'nginx:1', 'environment-variables': `A=1\n${BASE64}\n${PASSWORD}=x` },
    "input 'environment-variables' line 2",
    [PASSWORD, BASE64],
    'render: environment lines without a name',
  ),
  renderInput(
    { 'container-name': 'web', image: 'nginx:1', secrets: `DB_PASSWORD=${PASSWORD}\nKEY=${BASE64}` },
    "input 'secrets' line 1 (DB_PASSWORD)",
    [PASSWORD, BASE64],
    'render: the secret itself in secrets',
  ),
  renderInput({ 'env-files': PASSWORD }, "input 'env-files'", [PASSWORD], 'render: env-files'),
  renderInput(
    { 'container-name': 'web', image: 'nginx:1', 'log-configuration-options': `{"awslogs-group": ${PASSWORD}}` },
    "input 'log-configuration-options'",
    [PASSWORD],
    'render: log options not JSON',
  ),
  renderInput(
    { 'container-name': 'web', image: 'nginx:1', command: `rails s --password="$${TOKEN}" | tee ${BASE64}` },
    "input 'command'",
    [TOKEN, BASE64],
    'render: command with expansions',
  ),
  renderInput(
    { 'task-definition': '', 'task-definition-family': PASSWORD },
    'is not a family name',
    [PASSWORD],
    'render: family',
  ),
  renderInput(
    { 'task-definition': '', 'task-definition-arn': BASE64 },
    'is not a task definition ARN',
    [BASE64],
    'render: arn',
  ),
  deployInput(
    { 'environment-url': PASSWORD, 'github-token': 'x', environment: 'production' },
    "input 'environment-url'",
    [PASSWORD],
    'deploy: environment-url',
  ),
  deployInput(
    { 'wait-for-minutes': PASSWORD, 'poll-interval-seconds': BASE64, 'desired-count': HEX },
    "input 'wait-for-minutes'",
    [PASSWORD, BASE64, HEX],
    'deploy: numbers',
  ),
  deployInput(
    { 'propagate-tags': TOKEN, 'run-task-assign-public-ip': PASSWORD },
    "input 'propagate-tags'",
    [TOKEN, PASSWORD],
    'deploy: choices',
  ),
  deployInput(
    { 'run-task': 'true', 'run-task-command': `migrate --token=$${TOKEN}` },
    "input 'run-task-command'",
    [TOKEN],
    'deploy: run-task-command',
  ),
  deployInput({ 'aws-region': BASE64 }, "input 'aws-region'", [BASE64], 'deploy: aws-region'),
  buildInput(
    { 'api-path': PASSWORD, 'server-names': `app.example.com ${BASE64}` },
    "input 'api-path'",
    [PASSWORD, BASE64],
    'build: nginx options',
  ),
  buildInput(
    { tags: `v1 ${PASSWORD}`, platform: TOKEN },
    "input 'tags'",
    [PASSWORD, TOKEN],
    'build: tags and platform',
  ),
  buildInput({ 'base-image': `nginx@sha256:${HEX}` }, "input 'base-image'", [HEX], 'build: base-image digest'),
  buildInput({ repository: `127.0.0.1:9/${PASSWORD}` }, "input 'repository'", [PASSWORD], 'build: repository'),
  buildInput(
    { 'registry-password': BASE64 },
    "input 'registry-username'",
    [BASE64],
    'build: a password without a username',
  ),
  buildInput(
    { labels: `a=1\n${TOKEN}`, hsts: `max-age="${PASSWORD}"` },
    "input 'labels' line 2",
    [TOKEN, PASSWORD],
    'build: labels and a header',
  ),
];

// verify-params against moto: its inputs, task definition references, the hex rule.

const SHORT_HEX = HEX.slice(0, 31);
const verifyCase = (name: string, extra: Partial<Case> & Pick<Case, 'secrets' | 'error'>): Case => ({
  ...extra,
  name,
  action: 'verify-params',
  inputs: { 'parameters-manifest': 'parameters.yml', environment: 'ci', ...extra.inputs },
  files: { 'parameters.yml': MANIFEST, ...extra.files },
});
const refs = (secrets: { name: string; valueFrom: string }[]): string =>
  JSON.stringify({ family: 'api', containerDefinitions: [{ name: 'api', image: 'x', secrets }] });
const VERIFY: Case[] = [
  verifyCase('verify: the secret itself as valueFrom, and a hex key as a bare name', {
    secrets: [PASSWORD, HEX, BASE64],
    inputs: { 'task-definitions': 'td.json' },
    files: {
      'td.json': refs([
        { name: 'DB_PASSWORD', valueFrom: PASSWORD },
        { name: 'RAILS_MASTER_KEY', valueFrom: HEX },
        { name: 'AWS_SECRET_ACCESS_KEY', valueFrom: BASE64 },
      ]),
    },
    error: 'valueFrom is neither a Parameter Store name, path or ARN',
  }),
  verifyCase('verify: a hex key of the wrong length (its length is not told)', {
    secrets: [SHORT_HEX],
    error: 'is not 32 hexadecimal characters',
  }),
  verifyCase('verify: the manifest pointed at a .env file', {
    secrets: [PASSWORD, BASE64, HEX],
    inputs: { 'parameters-manifest': '.env' },
    files: { '.env': ENV_FILE },
    error: 'must be a mapping',
  }),
  verifyCase('verify: a manifest value starting with * (an alias)', {
    secrets: [STAR],
    files: { 'parameters.yml': `${MANIFEST}\n  - { name: X, format: { rule: regex, pattern: ${STAR} } }` },
    error: 'alias',
  }),
  verifyCase('verify: inputs', {
    secrets: [PASSWORD, TOKEN],
    inputs: { environment: PASSWORD, 'max-concurrency': TOKEN },
    error: "input 'max-concurrency'",
  }),
];

let moto: Moto;
beforeAll(async () => {
  moto = await startMoto();
  const ssm = new SSMClient(localClientConfig(moto.endpoint));
  await putParameters(ssm, {
    '/leak/ci/RAILS_MASTER_KEY': { type: 'SecureString', value: SHORT_HEX },
    '/leak/ci/DB_PASSWORD': { type: 'SecureString', value: PASSWORD },
  });
  ssm.destroy();
});
afterAll(async () => {
  await moto.stop();
});

describe.each([...CASES, ...VERIFY].map((c) => [`${c.action}: ${c.name}`, c] as const))('%s', (_name, c) => {
  test('fails where it should, and nothing of a secret reaches a log, an output, the summary or a file', async () => {
    const workspace = await mkdtemp(path.join(tmpdir(), 'leak-ws-'));
    for (const [file, text] of Object.entries(c.files ?? {})) await writeFile(path.join(workspace, file), text);
    const result = await runBundle(c.action, {
      inputs: c.inputs,
      workspace,
      // Step debug logging on; AWS is moto (only verify-params gets that far).
      env: { ...STEP_DEBUG_ENV, ...moto.env, AWS_ACCOUNT_ID: TEST_ACCOUNT },
    });
    const errors = result.stdout.split('\n').filter((l) => l.startsWith('::error::'));
    const stopped = errors.some((l) => l.includes(c.error));
    // The errors are shown only when the run did not stop where expected, to say where it did.
    expect({ code: result.code, stopped, errors: stopped ? [] : errors }).toEqual({
      code: 1,
      stopped: true,
      errors: [],
    });
    expect(result.stdout).toContain('::debug::'); // debug logging really was on
    expect(await leaksOf(result, c.secrets)).toEqual([]);
    // No length of a secret is told either.
    expect(result.stdout).not.toMatch(/has \d+ characters/);
  });
});
