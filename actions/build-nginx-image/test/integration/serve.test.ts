// End to end: the image build-nginx-image pushes really serves the site. The test pulls the image back,
// unpacks its layers in order (honouring the opaque whiteout), renders the templates the way the official
// entrypoint does with the image's Env, and runs Debian's nginx on that filesystem (paths re-rooted at the
// unpacked directory, as nothing here may run as root in a container).
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { renderTemplates } from '@deploy-actions/nginx-config';
import { gunzip, readTar, RegistryClient, type ImageConfig, type ImageManifest } from '@deploy-actions/oci';
import { pushTestBaseImage, startRegistrySim, type RegistrySim } from '@deploy-actions/registry-sim';
import { freePort, waitForHttp, memoryIO } from '@deploy-actions/testing';
import { main } from '../../src/main';

const HTML = '/usr/share/nginx/html';
let registry: RegistrySim;
let api: Server;
let root: string;
let port: number;
let stopNginx: () => Promise<void> = async () => undefined;
let imagePaths: string[] = [];

/** Applies layers like a container runtime: an opaque whiteout hides what lower layers had in its directory. */
function unpack(layers: ReturnType<typeof readTar>[]): Map<string, ReturnType<typeof readTar>[number]> {
  const fs = new Map<string, ReturnType<typeof readTar>[number]>();
  for (const layer of layers) {
    for (const e of layer.filter((e) => path.posix.basename(e.path) === '.wh..wh..opq')) {
      const dir = path.posix.dirname(e.path);
      for (const key of [...fs.keys()]) if (key.startsWith(`${dir}/`)) fs.delete(key);
    }
    for (const e of layer) if (!path.posix.basename(e.path).startsWith('.wh.')) fs.set(e.path, e);
  }
  return fs;
}

beforeAll(async () => {
  registry = await startRegistrySim();
  const client = new RegistryClient({ registry: registry.host });
  await pushTestBaseImage(client, 'mirror/nginx');
  api = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ path: req.url, forwardedProto: req.headers['x-forwarded-proto'] ?? null }));
  });
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  const apiPort = (api.address() as { port: number }).port;
  port = await freePort();

  root = await mkdtemp(path.join(tmpdir(), 'serve-'));
  // nginx's workers drop to an unprivileged user when started as root: they must be able to read the files.
  await chmod(root, 0o755);
  const ws = path.join(root, 'ws');
  await mkdir(path.join(ws, 'dist/assets'), { recursive: true });
  await writeFile(path.join(ws, 'dist/index.html'), '<h1>Zanda 360</h1>');
  await writeFile(path.join(ws, 'dist/assets/app.3f9a1c.js'), 'console.log("app")');
  // What a build directory that is also a checkout holds: left out of the image, 404 from nginx.
  await mkdir(path.join(ws, 'dist/.git'), { recursive: true });
  await mkdir(path.join(ws, 'dist/.well-known'), { recursive: true });
  await writeFile(path.join(ws, 'dist/.env'), 'DB_PASSWORD=not-in-the-image');
  await writeFile(path.join(ws, 'dist/.git/config'), '[core]');
  await writeFile(path.join(ws, 'dist/.well-known/security.txt'), 'Contact: mailto:security@zanda360.com\n');
  const io = memoryIO(
    {
      directory: 'dist',
      repository: `${registry.host}/frontend`,
      'base-image': `${registry.host}/mirror/nginx:base`,
      listen: `127.0.0.1:${port}`,
      'server-names': 'localhost',
      'reject-unknown-hosts': 'false',
      'api-upstream': `http://127.0.0.1:${apiPort}`,
    },
    { GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567', GITHUB_WORKSPACE: ws, SOURCE_DATE_EPOCH: '1714557600' },
  );
  await main(io);

  // Pull the image back by the digest main reported and unpack it.
  const digest = io.outputs['digest']!;
  const manifest = (await client.getManifest('frontend', digest)).json as ImageManifest;
  const config = JSON.parse((await client.getBlob('frontend', manifest.config.digest)).toString()) as ImageConfig;
  const layers = await Promise.all(
    manifest.layers.map(async (l) => readTar(gunzip(await client.getBlob('frontend', l.digest)))),
  );
  imagePaths = [...unpack(layers).keys()];
  const rootfs = path.join(root, 'rootfs');
  for (const [p, e] of unpack(layers)) {
    const dest = path.join(rootfs, p);
    if (e.type === 'dir') await mkdir(dest, { recursive: true });
    else if (e.type === 'file') {
      await mkdir(path.dirname(dest), { recursive: true });
      await writeFile(dest, e.content, { mode: e.mode });
      await utimes(dest, e.mtime, e.mtime); // as a runtime does: the layer's mtime
    }
  }
  const env = Object.fromEntries(
    (config.config?.Env ?? []).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );
  const templates = [...unpack(layers).values()]
    .filter((e) => e.path.startsWith('etc/nginx/templates/') && e.path.endsWith('.template'))
    .map((e) => ({ path: `/${e.path}`, content: e.content.toString() }));
  expect(templates).toHaveLength(1);
  const rendered = renderTemplates(templates, { ...env, NGINX_LOCAL_RESOLVERS: '127.0.0.1' });
  const prefix = path.join(root, 'nginx');
  await mkdir(path.join(prefix, 'tmp'), { recursive: true });
  const site = rendered.map((f) => f.content.split(`root ${HTML};`).join(`root ${rootfs}${HTML};`)).join('\n');
  expect(site).toContain(`root ${rootfs}${HTML};`);
  await writeFile(path.join(prefix, 'site.conf'), site);
  const conf = path.join(prefix, 'nginx.conf');
  await writeFile(
    conf,
    [
      `pid ${prefix}/nginx.pid;`,
      'error_log stderr notice;',
      'events { worker_connections 64; }',
      'http {',
      '    include /etc/nginx/mime.types;',
      ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `    ${t}_temp_path ${prefix}/tmp/${t};`),
      `    include ${prefix}/site.conf;`,
      '}',
    ].join('\n'),
  );
  // stdout to a file: nginx opens /dev/stdout for the access log, which a socket pipe would refuse.
  const fd = openSync(path.join(prefix, 'stdout.log'), 'w');
  const child = spawn('/usr/sbin/nginx', ['-p', prefix, '-c', conf, '-g', 'daemon off;'], {
    stdio: ['ignore', fd, 'pipe'],
  });
  closeSync(fd);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  stopNginx = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGQUIT');
    });
  await waitForHttp(`http://127.0.0.1:${port}/healthz`, 10000).catch((error: unknown) => {
    throw new Error(`nginx did not start: ${String(error)}\n${stderr}`);
  });
});

afterAll(async () => {
  await stopNginx();
  await new Promise((resolve) => api?.close(resolve));
  await registry?.stop();
  if (root) await rm(root, { recursive: true, force: true });
});

test.each([
  ['/', 200, '<h1>Zanda 360</h1>', 'no-cache'],
  ['/tenants/acme/dashboard', 200, '<h1>Zanda 360</h1>', 'no-cache'],
  ['/assets/app.3f9a1c.js', 200, 'console.log("app")', 'public, max-age=31536000, immutable'],
  // The base image's own error page is hidden by the opaque whiteout: a deep link, not the base's file.
  ['/50x.html', 200, '<h1>Zanda 360</h1>', 'no-cache'],
  ['/healthz', 200, 'ok\n', null],
])('GET %s → %i from the pushed image', async (url, status, body, cacheControl) => {
  const res = await fetch(`http://127.0.0.1:${port}${url}`);
  expect([res.status, await res.text(), res.headers.get('cache-control')]).toEqual([status, body, cacheControl]);
});

test('dotfiles are not in the image and nginx answers 404 for them; /.well-known/ is served', async () => {
  expect(imagePaths.filter((p) => p.includes('/.'))).toEqual([
    `${HTML.slice(1)}/.well-known`,
    `${HTML.slice(1)}/.well-known/security.txt`,
  ]);
  for (const url of ['/.env', '/.git/config']) expect((await fetch(`http://127.0.0.1:${port}${url}`)).status).toBe(404);
  const wellKnown = await fetch(`http://127.0.0.1:${port}/.well-known/security.txt`);
  expect([wellKnown.status, await wellKnown.text()]).toEqual([200, 'Contact: mailto:security@zanda360.com\n']);
});

test('index.html carries the commit time as Last-Modified (so ETags change per deploy)', async () => {
  const res = await fetch(`http://127.0.0.1:${port}/`);
  expect(res.headers.get('last-modified')).toBe(new Date(1714557600 * 1000).toUTCString());
});

test('the API path is proxied to the upstream from the image Env', async () => {
  const res = await fetch(`http://127.0.0.1:${port}/api/users?id=1`);
  expect(res.status).toBe(200);
  expect(((await res.json()) as { path: string }).path).toBe('/api/users?id=1');
});
