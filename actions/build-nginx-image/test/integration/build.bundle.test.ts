// The committed bundle run as the runner runs it, against Debian's docker-registry (open and htpasswd) on
// 127.0.0.1, with a small multi-platform base image pushed by the test; ECR login from a real moto server.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { API_HOSTS_SCRIPT_PATH, nginxFiles, TEMPLATE_PATH } from '@deploy-actions/nginx-config';
import { gunzip, readTar, RegistryClient, type ImageConfig, type ImageManifest } from '@deploy-actions/oci';
import {
  pushTestBaseImage,
  startDockerRegistry,
  type DockerRegistry,
  type TestBaseImage,
} from '@deploy-actions/registry-sim';
import { everythingVisible, freePort, runBundle, startMoto, type Moto } from '@deploy-actions/testing';

const run = promisify(execFile);
const SHA = '0123456789abcdef0123456789abcdef01234567';
const PASSWORD = 'registry-pass-7f3a';
const ECR_PASSWORD = '123456789012-auth-token'; // what moto's GetAuthorizationToken issues for the default account

let open: DockerRegistry;
let secured: DockerRegistry;
let moto: Moto;
let base: TestBaseImage;
let workspace: string;
let closedPort: number;

beforeAll(async () => {
  [open, secured, moto] = await Promise.all([
    freePort().then((port) => startDockerRegistry({ port })),
    freePort().then((port) => startDockerRegistry({ port, users: { ci: PASSWORD, AWS: ECR_PASSWORD } })),
    startMoto(),
  ]);
  base = await pushTestBaseImage(new RegistryClient({ registry: open.host }), 'mirror/nginx');
  await pushTestBaseImage(
    new RegistryClient({ registry: secured.host, credentials: { username: 'ci', password: PASSWORD } }),
    'mirror/nginx',
  );
  closedPort = await freePort();
  workspace = await mkdtemp(path.join(tmpdir(), 'bni-ws-'));
  await mkdir(path.join(workspace, 'dist/assets'), { recursive: true });
  await writeFile(path.join(workspace, 'dist/index.html'), '<!doctype html><h1>Zanda 360</h1>');
  await writeFile(path.join(workspace, 'dist/assets/app.3f9a1c.js'), 'console.log("app")');
  await mkdir(path.join(workspace, 'dist/.aws'), { recursive: true });
  await writeFile(path.join(workspace, 'dist/.env'), 'SECRET=1');
  await writeFile(path.join(workspace, 'dist/.aws/credentials'), '[default]');
  await mkdir(path.join(workspace, 'no-index'));
  await writeFile(path.join(workspace, 'no-index/app.js'), 'x');
});

afterAll(async () => {
  await Promise.all([open?.stop(), secured?.stop(), moto?.stop()]);
});

const env = { SOURCE_DATE_EPOCH: '1714557600' };
const inputs = (overrides: Record<string, string> = {}): Record<string, string> => ({
  directory: 'dist',
  repository: `${open.host}/frontend/nginx`,
  'base-image': `${open.host}/mirror/nginx:base@${base.indexDigest}`,
  tags: 'latest',
  'server-names': 'zanda360.com *.zanda360.com',
  ...overrides,
});

test('builds and pushes the image by digest; pulled back it holds the site, the template and the labels', async () => {
  const result = await runBundle('build-nginx-image', { inputs: inputs(), env, workspace });
  expect(result.stderr).not.toContain('::error');
  expect(result.code).toBe(0);
  const digest = result.outputs['digest']!;
  expect(digest).toMatch(/^sha256:[a-f0-9]{64}$/);
  expect(result.outputs).toEqual({
    image: `${open.host}/frontend/nginx@${digest}`,
    digest,
    tags: `${SHA},latest`,
    'base-image': `${open.host}/mirror/nginx@${base.platforms['linux/amd64']!.digest}`,
  });
  expect(result.summary).toContain(`<code>${open.host}/frontend/nginx@${digest}</code>`);
  expect(result.summary).toMatch(/\| Uploaded \| .* in 3 of 4 blobs \|/);
  expect(result.summary).toMatch(/\| base \| <code>sha256:[a-f0-9]{12}<\/code> \| .* \| mounted \|/);
  expect(result.summary).toContain('| Left out | 2 dotfiles: .aws/, .env — include-dotfiles: true publishes them |');
  expect(result.visible).toContain(
    'left out of the image (dotfiles; set include-dotfiles: true to publish them): .aws/, .env',
  );

  const client = new RegistryClient({ registry: open.host });
  const manifest = (await client.getManifest('frontend/nginx', SHA)).json as ImageManifest;
  expect((await client.getManifest('frontend/nginx', 'latest')).digest).toBe(digest);
  const config = JSON.parse((await client.getBlob('frontend/nginx', manifest.config.digest)).toString()) as ImageConfig;
  expect(config.config?.Labels).toMatchObject({
    'org.opencontainers.image.source': 'https://github.com/eLearning-Plus/learning-platform-frontend',
    'org.opencontainers.image.revision': SHA,
    'org.opencontainers.image.created': '2024-05-01T10:00:00Z',
  });
  expect(config.created).toBe('2024-05-01T10:00:00Z');
  expect(config.config?.Env).toEqual(
    expect.arrayContaining([
      'NGINX_VERSION=1.27.0',
      'SITE_SERVER_NAMES=zanda360.com *.zanda360.com',
      'SITE_API_PATH=/api/',
    ]),
  );
  const [siteLayer, configLayer] = await Promise.all(
    manifest.layers.slice(1).map(async (l) => readTar(gunzip(await client.getBlob('frontend/nginx', l.digest)))),
  );
  expect(siteLayer!.map((e) => [e.path, e.type, e.mtime])).toEqual([
    ['usr/share/nginx/html', 'dir', 1714557600],
    ['usr/share/nginx/html/.wh..wh..opq', 'file', 1714557600],
    ['usr/share/nginx/html/assets', 'dir', 1714557600],
    ['usr/share/nginx/html/assets/app.3f9a1c.js', 'file', 1714557600],
    ['usr/share/nginx/html/index.html', 'file', 1714557600],
  ]);
  const template = configLayer!.find((e) => `/${e.path}` === TEMPLATE_PATH);
  expect(template?.content.toString()).toContain('server_name ${SITE_SERVER_NAMES};');
  // Every file nginxFiles generates is in the layer with its mode (the entrypoint skips non-executable scripts).
  const byPath = new Map(configLayer!.map((e) => [`/${e.path}`, e]));
  for (const file of nginxFiles({ serverNames: ['zanda360.com', '*.zanda360.com'] })) {
    expect([file.path, byPath.get(file.path)?.content.toString(), byPath.get(file.path)?.mode]).toEqual([
      file.path,
      file.content,
      file.mode ?? 0o644,
    ]);
  }
  expect(byPath.get(API_HOSTS_SCRIPT_PATH)?.mode).toBe(0o755);

  const { stdout } = await run('skopeo', ['inspect', '--tls-verify=false', `docker://${result.outputs['image']}`]);
  expect(JSON.parse(stdout)).toMatchObject({ Digest: digest, Architecture: 'amd64', Os: 'linux' });

  // Reproducible: the same inputs again give the same digest, and no blob bytes are uploaded. The second run
  // uses this process's Node, so with ACTIONS_NODE=Node 24 (CI) it also proves Node 20 and 24 agree.
  const again = await runBundle('build-nginx-image', { inputs: inputs(), env, workspace, node: process.execPath });
  expect(again.code).toBe(0);
  expect(again.outputs['digest']).toBe(digest);
  expect(again.summary).toMatch(/\| Uploaded \| 0 B in 0 of 4 blobs \|/);
  expect(again.visible).not.toMatch(/: uploaded$/m);
  // Recognised by its diff_id against the tag's image: neither layer was compressed again.
  expect(again.visible).toMatch(/static files: unchanged \(diff_id [a-f0-9]{12} is in the target\), not compressed/);
  expect(again.visible).toMatch(/nginx configuration: unchanged/);
  expect(again.summary).toMatch(
    /\| static files \| <code>sha256:[a-f0-9]{12}<\/code> \| .* \| exists — unchanged, not compressed \|/,
  );
});

test('linux/arm64 picks the arm64 base from the index', async () => {
  const result = await runBundle('build-nginx-image', { inputs: inputs({ platform: 'linux/arm64' }), env, workspace });
  expect(result.code).toBe(0);
  expect(result.outputs['base-image']).toBe(`${open.host}/mirror/nginx@${base.platforms['linux/arm64']!.digest}`);
  const { stdout } = await run('skopeo', ['inspect', '--tls-verify=false', `docker://${result.outputs['image']}`]);
  expect(JSON.parse(stdout)).toMatchObject({ Architecture: 'arm64' });
});

test('Basic credentials: accepted, and the password never shows', async () => {
  const result = await runBundle('build-nginx-image', {
    inputs: inputs({
      repository: `${secured.host}/frontend/nginx`,
      'base-image': `${secured.host}/mirror/nginx:base`,
      'registry-username': 'ci',
      'registry-password': PASSWORD,
    }),
    env,
    workspace,
  });
  expect(result.code).toBe(0);
  expect(result.masked).toContain(PASSWORD);
  expect(everythingVisible(result)).not.toContain(PASSWORD);
});

test('ECR: logs in with GetAuthorizationToken (moto) and pushes with that token', async () => {
  const result = await runBundle('build-nginx-image', {
    inputs: inputs({
      repository: `${secured.host}/learning-platform-nginx`,
      'base-image': `${secured.host}/mirror/nginx:base`,
      ecr: 'true',
    }),
    env: { ...env, ...moto.env },
    workspace,
  });
  expect(result.stdout).not.toContain('::error');
  expect(result.code).toBe(0);
  expect(result.visible).toContain('ECR login for https://123456789012.dkr.ecr.eu-west-2.amazonaws.com (user AWS)');
  expect(result.masked).toContain(ECR_PASSWORD);
  expect(everythingVisible(result)).not.toContain(ECR_PASSWORD);
  expect(result.outputs['image']).toMatch(new RegExp(`^${secured.host}/learning-platform-nginx@sha256:`));
});

// Functions, because the hosts and the workspace are known only once beforeAll has run.
type BadCase = [label: string, overrides: () => Record<string, string>, message: () => string];

describe('bad inputs fail with a clear message and no outputs', () => {
  test.each<BadCase>([
    [
      'missing directory',
      () => ({ directory: 'build' }),
      () => `input 'directory': directory '${workspace}/build' does not exist`,
    ],
    [
      'no index.html',
      () => ({ directory: 'no-index' }),
      () => `input 'directory': '${workspace}/no-index' has no index.html`,
    ],
    [
      'unreachable registry',
      () => ({ repository: `127.0.0.1:${closedPort}/frontend` }),
      // A refused connection may be a registry restarting: retried with backoff, then said how often.
      () =>
        `cannot reach registry 127.0.0.1:${closedPort} to check the API (connect ECONNREFUSED 127.0.0.1:${closedPort}) — ` +
        'tried 6 times over ',
    ],
    [
      'wrong credentials',
      () => ({
        repository: `${secured.host}/frontend`,
        'registry-username': 'ci',
        'registry-password': 'wrong-password',
      }),
      () => `registry ${secured.host} rejected the credentials of user 'ci'`,
    ],
    [
      'no credentials for a private registry',
      () => ({ repository: `${secured.host}/frontend` }),
      () => `registry ${secured.host} requires credentials`,
    ],
    [
      'base image without the platform',
      () => ({ platform: 'linux/s390x' }),
      () => `has no linux/s390x image (it has: linux/amd64, linux/arm64)`,
    ],
  ])('%s', async (_label, overrides, message) => {
    const result = await runBundle('build-nginx-image', { inputs: inputs(overrides()), env, workspace });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`::error::build-nginx-image: `);
    expect(result.stdout).toContain(message());
    expect(result.outputs).toEqual({});
    expect(everythingVisible(result)).not.toContain('wrong-password');
  });
});
