// The registry client against Debian's docker-registry behind proxies that close connections idle for a
// few seconds, as load balancers do: Debian's nginx (its own process, keepalive_timeout 2s) and a TCP proxy
// in this process that also resets a connection on demand. The failures large pushes met.
import { createCipheriv } from 'node:crypto';
import {
  startDockerRegistry,
  startNginxProxy,
  startTcpProxy,
  type DockerRegistry,
  type NginxProxy,
  type TcpProxy,
} from '@deploy-actions/registry-sim';
import { freePort } from '@deploy-actions/testing';
import { DEFAULT_RETRY, RegistryClient, sha256 } from '../../src';

const IDLE_MS = 1500;
let registry: DockerRegistry;
let proxy: TcpProxy;
let nginx: NginxProxy | undefined;

beforeAll(async () => {
  registry = await startDockerRegistry({ port: await freePort() });
  proxy = await startTcpProxy({ target: registry.host, idleCloseMs: IDLE_MS });
});

afterEach(async () => {
  await nginx?.stop();
  nginx = undefined;
});

afterAll(async () => {
  await proxy?.stop();
  await registry?.stop();
});

/** A fresh nginx per test: a new origin, so fetch's connection pool starts empty and the test sees its own socket. */
async function nginxProxy(): Promise<NginxProxy> {
  nginx = await startNginxProxy({ target: registry.host, port: await freePort(), keepaliveTimeout: 2 });
  return nginx;
}

const random = (size: number): Buffer =>
  createCipheriv('aes-128-ctr', Buffer.alloc(16, 5), Buffer.alloc(16, 6)).update(Buffer.alloc(size));

/** Holds the event loop like a synchronous tar + gzip of a large site did: no socket event is seen meanwhile. */
function blockEventLoop(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

test('without retries, a connection nginx closed during an event-loop stall fails as large pushes did', async () => {
  const { host } = await nginxProxy();
  const client = new RegistryClient({ registry: host, retry: { ...DEFAULT_RETRY, attempts: 1 } });
  await client.ping('site');
  blockEventLoop(3000);
  await expect(client.blobSize('site', sha256('x'))).rejects.toThrow(
    /cannot reach registry 127\.0\.0\.1:\d+ to check blob sha256:[0-9a-f]{12} in site \((UND_ERR_SOCKET: other side closed|ECONNRESET|EPIPE)/,
  );
});

test("nginx closed the pooled connection while the event loop was blocked: 'other side closed', retried", async () => {
  const log: string[] = [];
  const { host } = await nginxProxy();
  const client = new RegistryClient({ registry: host, log: (m) => log.push(m) });
  const blob = random(100_000);
  await client.ping('site');
  blockEventLoop(3000);
  // Sent in the same turn of the event loop, on the pooled socket nginx has closed meanwhile.
  await expect(client.pushBlob('site', sha256(blob), blob)).resolves.toEqual({ action: 'uploaded', bytes: 100_000 });
  expect(log).toEqual([expect.stringMatching(/check blob sha256:[0-9a-f]{12} in site failed \(.*\); try 2 of 6/)]);
  expect((await client.getBlob('site', sha256(blob))).equals(blob)).toBe(true);
});

test('connections closed while idle between requests are replaced without a failure', async () => {
  const log: string[] = [];
  const client = new RegistryClient({ registry: proxy.host, log: (m) => log.push(m) });
  const blob = random(200_000);
  await client.ping('idle');
  await new Promise((r) => setTimeout(r, IDLE_MS + 500));
  await expect(client.pushBlob('idle', sha256(blob), blob)).resolves.toEqual({ action: 'uploaded', bytes: 200_000 });
  expect((await client.getBlob('idle', sha256(blob))).equals(blob)).toBe(true);
});

test('a connection reset in the middle of an upload: the upload starts over and the blob arrives intact', async () => {
  const log: string[] = [];
  // Chunks of 1 MiB: the reset hits one PATCH of a chunked upload.
  const client = new RegistryClient({ registry: proxy.host, chunkSize: 1024 * 1024, log: (m) => log.push(m) });
  const blob = random(3 * 1024 * 1024 + 123);
  await client.ping('reset');
  const resets = proxy.stats.reset;
  proxy.resetAfter(1536 * 1024);
  await expect(client.pushBlob('reset', sha256(blob), blob)).resolves.toEqual({
    action: 'uploaded',
    bytes: blob.length,
  });
  expect(proxy.stats.reset).toBe(resets + 1);
  expect(log).toEqual([expect.stringMatching(/upload of sha256:[0-9a-f]{12} failed \(.*\); starting it over in/)]);
  expect((await new RegistryClient({ registry: registry.host }).getBlob('reset', sha256(blob))).equals(blob)).toBe(
    true,
  );
});

test('a request reset before its answer is retried on a new connection', async () => {
  const log: string[] = [];
  const client = new RegistryClient({ registry: proxy.host, log: (m) => log.push(m) });
  proxy.resetAfter(0);
  await expect(client.listTags('nothing-here')).resolves.toEqual([]);
  expect(log).toEqual([expect.stringMatching(/list tags of nothing-here failed \(.*\); try 2 of 6/)]);
});
