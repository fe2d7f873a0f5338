// From a fresh stack to a deployable environment, as infra/README.md has a user do it: render-task-def reads
// the stack's first API task definition (live family) and wires the manifest's secrets in; verify-params
// finds exactly the six SecureStrings missing; infra/put-secret-parameters.sh writes them from a file
// (and POSTGRES_PASSWORD from the database secret) without a value ever reaching a command line, refuses to
// overwrite without --overwrite; then verify-params passes.
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { jest } from '@jest/globals';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { REPO_ROOT, runBundle, startMoto, type Moto } from '@deploy-actions/testing';
import { awsCli, clientConfig, createPlatformStack } from '../support/platform-stack';

// Several bundles and AWS CLI calls (each a Python process) on a shared machine.
jest.setTimeout(120_000);

const SCRIPT = path.join(REPO_ROOT, 'infra/put-secret-parameters.sh');
const IMAGE = `123456789012.dkr.ecr.eu-west-2.amazonaws.com/learning-platform-api@sha256:${'5e'.repeat(32)}`;
// Values that pass the manifest's rules; unusual characters on purpose (quotes, spaces, $, =, a backslash).
const SECRETS: Record<string, string> = {
  RAILS_MASTER_KEY: '0123456789abcdef0123456789abcdef',
  S3_BUCKET_ACCESS_KEY_ID: 'AKIAQWERTYUIOPASDFGH',
  S3_BUCKET_SECRET_KEY: 'wJalr"XUtn FEMI/K7MD=ENG+b$(id)\\x',
  SMTP_USERNAME: "smtp-user 'seven'",
  SMTP_PASSWORD: 'smtp pass;rm -rf / `x`',
};
const DATABASE_PASSWORD = 'db-Pa55 word from Secrets Manager';
const SIX = [...Object.keys(SECRETS), 'POSTGRES_PASSWORD'].sort();

let moto: Moto;
let dir: string;
let binDir: string;
let argvLog: string;
let outputs: Record<string, string>;

beforeAll(async () => {
  moto = await startMoto();
  const stack = await createPlatformStack(moto);
  expect(stack.status).toBe('CREATE_COMPLETE');
  outputs = stack.outputs;
  dir = mkdtempSync(path.join(tmpdir(), 'first-deploy-'));
  // An `aws` in front of the real one that records every command line the script runs.
  binDir = path.join(dir, 'bin');
  argvLog = path.join(dir, 'argv.log');
  spawnSync('mkdir', ['-p', binDir]);
  writeFileSync(
    path.join(binDir, 'aws'),
    `#!/usr/bin/env bash\nprintf '%s\\n' "$*" >> ${JSON.stringify(argvLog)}\nexec ${JSON.stringify(path.join(REPO_ROOT, '.venv/bin/aws'))} "$@"\n`,
  );
  chmodSync(path.join(binDir, 'aws'), 0o755);
}, 180_000);
afterAll(async () => {
  await moto?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function putSecrets(args: string[], input?: string) {
  return spawnSync('bash', [SCRIPT, ...args], {
    env: {
      PATH: `${binDir}:${process.env['PATH'] ?? '/usr/bin:/bin'}`,
      HOME: dir,
      AWS_DEFAULT_REGION: moto.env['AWS_REGION'] ?? '',
      ...moto.env,
    },
    encoding: 'utf8',
    ...(input !== undefined ? { input } : {}),
  });
}

async function render(): Promise<string> {
  const run = await runBundle('render-task-def', {
    inputs: {
      'task-definition-family': 'learning-platform-api-staging',
      'container-name': 'api',
      image: IMAGE,
      'parameters-manifest': 'examples/parameters.yml',
      environment: 'staging',
      // As the example callers pass them (moto also drops the roles from the task definitions it creates).
      'execution-role-arn': outputs['StagingExecutionRoleArn'] ?? '',
      'task-role-arn': outputs['StagingApiTaskRoleArn'] ?? '',
    },
    env: moto.env,
    workspace: REPO_ROOT,
  });
  expect([run.code, run.code === 0 ? '' : run.visible.slice(-1500)]).toEqual([0, '']);
  return run.outputs['task-definition'] ?? '';
}

const verify = (taskDefinition: string) =>
  runBundle('verify-params', {
    inputs: {
      'parameters-manifest': 'examples/parameters.yml',
      environment: 'staging',
      'task-definitions': taskDefinition,
    },
    env: moto.env,
    workspace: REPO_ROOT,
  });

test('the stack’s first API task definition renders with the 17 staging parameters; only the six secrets are missing', async () => {
  const file = await render();
  const td = JSON.parse(readFileSync(file, 'utf8')) as {
    family: string;
    containerDefinitions: { image: string; secrets: { name: string; valueFrom: string }[] }[];
  };
  expect(td.family).toBe('learning-platform-api-staging');
  expect(td.containerDefinitions[0]?.image).toBe(IMAGE);
  expect(td.containerDefinitions[0]?.secrets).toHaveLength(17);
  const run = await verify(file);
  expect(run.code).not.toBe(0);
  const missing = (JSON.parse(run.outputs['missing'] ?? '[]') as string[]).map((n) => n.split('/').pop()).sort();
  expect(missing).toEqual(SIX);
  // Each is counted once: a parameter the task definition references and that does not exist is missing, not
  // also invalid (verify-params' one count everywhere).
  expect(JSON.parse(run.outputs['invalid'] ?? '[]')).toEqual([]);
});

test('put-secret-parameters.sh writes SecureStrings from a file and the database secret, never on a command line', async () => {
  // What the stack's AWS::SecretsManager::Secret holds on AWS (moto's CloudFormation skips that type).
  const generated = path.join(dir, 'generated-password');
  writeFileSync(generated, DATABASE_PASSWORD, { mode: 0o600 });
  const created = awsCli(moto, [
    'secretsmanager',
    'create-secret',
    '--name',
    'learning-platform/staging/database',
    '--secret-string',
    `file://${generated}`,
  ]);
  const secretArn = (JSON.parse(created) as { ARN: string }).ARN;
  const file = path.join(dir, 'staging.env');
  writeFileSync(
    file,
    `# staging secrets\n\n${Object.entries(SECRETS)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n')}\n`,
    { mode: 0o600 },
  );
  writeFileSync(argvLog, '');
  const run = putSecrets(['--environment', 'staging', '--file', file, '--database-secret', secretArn]);
  expect([run.status, run.stderr]).toEqual([0, '']);
  for (const name of SIX) expect(run.stdout).toContain(`wrote /learning-platform/staging/${name} (SecureString)`);

  const ssm = new SSMClient(clientConfig(moto));
  for (const [name, value] of [...Object.entries(SECRETS), ['POSTGRES_PASSWORD', DATABASE_PASSWORD] as const]) {
    const { Parameter } = await ssm.send(
      new GetParameterCommand({ Name: `/learning-platform/staging/${name}`, WithDecryption: true }),
    );
    expect([name, Parameter?.Type, Parameter?.Value]).toEqual([name, 'SecureString', value]);
  }
  // No value on any command line, nor in what the script printed.
  const commandLines = readFileSync(argvLog, 'utf8');
  expect(commandLines).toContain('ssm put-parameter');
  for (const value of [...Object.values(SECRETS), DATABASE_PASSWORD]) {
    expect(commandLines).not.toContain(value);
    expect(run.stdout + run.stderr).not.toContain(value);
  }
});

test('verify-params passes on the fresh environment once the secrets are written', async () => {
  const run = await verify(await render());
  expect([
    run.code,
    JSON.parse(run.outputs['missing'] ?? 'null'),
    JSON.parse(run.outputs['invalid'] ?? 'null'),
  ]).toEqual([0, [], []]);
});

test('an existing parameter is not replaced without --overwrite, and nothing is written then', async () => {
  const input = 'SMTP_PASSWORD=new-one\nREDIS_PASSWORD=only-new\n';
  const refused = putSecrets(['--environment', 'staging'], input);
  expect(refused.status).not.toBe(0);
  expect(refused.stderr).toContain('already set: /learning-platform/staging/SMTP_PASSWORD; nothing was written');
  expect(refused.stderr).not.toContain('new-one');
  const ssm = new SSMClient(clientConfig(moto));
  await expect(
    ssm.send(new GetParameterCommand({ Name: '/learning-platform/staging/REDIS_PASSWORD' })),
  ).rejects.toThrow();

  const replaced = putSecrets(['--environment', 'staging', '--overwrite'], input);
  expect([replaced.status, replaced.stderr]).toEqual([0, '']);
  const { Parameter } = await ssm.send(
    new GetParameterCommand({ Name: '/learning-platform/staging/SMTP_PASSWORD', WithDecryption: true }),
  );
  expect(Parameter?.Value).toBe('new-one');
});

test.each([
  [['--environment', 'staging'], 'NOT A LINE\n', 'standard input, line 1: expected NAME=value'],
  [['--environment', 'staging'], 'lower=case-secret\n', 'line 1: the name must be upper case'],
  [['--environment', 'staging'], 'A=1\nA=2\n', 'line 2: A is given twice'],
  [['--environment', 'staging'], 'EMPTY=\n', 'line 1: EMPTY has an empty value'],
  [
    ['--environment', 'staging', 'S3CR3T-VALUE'],
    '',
    "unknown argument 'S3CR3T-VALUE' (values are read from --file or standard input",
  ],
  [['--environment', 'Staging!'], 'A=1\n', '--environment must name the environment'],
  [['--environment', 'staging'], '# only a comment\n', 'no NAME=value lines in standard input'],
])('refuses %j with a message that names the problem and never the value', (args, input, message) => {
  const run = putSecrets(args, input);
  expect(run.status).not.toBe(0);
  expect(run.stderr).toContain(message);
  expect(run.stderr).not.toContain('case-secret');
});
