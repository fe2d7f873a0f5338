// verifyParameters with the real SDK against a real moto server: batching, InvalidParameters, decryption and
// task definition references exactly as SSM answers them.
import * as path from 'node:path';
import { SSMClient } from '@aws-sdk/client-ssm';
import { loadManifest, parseManifest, type Manifest } from '@deploy-actions/manifest';
import {
  outcome,
  sdkGetParameters,
  taskDefinitionRefs,
  verifyParameters,
  type GetParameters,
} from '@deploy-actions/params';
import {
  localClientConfig,
  putParameters,
  REPO_ROOT,
  TEST_ACCOUNT,
  TEST_REGION,
  startMoto,
  type Moto,
  type SeedParameters,
} from '@deploy-actions/testing';

let moto: Moto;
beforeAll(async () => {
  moto = await startMoto();
});
afterAll(async () => {
  await moto.stop();
});
beforeEach(async () => {
  await moto.reset();
});

function client(region = TEST_REGION): { ssm: SSMClient; calls: { names: number; decrypt: boolean }[] } {
  const ssm = new SSMClient(localClientConfig(moto.endpoint, region));
  const calls: { names: number; decrypt: boolean }[] = [];
  // Counts GetParameters calls as the SDK sends them (initialize step: once per call, retries not included).
  ssm.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'GetParametersCommand') {
        const input = args.input as { Names?: string[]; WithDecryption?: boolean };
        calls.push({ names: input.Names?.length ?? 0, decrypt: input.WithDecryption === true });
      }
      return next(args);
    },
    { step: 'initialize', name: 'countGetParameters' },
  );
  return { ssm, calls };
}

const seed = (ssm: SSMClient, values: SeedParameters): Promise<void> => putParameters(ssm, values);

const platformValues = (prefix: string): Record<string, { type: 'String' | 'SecureString'; value: string }> => ({
  [`${prefix}HOST_NAME`]: { type: 'String', value: 'app.zanda360.com' },
  [`${prefix}MAIL_DEFAULT_FROM_ADDRESS`]: { type: 'String', value: 'no-reply@zanda360.com' },
  [`${prefix}POSTGRES_DB`]: { type: 'String', value: 'learning_platform' },
  [`${prefix}POSTGRES_HOST`]: { type: 'String', value: 'db.cluster-abc.eu-west-2.rds.amazonaws.com' },
  [`${prefix}POSTGRES_PASSWORD`]: { type: 'SecureString', value: 'correct horse "battery" staple' },
  [`${prefix}POSTGRES_USERNAME`]: { type: 'String', value: 'platform' },
  [`${prefix}RAILS_MASTER_KEY`]: { type: 'SecureString', value: '0123456789abcdef0123456789abcdef' },
  [`${prefix}REDIS_HOST`]: { type: 'String', value: 'redis.internal' },
  [`${prefix}S3_BUCKET_ACCESS_KEY_ID`]: { type: 'SecureString', value: 'AKIAIOSFODNN7EXAMPLE' },
  [`${prefix}S3_BUCKET_NAME`]: { type: 'String', value: 'zanda360-uploads' },
  [`${prefix}S3_BUCKET_REGION`]: { type: 'String', value: 'eu-west-2' },
  [`${prefix}S3_BUCKET_SECRET_KEY`]: { type: 'SecureString', value: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
  [`${prefix}SMTP_ADDRESS`]: { type: 'String', value: 'email-smtp.eu-west-2.amazonaws.com' },
  [`${prefix}SMTP_DOMAIN`]: { type: 'String', value: 'zanda360.com' },
  [`${prefix}SMTP_USERNAME`]: { type: 'SecureString', value: 'AKIAEXAMPLESMTPUSER' },
  [`${prefix}SMTP_PASSWORD`]: { type: 'SecureString', value: 'smtp pass\nword' },
  [`${prefix}SMTP_PORT`]: { type: 'String', value: '587' },
});

async function run(
  manifest: Manifest,
  environment: string,
  getParameters: (region: string) => GetParameters,
  extra = {},
) {
  const masked: string[] = [];
  const result = await verifyParameters(
    { manifest, environment, region: TEST_REGION, ...extra },
    { getParameters, setSecret: (v) => masked.push(v) },
  );
  return { result, masked };
}

test('the platform manifest: all 17 present in ⌈17/10⌉ = 2 calls, only ruled secrets decrypted', async () => {
  const { ssm, calls } = client();
  await seed(ssm, platformValues('/learning-platform/production/'));
  const manifest = await loadManifest(path.join(REPO_ROOT, 'examples/parameters.yml'));
  const { result, masked } = await run(manifest, 'production', () => sdkGetParameters(ssm));
  expect(result.parameters.map((p) => `${p.name} ${p.status} ${p.reasons.join(';')}`.trim())).toEqual(
    manifest.parameters.map((p) => `${p.name} ok`),
  );
  expect(calls.length).toBe(2);
  expect(result.calls).toBe(2);
  expect(calls.filter((c) => c.decrypt)).toEqual([{ names: 10, decrypt: true }]);
  // The two secrets with rules were decrypted and masked; secrets without a rule were never decrypted.
  expect(masked).toEqual(expect.arrayContaining(['0123456789abcdef0123456789abcdef', 'AKIAIOSFODNN7EXAMPLE']));
  expect(masked.join('\n')).not.toContain('correct horse');
});

test('staging: missing, wrong types and bad formats', async () => {
  const { ssm } = client();
  const values = platformValues('/learning-platform/staging/');
  delete values['/learning-platform/staging/REDIS_HOST'];
  values['/learning-platform/staging/SMTP_PASSWORD'] = { type: 'String', value: 'plain-text-password' };
  values['/learning-platform/staging/SMTP_PORT'] = { type: 'String', value: 'smtp' };
  values['/learning-platform/staging/HOST_NAME'] = { type: 'String', value: 'app.zanda360.com' };
  values['/learning-platform/staging/S3_BUCKET_NAME'] = { type: 'SecureString', value: 'Bad_Bucket' };
  await seed(ssm, values);
  const manifest = await loadManifest(path.join(REPO_ROOT, 'examples/parameters.yml'));
  const { result } = await run(manifest, 'staging', () => sdkGetParameters(ssm));
  const bad = Object.fromEntries(
    result.parameters.filter((p) => p.status !== 'ok').map((p) => [p.name, `${p.status}: ${p.reasons.join('; ')}`]),
  );
  expect(bad).toEqual({
    REDIS_HOST: 'missing: does not exist',
    SMTP_PASSWORD: 'invalid: is String; a secret must be SecureString (re-create it with --type SecureString)',
    SMTP_PORT: 'invalid: is not a port number (1-65535)',
    HOST_NAME:
      'invalid: is not covered by any certificate of the environment (*.staging.zanda360.com, *.staging.smartlms.co.uk)',
    S3_BUCKET_NAME:
      "invalid: is SecureString but the manifest expects String: mark it 'secret: true' in the manifest, or store it as String; is not a valid S3 bucket name (3-63 lower-case letters, digits, dots and hyphens)",
  });
  const out = outcome(result, false);
  expect(out.missing).toEqual(['/learning-platform/staging/REDIS_HOST']);
  expect(out.invalid.map((p) => p.name)).toEqual([
    '/learning-platform/staging/HOST_NAME',
    '/learning-platform/staging/S3_BUCKET_NAME',
    '/learning-platform/staging/SMTP_PASSWORD',
    '/learning-platform/staging/SMTP_PORT',
  ]);
});

test.each([11, 150])('%i parameters, some missing: calls = ⌈N/10⌉ and every missing one found', async (n) => {
  const { ssm, calls } = client();
  const doc = {
    version: 1,
    environments: { prod: { path: '/big/' } },
    parameters: Array.from({ length: n }, (_, i) =>
      i % 3 === 0 ? { name: `P${i}`, secret: true } : { name: `P${i}`, format: 'port' },
    ),
  };
  const values: Record<string, { type: 'String' | 'SecureString'; value: string }> = {};
  for (let i = 0; i < n; i++) {
    if (i % 7 === 5) continue; // missing
    values[`/big/P${i}`] = i % 3 === 0 ? { type: 'SecureString', value: `s${i}` } : { type: 'String', value: '443' };
  }
  await seed(ssm, values);
  const { result } = await run(parseManifest(doc, 'big.yml'), 'prod', () => sdkGetParameters(ssm), {
    concurrency: 3,
  });
  expect(calls.length).toBe(Math.ceil(n / 10));
  expect(calls.every((c) => c.names <= 10 && !c.decrypt)).toBe(true);
  const missing = outcome(result, false).missing;
  expect(missing).toEqual(
    Array.from({ length: n }, (_, i) => i)
      .filter((i) => i % 7 === 5)
      .map((i) => `/big/P${i}`),
  );
  expect(result.parameters.filter((p) => p.status === 'ok')).toHaveLength(n - missing.length);
});

test('task definitions with ARN references in two regions', async () => {
  const london = client();
  const virginia = client('us-east-1');
  const doc = {
    version: 1,
    environments: { prod: { path: '/app/' } },
    parameters: [{ name: 'A' }, { name: 'B', secret: true }, { name: 'UNUSED' }],
  };
  await seed(london.ssm, {
    '/app/A': { type: 'String', value: 'a' },
    '/app/B': { type: 'SecureString', value: 'b-secret' },
    '/app/UNUSED': { type: 'String', value: 'u' },
    '/shared/X': { type: 'String', value: 'x' },
  });
  await seed(virginia.ssm, { '/app/B': { type: 'SecureString', value: 'b-secret' } });
  const arn = (region: string, name: string) => `arn:aws:ssm:${region}:${TEST_ACCOUNT}:parameter${name}`;
  const td = taskDefinitionRefs(
    {
      containerDefinitions: [
        {
          name: 'api',
          secrets: [
            { name: 'A', valueFrom: arn(TEST_REGION, '/app/A') },
            { name: 'B', valueFrom: arn('us-east-1', '/app/B') },
            { name: 'X', valueFrom: '/shared/X' },
            { name: 'Y', valueFrom: arn('us-east-1', '/shared/Y') },
          ],
        },
      ],
    },
    'api.json',
  );
  const { result } = await run(
    parseManifest(doc, 'm.yml'),
    'prod',
    (region) => sdkGetParameters(region === 'us-east-1' ? virginia.ssm : london.ssm),
    { taskDefinitions: [td] },
  );
  expect(result.findings.map((f) => `${f.level}: ${f.message}`)).toEqual([
    `error: secret Y: valueFrom ${arn('us-east-1', '/shared/Y')} does not exist in us-east-1`,
  ]);
  expect(result.parameters.map((p) => `${p.name} ${p.status}`)).toEqual(['A ok', 'B ok', 'UNUSED warning']);
  expect(virginia.calls).toEqual([{ names: 2, decrypt: false }]);
});
