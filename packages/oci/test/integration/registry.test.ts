// The registry client and image push against the real thing: Debian's docker-registry (CNCF distribution 2.8),
// open and behind htpasswd Basic auth; skopeo reads the result back. ECR login comes from a real moto server.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { ECRClient } from '@aws-sdk/client-ecr';
import {
  pushTestBaseImage,
  startDockerRegistry,
  startRegistrySim,
  type DockerRegistry,
  type TestBaseImage,
} from '@deploy-actions/registry-sim';
import { freePort, startMoto, type Moto } from '@deploy-actions/testing';
import {
  buildLayer,
  ecrLogin,
  gunzip,
  parsePlatform,
  parseReference,
  planImage,
  pushImage,
  readTar,
  RegistryAuthError,
  RegistryClient,
  RegistryUnreachableError,
  resolveImage,
  sha256,
  type ImageConfig,
  type ImageManifest,
  type PlanOptions,
} from '../../src';

const run = promisify(execFile);
const USER = 'deployer';
const PASSWORD = 'correct-horse-battery';

let open: DockerRegistry;
let secured: DockerRegistry;
let client: RegistryClient;
let base: TestBaseImage;

beforeAll(async () => {
  [open, secured] = await Promise.all([
    freePort().then((port) => startDockerRegistry({ port })),
    freePort().then((port) => startDockerRegistry({ port, users: { [USER]: PASSWORD } })),
  ]);
  client = new RegistryClient({ registry: open.host });
  base = await pushTestBaseImage(client, 'mirror/nginx');
});

afterAll(async () => {
  await Promise.all([open?.stop(), secured?.stop()]);
});

const site = (text: string): PlanOptions => ({
  layers: [
    {
      name: 'static files',
      entries: [
        { type: 'dir' as const, path: 'usr/share/nginx/html' },
        { type: 'file' as const, path: 'usr/share/nginx/html/index.html', content: Buffer.from(text) },
        { type: 'file' as const, path: 'usr/share/nginx/html/assets/app.js', content: Buffer.from('console.log(1)') },
      ],
    },
    {
      name: 'nginx configuration',
      entries: [
        { type: 'file' as const, path: 'etc/nginx/templates/default.conf.template', content: Buffer.from('server {}') },
      ],
    },
  ].map((spec) => buildLayer(spec, 1714557600)),
  env: { SITE_API_PATH: '/api/' },
  labels: { 'org.opencontainers.image.revision': 'abc123' },
  created: '2024-05-01T10:00:00Z',
  createdBy: 'test',
});

describe('base image resolution', () => {
  test.each(['linux/amd64', 'linux/arm64'])('an index resolves to its %s manifest', async (platform) => {
    const resolved = await resolveImage(
      client,
      parseReference(`${open.host}/mirror/nginx@${base.indexDigest}`),
      parsePlatform(platform),
    );
    expect(resolved.digest).toBe(base.platforms[platform]!.digest);
    expect(resolved.indexDigest).toBe(base.indexDigest);
    expect(`${resolved.config.os}/${resolved.config.architecture}`).toBe(platform);
    const layer = readTar(gunzip(await client.getBlob('mirror/nginx', resolved.manifest.layers[0]!.digest)));
    expect(layer.find((e) => e.path === 'etc/base-release')?.content.toString()).toBe(base.platforms[platform]!.marker);
  });

  test('a platform the index lacks is a clear error listing what it has', async () => {
    await expect(
      resolveImage(client, parseReference(`${open.host}/mirror/nginx:base`), parsePlatform('linux/s390x')),
    ).rejects.toThrow(
      `base image ${open.host}/mirror/nginx:base has no linux/s390x image (it has: linux/amd64, linux/arm64)`,
    );
  });

  test('a single-platform image of another architecture is refused', async () => {
    const arm = `${open.host}/mirror/nginx@${base.platforms['linux/arm64']!.digest}`;
    await expect(resolveImage(client, parseReference(arm), parsePlatform('linux/amd64'))).rejects.toThrow(
      /is a single linux\/arm64 image, not linux\/amd64/,
    );
  });

  test('a missing tag says so', async () => {
    await expect(
      resolveImage(client, parseReference(`${open.host}/mirror/nginx:nope`), parsePlatform('linux/amd64')),
    ).rejects.toThrow(`${open.host}/mirror/nginx:nope does not exist (manifest not found)`);
  });
});

describe('build and push', () => {
  let resolved: Awaited<ReturnType<typeof resolveImage>>;
  beforeAll(async () => {
    resolved = await resolveImage(
      client,
      parseReference(`${open.host}/mirror/nginx:base`),
      parsePlatform('linux/amd64'),
    );
  });

  test('pushes, pulls back the same content, skopeo reads it, a re-push uploads no blob bytes', async () => {
    const pusher = new RegistryClient({ registry: open.host });
    const plan = planImage(resolved, site('<h1>v1</h1>'));
    const first = await pushImage(
      plan,
      { client: pusher, repository: 'frontend/site', tags: ['abc123', 'latest'] },
      pusher,
    );
    expect(first.digest).toBe(plan.digest);
    expect(first.blobs.map((b) => [b.source, b.action])).toEqual([
      ['base', 'mounted'],
      ['static files', 'uploaded'],
      ['nginx configuration', 'uploaded'],
      ['config', 'uploaded'],
    ]);
    expect(first.blobBytesUploaded).toBe(plan.layers[0]!.size + plan.layers[1]!.size + plan.config.length);

    // Pull back through a fresh client: manifest by tag, config, and every new layer's files.
    const reader = new RegistryClient({ registry: open.host });
    const manifest = await reader.getManifest('frontend/site', 'latest');
    expect(manifest.digest).toBe(plan.digest);
    const m = manifest.json as ImageManifest;
    const config = JSON.parse((await reader.getBlob('frontend/site', m.config.digest)).toString()) as ImageConfig;
    for (const [i, layer] of m.layers.entries()) {
      const tar = gunzip(await reader.getBlob('frontend/site', layer.digest));
      expect(sha256(tar)).toBe(config.rootfs.diff_ids[i]);
    }
    const files = readTar(gunzip(await reader.getBlob('frontend/site', m.layers[1]!.digest)));
    expect(files.map((f) => [f.path, f.content.toString()])).toEqual([
      ['usr/share/nginx/html', ''],
      ['usr/share/nginx/html/assets/app.js', 'console.log(1)'],
      ['usr/share/nginx/html/index.html', '<h1>v1</h1>'],
    ]);
    expect(await reader.listTags('frontend/site')).toEqual(['abc123', 'latest']);

    const { stdout } = await run('skopeo', [
      'inspect',
      '--tls-verify=false',
      `docker://${open.host}/frontend/site@${plan.digest}`,
    ]);
    const inspected = JSON.parse(stdout) as {
      Digest: string;
      Architecture: string;
      Os: string;
      Layers: string[];
      Labels: Record<string, string>;
      Env: string[];
    };
    expect(inspected).toMatchObject({ Digest: plan.digest, Architecture: 'amd64', Os: 'linux' });
    expect(inspected.Layers).toEqual(m.layers.map((l) => l.digest));
    expect(inspected.Labels['org.opencontainers.image.revision']).toBe('abc123');
    expect(inspected.Env).toContain('SITE_API_PATH=/api/');
    // skopeo copy verifies every blob against its digest while pulling.
    const dir = await mkdtemp(path.join(tmpdir(), 'skopeo-'));
    await run('skopeo', [
      'copy',
      '--src-tls-verify=false',
      `docker://${open.host}/frontend/site:abc123`,
      `oci:${dir}:site`,
    ]);
    expect((await readdir(path.join(dir, 'blobs/sha256'))).length).toBe(m.layers.length + 2);
    await rm(dir, { recursive: true, force: true });

    // Same inputs, fresh resolution: same digest; pushing it again sends zero blob bytes.
    const again = planImage(
      await resolveImage(reader, parseReference(`${open.host}/mirror/nginx:base`), parsePlatform('linux/amd64')),
      site('<h1>v1</h1>'),
    );
    expect(again.digest).toBe(plan.digest);
    const second = await pushImage(again, { client: reader, repository: 'frontend/site', tags: ['abc123'] }, reader);
    expect(second.blobBytesUploaded).toBe(0);
    expect(second.blobs.every((b) => b.action === 'exists')).toBe(true);
  });

  test('changed content changes only the static layer', async () => {
    const a = planImage(resolved, site('<h1>a</h1>'));
    const b = planImage(resolved, site('<h1>b</h1>'));
    expect(a.digest).not.toBe(b.digest);
    expect(a.layers[0]!.digest).not.toBe(b.layers[0]!.digest);
    expect(a.layers[1]!.digest).toBe(b.layers[1]!.digest);
  });

  test('large blobs go up in PATCH chunks and come back intact', async () => {
    const chunked = new RegistryClient({ registry: open.host, chunkSize: 4096 });
    const blob = Buffer.alloc(10000, 7);
    await expect(chunked.pushBlob('chunks', sha256(blob), blob)).resolves.toEqual({ action: 'uploaded', bytes: 10000 });
    expect(chunked.stats.blobBytesUploaded).toBe(10000);
    expect((await chunked.getBlob('chunks', sha256(blob))).equals(blob)).toBe(true);
    await expect(chunked.pushBlob('chunks', sha256(blob), blob)).resolves.toEqual({ action: 'exists', bytes: 0 });
  });

  test('a base on another registry is copied, not mounted', async () => {
    const other = await startRegistrySim();
    try {
      const target = new RegistryClient({ registry: other.host });
      const result = await pushImage(
        planImage(resolved, site('x')),
        { client: target, repository: 'site', tags: ['t'] },
        client,
      );
      expect(result.blobs.map((b) => b.action)).toEqual(['uploaded', 'uploaded', 'uploaded', 'uploaded']);
      expect(other.stats.blobBytesReceived).toBe(result.blobBytesUploaded);
    } finally {
      await other.stop();
    }
  });
});

describe('authentication and reachability', () => {
  test('Basic credentials are accepted', async () => {
    const c = new RegistryClient({ registry: secured.host, credentials: { username: USER, password: PASSWORD } });
    await c.ping();
    await pushTestBaseImage(c, 'base');
    expect(await c.listTags('base')).toEqual(['base']);
  });

  test.each([
    ['wrong password', { username: USER, password: 'wrong' }, `rejected the credentials of user '${USER}'`],
    ['unknown user', { username: 'nobody', password: PASSWORD }, "rejected the credentials of user 'nobody'"],
    ['no credentials', undefined, 'requires credentials'],
  ])('%s: a clear error', async (_label, credentials, message) => {
    const c = new RegistryClient({ registry: secured.host, ...(credentials ? { credentials } : {}) });
    const error = await c.ping().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryAuthError);
    expect(String(error)).toContain(`registry ${secured.host} ${message}`);
    expect(String(error)).not.toContain(PASSWORD);
  });

  test('an unreachable registry is a clear error', async () => {
    const port = await freePort();
    const error = await new RegistryClient({ registry: `127.0.0.1:${port}` }).ping().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryUnreachableError);
    expect(String(error)).toMatch(
      new RegExp(`cannot reach registry 127.0.0.1:${port} to check the API \\(.*ECONNREFUSED`),
    );
  });

  test('anonymous Bearer tokens (as on public ECR and Docker Hub) are fetched and cached per scope', async () => {
    const sim = await startRegistrySim({ bearer: true });
    try {
      const c = new RegistryClient({ registry: sim.host });
      await pushTestBaseImage(c, 'nginx');
      const resolved = await resolveImage(c, parseReference(`${sim.host}/nginx:base`), parsePlatform('linux/arm64'));
      expect(resolved.config.architecture).toBe('arm64');
      const tokenRequests = sim.requests.filter((r) => r.startsWith('GET /token'));
      expect(tokenRequests.length).toBeGreaterThan(0);
      expect(tokenRequests.length).toBeLessThanOrEqual(3);
      expect(tokenRequests[0]).toContain('service=registry-sim');
    } finally {
      await sim.stop();
    }
  });
});

describe('ECR login (moto)', () => {
  let moto: Moto;
  beforeAll(async () => {
    moto = await startMoto();
  });
  afterAll(async () => {
    await moto?.stop();
  });

  test('GetAuthorizationToken gives credentials a registry accepts', async () => {
    const ecr = new ECRClient({
      region: 'eu-west-2',
      endpoint: moto.endpoint,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    const login = await ecrLogin(ecr, '123456789012');
    expect(login.username).toBe('AWS');
    expect(login.proxyEndpoint).toBe('https://123456789012.dkr.ecr.eu-west-2.amazonaws.com');
    // A registry that only knows the ECR-issued password stands in for ECR's registry endpoint.
    const registry = await startDockerRegistry({ port: await freePort(), users: { AWS: login.password } });
    try {
      const c = new RegistryClient({ registry: registry.host, credentials: login });
      const pushed = await pushTestBaseImage(c, 'learning-platform-nginx');
      expect((await c.getManifest('learning-platform-nginx', 'base')).digest).toBe(pushed.indexDigest);
    } finally {
      await registry.stop();
    }
  });
});
