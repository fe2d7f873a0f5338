// 10,000 parameters through the committed bundle against a real moto server: the counts are true in every place
// a user reads them, and the job summary stays under GitHub's 1 MiB limit, saying what it left out.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { SSMClient } from '@aws-sdk/client-ssm';
import {
  localClientConfig,
  putParameters,
  runBundle,
  startMoto,
  type Moto,
  type SeedParameters,
} from '@deploy-actions/testing';

const N = 10000;
const names = Array.from({ length: N }, (_, i) => `SETTING_${String(i).padStart(5, '0')}`);
const PATH = '/scale/production/';
/** Every 10th parameter is missing, every 10th of the rest (offset 1) holds a value that is not a port. */
const missing = (i: number): boolean => i % 10 === 0;
const invalid = (i: number): boolean => i % 10 === 1;

let moto: Moto;
beforeAll(async () => {
  moto = await startMoto();
  const ssm = new SSMClient(localClientConfig(moto.endpoint));
  const seed: SeedParameters = {};
  names.forEach((name, i) => {
    if (!missing(i)) seed[`${PATH}${name}`] = { type: 'String', value: invalid(i) ? 'http' : '443' };
  });
  await putParameters(ssm, seed, 50);
  ssm.destroy();
}, 300000);
afterAll(async () => {
  await moto.stop();
});

test('10,000 parameters, 1,000 missing and 1,000 invalid: one count everywhere, the summary under 1 MiB', async () => {
  const workspace = await mkdtemp(path.join(tmpdir(), 'verify-scale-'));
  const manifest = [
    'version: 1',
    `environments: { production: { path: ${PATH} } }`,
    'parameters:',
    ...names.map((name) => `  - { name: ${name}, format: port }`),
  ].join('\n');
  await writeFile(path.join(workspace, 'parameters.yml'), manifest);
  const r = await runBundle('verify-params', {
    inputs: { 'parameters-manifest': 'parameters.yml', environment: 'production', 'max-concurrency': '8' },
    workspace,
    env: moto.env,
    timeoutMs: 240000,
  });
  expect(r.code).toBe(1);
  const counts = { parameters: N, ok: 8000, missing: 1000, invalid: 1000, warnings: 0 };
  // The outputs, the report file, the log's closing line, the failure annotation and the summary headline.
  expect((JSON.parse(r.outputs['missing'] ?? '') as unknown[]).length).toBe(1000);
  expect((JSON.parse(r.outputs['invalid'] ?? '') as unknown[]).length).toBe(1000);
  const report = JSON.parse(await readFile(r.outputs['report'] ?? '', 'utf8')) as {
    counts: unknown;
    parameters: unknown[];
    getParametersCalls: number;
  };
  expect(report.counts).toEqual(counts);
  expect(report.parameters).toHaveLength(N);
  expect(report.getParametersCalls).toBe(N / 10);
  expect(r.visible).toContain(`${N} parameters, ${N / 10} GetParameters calls: 1000 missing, 1000 invalid, 0 warnings`);
  expect(r.stdout).toMatch(
    /::error::verify-params: 1000 missing: .*, and 990 more\. 1000 invalid: .*; and 990 more \(report: /,
  );
  expect(r.summary).toContain(`❌ **Failed**: 1000 missing, 1000 invalid, 0 warnings — ${N} parameters under`);
  expect(Buffer.byteLength(r.summary, 'utf8')).toBeLessThan(1024 * 1024);
  const rows = r.summary.split('\n').filter((l) => l.startsWith('| ❌'));
  expect(rows.length).toBeLessThan(2000);
  expect(r.summary).toContain(`(${rows.length} of 2000 shown)`);
  expect(r.summary).toMatch(
    /Shortened to stay under GitHub's 1 MiB job summary limit: .*left out\. Everything is in the report file/,
  );
}, 300000);
