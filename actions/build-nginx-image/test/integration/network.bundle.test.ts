// The committed bundle pushing through what stands between runners and registries: Debian's nginx as a
// reverse proxy that closes idle connections after 2 s and streams uploads unbuffered, and a TCP proxy
// that resets the connection in the middle of the site layer's upload. Both pushes must give the image
// a direct push gives.
import { createCipheriv } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { RegistryClient } from '@deploy-actions/oci';
import {
  pushTestBaseImage,
  startDockerRegistry,
  startNginxProxy,
  startTcpProxy,
  type DockerRegistry,
  type NginxProxy,
  type TcpProxy,
} from '@deploy-actions/registry-sim';
import { freePort, runBundle } from '@deploy-actions/testing';

let registry: DockerRegistry;
let nginx: NginxProxy;
let proxy: TcpProxy;
let workspace: string;

beforeAll(async () => {
  registry = await startDockerRegistry({ port: await freePort() });
  [nginx, proxy] = await Promise.all([
    freePort().then((port) => startNginxProxy({ target: registry.host, port, keepaliveTimeout: 2 })),
    startTcpProxy({ target: registry.host, idleCloseMs: 2000 }),
  ]);
  await pushTestBaseImage(new RegistryClient({ registry: registry.host }), 'mirror/nginx');
  workspace = await mkdtemp(path.join(tmpdir(), 'bni-net-'));
  await mkdir(path.join(workspace, 'dist/media'), { recursive: true });
  await writeFile(path.join(workspace, 'dist/index.html'), '<!doctype html><h1>Zanda 360</h1>');
  const media = createCipheriv('aes-128-ctr', Buffer.alloc(16, 1), Buffer.alloc(16, 2)).update(Buffer.alloc(3 << 20));
  await writeFile(path.join(workspace, 'dist/media/intro.webm'), media);
});

afterAll(async () => {
  await Promise.all([nginx?.stop(), proxy?.stop()]);
  await registry?.stop();
  if (workspace) await rm(workspace, { recursive: true, force: true });
});

// The base is always read directly, so its name (recorded in the manifest) and so the digest are the same.
const push = (host: string, repository: string) =>
  runBundle('build-nginx-image', {
    inputs: {
      directory: 'dist',
      repository: `${host}/${repository}`,
      'base-image': `${registry.host}/mirror/nginx:base`,
    },
    env: { SOURCE_DATE_EPOCH: '1714557600' },
    workspace,
  });

test('through nginx (keepalive_timeout 2s, unbuffered uploads) and through a reset mid-upload: the same image', async () => {
  const direct = await push(registry.host, 'frontend/direct');
  expect(direct.stdout).not.toContain('::error');
  const digest = direct.outputs['digest'];
  expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);

  const viaNginx = await push(nginx.host, 'frontend/via-nginx');
  expect(viaNginx.stdout).not.toContain('::error');
  expect(viaNginx.outputs['digest']).toBe(digest);
  expect(viaNginx.summary).toMatch(/\| static files \| .* \| uploaded \|/);

  const resets = proxy.stats.reset;
  proxy.resetAfter(1 << 20); // inside the 3 MiB site layer's upload
  const viaReset = await push(proxy.host, 'frontend/via-reset');
  expect(viaReset.stdout).not.toContain('::error');
  expect(viaReset.outputs['digest']).toBe(digest);
  expect(proxy.stats.reset).toBe(resets + 1);
  expect(viaReset.visible).toMatch(/failed \(.*\); (starting it over|try 2 of 6) in /);

  const manifest = await new RegistryClient({ registry: registry.host }).getManifest('frontend/via-reset', digest!);
  expect(manifest.digest).toBe(digest);
});
