// In-process: a target on ECR and a base image in another account's private ECR each get their own
// GetAuthorizationToken login. ECR's host names are routed to two local registries by the injected fetch.
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { RegistryClient } from '@deploy-actions/oci';
import { pushTestBaseImage, startRegistrySim, type RegistrySim } from '@deploy-actions/registry-sim';
import { main } from '../../src/main';
import { memoryIO } from '@deploy-actions/testing';

const TARGET = '123456789012.dkr.ecr.eu-west-2.amazonaws.com';
const BASE = '210987654321.dkr.ecr.us-east-1.amazonaws.com';
const PASSWORDS: Record<string, string> = { '123456789012': 'target-ecr-token', '210987654321': 'base-ecr-token' };

let target: RegistrySim;
let base: RegistrySim;

beforeAll(async () => {
  [target, base] = await Promise.all([
    startRegistrySim({ users: { AWS: PASSWORDS['123456789012']! } }),
    startRegistrySim({ users: { AWS: PASSWORDS['210987654321']! } }),
  ]);
  await pushTestBaseImage(
    new RegistryClient({ registry: base.host, credentials: { username: 'AWS', password: PASSWORDS['210987654321']! } }),
    'mirror/nginx',
  );
});

afterAll(async () => {
  await Promise.all([target?.stop(), base?.stop()]);
});

test('target and base each log in to their own ECR registry', async () => {
  const ws = await mkdtemp(path.join(tmpdir(), 'ecr-base-'));
  await mkdir(path.join(ws, 'dist'));
  await writeFile(path.join(ws, 'dist/index.html'), 'x');
  const logins: string[] = [];
  const ecrClient = (region: string | undefined) => ({
    send: async (command: GetAuthorizationTokenCommand) => {
      const id = command.input.registryIds?.[0] ?? '';
      logins.push(`${region} ${id}`);
      return {
        authorizationData: [
          {
            authorizationToken: Buffer.from(`AWS:${PASSWORDS[id]}`).toString('base64'),
            proxyEndpoint: `https://${id}.dkr.ecr.${region}.amazonaws.com`,
          },
        ],
      };
    },
  });
  const routed: typeof fetch = (input, init) => {
    const url = String(input instanceof Request ? input.url : input)
      .replace(`https://${TARGET}`, target.url)
      .replace(`https://${BASE}`, base.url);
    return fetch(url, init);
  };
  const io = memoryIO(
    {
      directory: 'dist',
      repository: `${TARGET}/learning-platform-nginx`,
      'base-image': `${BASE}/mirror/nginx:base`,
    },
    {
      GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
      GITHUB_WORKSPACE: ws,
      SOURCE_DATE_EPOCH: '0',
      AWS_REGION: 'eu-west-2',
    },
  );
  await main(io, { ecrClient, fetch: routed });
  expect(logins).toEqual(['eu-west-2 123456789012', 'us-east-1 210987654321']);
  expect(io.secrets).toEqual(expect.arrayContaining(['target-ecr-token', 'base-ecr-token']));
  expect(io.outputs['image']).toMatch(new RegExp(`^${TARGET}/learning-platform-nginx@sha256:[a-f0-9]{64}$`));
  // The base layer was copied across registries (different registries cannot mount).
  expect(io.lines).toContainEqual(expect.stringMatching(/^base layer [a-f0-9]{12} \(\d+ bytes\): uploaded$/));
  expect(io.lines.join('\n')).not.toMatch(/target-ecr-token|base-ecr-token/);
});
