// The committed bundle run the way the runner runs it (INPUT_* with hyphens, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY,
// RUNNER_TEMP, GITHUB_WORKSPACE) against a real moto server, including the leak test.
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { SSMClient } from '@aws-sdk/client-ssm';
import {
  REPO_ROOT,
  TEST_ACCOUNT,
  TEST_REGION,
  everythingVisible,
  localClientConfig,
  putParameters,
  runBundle,
  startMoto,
  type Moto,
  type RunResult,
  type SeedParameters,
} from '@deploy-actions/testing';

let moto: Moto;
let ssm: SSMClient;
beforeAll(async () => {
  moto = await startMoto();
  ssm = new SSMClient(localClientConfig(moto.endpoint));
});
afterAll(async () => {
  ssm.destroy();
  await moto.stop();
});
beforeEach(async () => {
  await moto.reset();
});

type Values = SeedParameters;

const seed = (values: Values): Promise<void> => putParameters(ssm, values);

function platform(env: string): Values {
  const p = `/learning-platform/${env}/`;
  const host = env === 'production' ? 'app.zanda360.com' : 'app.staging.zanda360.com';
  return {
    [`${p}HOST_NAME`]: { type: 'String', value: host },
    [`${p}MAIL_DEFAULT_FROM_ADDRESS`]: { type: 'String', value: 'no-reply@zanda360.com' },
    [`${p}POSTGRES_DB`]: { type: 'String', value: 'learning_platform' },
    [`${p}POSTGRES_HOST`]: { type: 'String', value: 'db.cluster-abc.eu-west-2.rds.amazonaws.com' },
    [`${p}POSTGRES_PASSWORD`]: { type: 'SecureString', value: 'pg pass "quoted" \'single\'' },
    [`${p}POSTGRES_USERNAME`]: { type: 'String', value: 'platform' },
    [`${p}RAILS_MASTER_KEY`]: { type: 'SecureString', value: '0123456789abcdef0123456789abcdef' },
    [`${p}REDIS_HOST`]: { type: 'String', value: 'redis.internal' },
    [`${p}S3_BUCKET_ACCESS_KEY_ID`]: { type: 'SecureString', value: 'AKIAIOSFODNN7EXAMPLE' },
    [`${p}S3_BUCKET_NAME`]: { type: 'String', value: 'zanda360-uploads' },
    [`${p}S3_BUCKET_REGION`]: { type: 'String', value: 'eu-west-2' },
    [`${p}S3_BUCKET_SECRET_KEY`]: { type: 'SecureString', value: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
    [`${p}SMTP_ADDRESS`]: { type: 'String', value: 'email-smtp.eu-west-2.amazonaws.com' },
    [`${p}SMTP_DOMAIN`]: { type: 'String', value: 'zanda360.com' },
    [`${p}SMTP_USERNAME`]: { type: 'SecureString', value: 'AKIAEXAMPLESMTPUSER' },
    [`${p}SMTP_PASSWORD`]: { type: 'SecureString', value: 'smtp\npass word' },
    [`${p}SMTP_PORT`]: { type: 'String', value: '587' },
  };
}

/** A task definition that takes every value of `values` from Parameter Store by ARN. */
function taskDefinition(values: Values, extraEnv: { name: string; value: string }[] = []): string {
  return JSON.stringify({
    family: 'learning-platform-api',
    containerDefinitions: [
      {
        name: 'api',
        image: 'busybox:latest',
        environment: extraEnv,
        secrets: Object.keys(values).map((name) => ({
          name: name.slice(name.lastIndexOf('/') + 1),
          valueFrom: `arn:aws:ssm:${TEST_REGION}:${TEST_ACCOUNT}:parameter${name}`,
        })),
      },
    ],
  });
}

async function workspace(files: Record<string, string> = {}): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'verify-ws-'));
  await copyFile(path.join(REPO_ROOT, 'examples/parameters.yml'), path.join(dir, 'parameters.yml'));
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
  return dir;
}

async function verify(inputs: Record<string, string>, ws: string, env: Record<string, string> = {}) {
  const result = await runBundle('verify-params', {
    inputs: { 'parameters-manifest': 'parameters.yml', environment: 'production', ...inputs },
    workspace: ws,
    env: { ...moto.env, ...env },
  });
  const report =
    result.outputs['report'] && existsSync(result.outputs['report'])
      ? await readFile(result.outputs['report'], 'utf8')
      : '';
  return { ...result, report };
}

function describeRun(r: RunResult): string {
  return `exit ${r.code}\n${r.visible}\n${r.stderr}`;
}

test('all 17 platform parameters present, task definition wired by ARN: passes', async () => {
  const values = platform('production');
  await seed(values);
  const ws = await workspace({ 'api.json': taskDefinition(values) });
  const r = await verify({ 'task-definitions': 'api.json' }, ws);
  expect([r.code, describeRun(r)]).toEqual([0, expect.any(String)]);
  expect(r.outputs['missing']).toBe('[]');
  expect(r.outputs['invalid']).toBe('[]');
  expect(r.outputs['warnings']).toBe('[]');
  expect(r.outputs['report']).toBe(path.join(r.runnerTemp, 'verify-params-production.json'));
  const report = JSON.parse(r.report) as { passed: boolean; getParametersCalls: number; parameters: unknown[] };
  expect(report).toMatchObject({ passed: true, getParametersCalls: 2 });
  expect(report.parameters).toHaveLength(17);
  // A passing run is one line in the summary, not 17 green rows.
  expect(r.summary).toMatch(
    /^### verify-params: production\n\n✅ \*\*Passed\*\*: all 17 parameters under <code>\/learning-platform\/production\/<\/code> in <code>eu-west-2<\/code> exist with the right type; \d+ value\(s\) match their rule; every task definition reference resolves\.\n/,
  );
  expect(r.visible).toContain('17 parameters, 2 GetParameters calls: 0 missing, 0 invalid, 0 warnings');
});

test('missing, wrong types, bad formats and bad wiring: fails naming each', async () => {
  const values = platform('production');
  const p = '/learning-platform/production/';
  delete values[`${p}REDIS_HOST`];
  values[`${p}POSTGRES_PASSWORD`] = { type: 'String', value: 'plain-text-password' };
  values[`${p}SMTP_PORT`] = { type: 'String', value: '0' };
  values[`${p}MAIL_DEFAULT_FROM_ADDRESS`] = { type: 'String', value: 'not-an-email' };
  values[`${p}HOST_NAME`] = { type: 'String', value: 'app.staging.zanda360.com' };
  await seed(values);
  const ws = await workspace({
    'api.json': taskDefinition(values, [{ name: 'SMTP_PASSWORD', value: 'leaked-into-env' }]),
  });
  const r = await verify({ 'task-definitions': 'api.json' }, ws);
  expect(r.code).toBe(1);
  expect(JSON.parse(r.outputs['missing'] ?? '')).toEqual([`${p}REDIS_HOST`]);
  const invalid = JSON.parse(r.outputs['invalid'] ?? '') as { name: string; reason: string }[];
  expect(invalid.map((i) => i.name)).toEqual([
    `${p}HOST_NAME`,
    `${p}MAIL_DEFAULT_FROM_ADDRESS`,
    `${p}POSTGRES_PASSWORD`,
    `${p}SMTP_PORT`,
    'SMTP_PASSWORD',
  ]);
  expect(invalid[4]?.reason).toMatch(
    /api\.json container 'api': sets secret SMTP_PASSWORD as a plain environment value/,
  );
  expect(r.stdout).toMatch(
    /::error::verify-params: 1 missing: \/learning-platform\/production\/REDIS_HOST\. 5 invalid: .*HOST_NAME \(is not covered by any certificate/,
  );
  // One count everywhere: the summary's headline, the log's closing line, the annotation and the outputs.
  expect(r.summary).toContain('❌ **Failed**: 1 missing, 5 invalid, 0 warnings — 17 parameters under');
  expect(r.visible).toContain('17 parameters, 2 GetParameters calls: 1 missing, 5 invalid, 0 warnings');
  expect(JSON.parse(r.report)).toMatchObject({ counts: { parameters: 17, missing: 1, invalid: 5, warnings: 0 } });
  // Problems first, and only problems: no green rows.
  const rows = r.summary.split('\n').filter((l) => l.startsWith('| ❌') || l.startsWith('| ✅'));
  expect(rows).toHaveLength(6);
  expect(rows[0]).toBe(
    '| ❌ missing | <code>/learning-platform/production/REDIS_HOST</code> | Parameter Store | does not exist; no task definition references it |',
  );
  expect(rows[1]).toMatch(/^\| ❌ invalid \| <code>\/learning-platform\/production\/HOST_NAME<\/code> \|/);
  expect(rows[5]).toMatch(/^\| ❌ invalid \| <code>SMTP_PASSWORD<\/code> \| api\.json container 'api' \| sets secret/);
  expect(r.summary).toContain('12 other parameter(s) passed');
});

test('fail-on-warnings makes an unused parameter fatal', async () => {
  const values = platform('production');
  await seed(values);
  const wired = { ...values };
  delete wired['/learning-platform/production/SMTP_DOMAIN'];
  const ws = await workspace({ 'api.yml': taskDefinition(wired) });
  const lenient = await verify({ 'task-definitions': 'api.yml' }, ws);
  expect(lenient.code).toBe(0);
  expect(JSON.parse(lenient.outputs['warnings'] ?? '')).toEqual([
    { name: '/learning-platform/production/SMTP_DOMAIN', reason: 'no task definition references it' },
  ]);
  expect(lenient.stdout).toContain(
    '::warning::warning: /learning-platform/production/SMTP_DOMAIN: no task definition references it',
  );
  expect(lenient.summary).toContain('✅ **Passed** with 0 missing, 0 invalid, 1 warning — 17 parameters');
  const strict = await verify({ 'task-definitions': 'api.yml', 'fail-on-warnings': 'true' }, ws);
  expect(strict.code).toBe(1);
  expect(strict.stdout).toMatch(/::error::verify-params: 1 warnings \(fail-on-warnings is true\)/);
});

test('nothing found in the region: the error suggests a wrong region or path', async () => {
  await seed(platform('production'));
  const r = await verify({ 'aws-region': 'us-east-1' }, await workspace());
  expect(r.code).toBe(1);
  expect(r.stdout).toMatch(
    /none of the 17 parameters exist under \/learning-platform\/production\/ in us-east-1: check that aws-region/,
  );
});

test.each([
  [
    { environment: 'prod' },
    /input 'environment': is not an environment of parameters\.yml — known environments: staging, production/,
  ],
  [{ 'parameters-manifest': 'nope.yml' }, /input 'parameters-manifest': file '.*nope\.yml' does not exist/],
  [{ 'task-definitions': 'missing.json' }, /input 'task-definitions': file '.*missing\.json' does not exist/],
  [{ 'max-concurrency': '0' }, /input 'max-concurrency': is out of range/],
  [{ 'fail-on-warnings': 'maybe' }, /input 'fail-on-warnings': is not a boolean/],
  [{ 'aws-region': 'London' }, /input 'aws-region': is not an AWS region code/],
])('bad input %j fails before any AWS call', async (inputs, message) => {
  const r = await verify(inputs, await workspace(), { AWS_ENDPOINT_URL: 'http://127.0.0.1:9' });
  expect(r.code).toBe(1);
  expect(r.stdout).toMatch(message);
});

describe('leak test: no seeded value appears anywhere, for passing and failing runs', () => {
  const nasty = [
    'with spaces and "double" and \'single\' quotes',
    'line one\nline two\nline three',
    'dGhpcyBpcyBhIGJhc2U2NCBzZWNyZXQ=',
    'p%40ss%20w0rd%2Fencoded',
    'tab\tand $dollar `backtick` \\backslash',
  ];
  const manifest = (pattern: string, broken: boolean) =>
    [
      'version: 1',
      'environments: { ci: { path: /leak/ } }',
      'parameters:',
      ...nasty.map((_, i) => `  - { name: RULED_${i}, secret: true, format: { rule: regex, pattern: '${pattern}' } }`),
      ...nasty.map((_, i) => `  - { name: PLAIN_SECRET_${i}, secret: true }`),
      ...(broken ? nasty.map((_, i) => `  - { name: WRONG_TYPE_${i}, secret: true }`) : []),
    ].join('\n');
  const values: Values = {};
  nasty.forEach((v, i) => {
    values[`/leak/RULED_${i}`] = { type: 'SecureString', value: v };
    values[`/leak/PLAIN_SECRET_${i}`] = { type: 'SecureString', value: `${v} #2` };
    values[`/leak/WRONG_TYPE_${i}`] = { type: 'String', value: `${v} #3` };
  });
  const forms = (v: string): string[] => [
    v,
    ...v.split('\n').filter((l) => l.length >= 4),
    JSON.stringify(v).slice(1, -1),
    encodeURIComponent(v),
    Buffer.from(v).toString('base64'),
  ];

  test.each([
    ['a passing run', '[\\s\\S]+', false, 0],
    ['a failing run (bad values, secrets stored as String, a secret in plain environment)', '[0-9]{64}', true, 1],
  ])('%s', async (_label, pattern, broken, code) => {
    await seed(values);
    const wired = Object.fromEntries(Object.entries(values).filter(([name]) => broken || !name.includes('WRONG')));
    const ws = await workspace({
      'leak.yml': manifest(pattern, broken),
      'td.json': taskDefinition(wired, broken ? [{ name: 'PLAIN_SECRET_0', value: 'x' }] : []),
    });
    const r = await verify({ 'parameters-manifest': 'leak.yml', environment: 'ci', 'task-definitions': 'td.json' }, ws);
    expect([r.code, describeRun(r)]).toEqual([code, expect.any(String)]);
    expect(r.report).not.toBe('');
    // The decrypted values were registered with the runner's masker before anything else printed.
    // (::add-mask:: escapes %, CR and LF as the runner's command protocol requires.)
    const masked = r.masked.map((m) => m.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%'));
    expect(masked).toEqual(expect.arrayContaining(nasty));
    const everything = everythingVisible(r, [r.report]);
    for (const value of Object.values(values).map((v) => v.value)) {
      for (const form of forms(value)) expect([value, everything.includes(form)]).toEqual([value, false]);
    }
  });
});
