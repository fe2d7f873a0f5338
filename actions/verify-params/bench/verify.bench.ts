// GetParameters calls and wall time of verify-params for 17 (the platform manifest), 1,000 and 5,000 parameters
// against a real moto server, and the bundle size. Calls are counted by SDK middleware and must be ⌈N/10⌉.
import * as path from 'node:path';
import { SSMClient } from '@aws-sdk/client-ssm';
import { loadManifest, parseManifest, type Manifest } from '@deploy-actions/manifest';
import { sdkGetParameters, verifyParameters } from '@deploy-actions/params';
import {
  localClientConfig,
  putParameters,
  REPO_ROOT,
  startMoto,
  TEST_REGION,
  type SeedParameters,
} from '@deploy-actions/testing';
import type { Figure } from '../../../scripts/bench';

type Seed = SeedParameters;

const PLATFORM: Record<string, [type: 'String' | 'SecureString', value: string]> = {
  HOST_NAME: ['String', 'app.zanda360.com'],
  MAIL_DEFAULT_FROM_ADDRESS: ['String', 'no-reply@zanda360.com'],
  POSTGRES_DB: ['String', 'learning_platform'],
  POSTGRES_HOST: ['String', 'db.cluster-abc.eu-west-2.rds.amazonaws.com'],
  POSTGRES_PASSWORD: ['SecureString', 'bench password'],
  POSTGRES_USERNAME: ['String', 'platform'],
  RAILS_MASTER_KEY: ['SecureString', '0123456789abcdef0123456789abcdef'],
  REDIS_HOST: ['String', 'redis.internal'],
  S3_BUCKET_ACCESS_KEY_ID: ['SecureString', 'AKIAIOSFODNN7EXAMPLE'],
  S3_BUCKET_NAME: ['String', 'zanda360-uploads'],
  S3_BUCKET_REGION: ['String', 'eu-west-2'],
  S3_BUCKET_SECRET_KEY: ['SecureString', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'],
  SMTP_ADDRESS: ['String', 'email-smtp.eu-west-2.amazonaws.com'],
  SMTP_DOMAIN: ['String', 'zanda360.com'],
  SMTP_USERNAME: ['SecureString', 'AKIAEXAMPLESMTPUSER'],
  SMTP_PASSWORD: ['SecureString', 'bench smtp password'],
  SMTP_PORT: ['String', '587'],
};

/** N parameters: 10% SecureString with a rule (decrypted), 60% String with a rule, 30% SecureString without. */
function synthetic(n: number): { manifest: Manifest; seed: Seed } {
  const prefix = `/bench-${n}/`;
  const parameters: Record<string, unknown>[] = [];
  const seed: Seed = {};
  for (let i = 0; i < n; i++) {
    const name = `P${i}`;
    if (i % 10 === 0) {
      parameters.push({ name, secret: true, format: { rule: 'hex', length: 8 } });
      seed[`${prefix}${name}`] = { type: 'SecureString', value: 'deadbeef' };
    } else if (i % 10 <= 6) {
      parameters.push({ name, format: 'port' });
      seed[`${prefix}${name}`] = { type: 'String', value: '443' };
    } else {
      parameters.push({ name, secret: true });
      seed[`${prefix}${name}`] = { type: 'SecureString', value: `secret ${i}` };
    }
  }
  const doc = { version: 1, environments: { bench: { path: prefix } }, parameters };
  return { manifest: parseManifest(doc, `bench-${n}.yml`), seed };
}

export default async function bench(): Promise<Figure[]> {
  const figures: Figure[] = [];
  const moto = await startMoto();
  try {
    const ssm = new SSMClient(localClientConfig(moto.endpoint));
    let calls = 0;
    ssm.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'GetParametersCommand') calls++;
        return next(args);
      },
      { step: 'initialize', name: 'countGetParameters' },
    );
    const platform = await loadManifest(path.join(REPO_ROOT, 'examples/parameters.yml'));
    const platformSeed: Seed = {};
    for (const [name, [type, value]] of Object.entries(PLATFORM)) {
      platformSeed[`/learning-platform/production/${name}`] = { type, value };
    }
    const cases: { n: number; manifest: Manifest; environment: string; seed: Seed }[] = [
      { n: 17, manifest: platform, environment: 'production', seed: platformSeed },
      { n: 1000, environment: 'bench', ...synthetic(1000) },
      { n: 5000, environment: 'bench', ...synthetic(5000) },
    ];
    for (const c of cases) {
      await putParameters(ssm, c.seed, 25);
      calls = 0;
      const started = performance.now();
      const result = await verifyParameters(
        { manifest: c.manifest, environment: c.environment, region: TEST_REGION, concurrency: 4 },
        { getParameters: () => sdkGetParameters(ssm), setSecret: () => {} },
      );
      const ms = performance.now() - started;
      const bad = result.parameters.filter((p) => p.status !== 'ok').length;
      if (bad > 0) throw new Error(`${c.n} parameters: ${bad} not ok; the benchmark data is wrong`);
      const expected = Math.ceil(c.n / 10);
      figures.push({
        name: `GetParameters calls, ${c.n} parameters`,
        value: calls,
        note: `⌈N/10⌉ = ${expected}: ${calls === expected ? 'equal' : 'NOT EQUAL'}; ${result.decrypted} SecureStrings decrypted`,
      });
      figures.push({ name: `time, ${c.n} parameters`, value: ms, unit: 'ms', note: 'moto on 127.0.0.1, 4 in flight' });
    }
    ssm.destroy();
  } finally {
    await moto.stop();
  }
  return figures;
}
