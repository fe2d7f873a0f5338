// main() in-process with memoryIO and an injected GetParameters: AWS failures that moto cannot produce
// (AccessDenied for ssm and kms), and what reaches outputs, logs and the summary.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runAction } from '@deploy-actions/core';
import { memoryIO } from '@deploy-actions/testing';
import type { GetParameters } from '@deploy-actions/params';
import { main } from '../../src/main';

const manifest = `
version: 1
environments: { prod: { path: /app/ } }
parameters:
  - { name: PORT, format: port }
  - { name: KEY, secret: true, format: hex }
  - { name: PASSWORD, secret: true }
`;

async function setup(): Promise<Record<string, string>> {
  const dir = await mkdtemp(path.join(tmpdir(), 'verify-main-'));
  await writeFile(path.join(dir, 'params.yml'), manifest);
  return { GITHUB_WORKSPACE: dir, RUNNER_TEMP: dir, AWS_REGION: 'eu-west-2' };
}

async function runMain(get: GetParameters, inputs: Record<string, string> = {}) {
  const io = memoryIO({ 'parameters-manifest': 'params.yml', environment: 'prod', ...inputs }, await setup());
  const failures: string[] = [];
  await runAction(
    'verify-params',
    (x) => main(x, { getParameters: () => get }),
    io,
    (m) => failures.push(m),
  );
  return { io, failures };
}

const error = (name: string, message: string) => Object.assign(new Error(message), { name });

test.each([
  [
    error(
      'AccessDeniedException',
      'User: arn:aws:sts::123456789012:assumed-role/deploy/x is not authorized to perform: ssm:GetParameters',
    ),
    /^verify-params: AccessDeniedException: the role may not call ssm:GetParameters on \/app\/KEY, \/app\/PORT; grant ssm:GetParameters on arn:aws:ssm:eu-west-2:<account>:parameter\/app\/\*/,
  ],
  [
    error(
      'AccessDeniedException',
      'User: x is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:eu-west-2:1:key/k',
    ),
    /^verify-params: AccessDeniedException: reading \/app\/KEY, \/app\/PORT needs kms:Decrypt .*"kms:ViaService": "ssm\.eu-west-2\.amazonaws\.com"/,
  ],
])('AWS error %#: explained once, nothing written as if it had passed', async (err, message) => {
  const { io, failures } = await runMain(async (input) => {
    if (input.WithDecryption) throw err;
    return { Parameters: [], InvalidParameters: input.Names };
  });
  expect(failures).toHaveLength(1);
  expect(failures[0]).toMatch(message);
  expect(io.outputs).toEqual({});
});

test('outputs, summary and report hold names and reasons, and the decrypted key is masked', async () => {
  const store: Record<string, { Type: 'String' | 'SecureString'; Value: string }> = {
    '/app/PORT': { Type: 'String', Value: '70000' },
    '/app/KEY': { Type: 'SecureString', Value: 'c0ffee c0ffee' },
  };
  const { io, failures } = await runMain(async (input) => ({
    Parameters: input.Names.filter((n) => store[n]).map((n) => ({ Name: n, ...store[n]! })),
    InvalidParameters: input.Names.filter((n) => !store[n]),
  }));
  expect(failures).toEqual([
    expect.stringMatching(
      /^verify-params: 1 missing: \/app\/PASSWORD\. 2 invalid: \/app\/PORT \(is not a port number \(1-65535\)\); \/app\/KEY \(is not hexadecimal characters\) \(report: .*verify-params-prod\.json\)$/,
    ),
  ]);
  expect(io.secrets).toContain('c0ffee c0ffee');
  expect(JSON.parse(io.outputs['missing'] ?? '')).toEqual(['/app/PASSWORD']);
  expect(JSON.parse(io.outputs['invalid'] ?? '')).toEqual([
    { name: '/app/PORT', reason: 'is not a port number (1-65535)' },
    { name: '/app/KEY', reason: 'is not hexadecimal characters' },
  ]);
  const report = await readFile(io.outputs['report'] ?? '', 'utf8');
  for (const text of [report, io.summary, io.lines.join('\n'), JSON.stringify(io.outputs)]) {
    expect(text).not.toContain('c0ffee');
    expect(text).not.toContain('70000');
  }
  expect(io.lines).toContain('✗ /app/PASSWORD  missing: does not exist');
});
