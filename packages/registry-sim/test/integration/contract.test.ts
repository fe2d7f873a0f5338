// The in-memory registry answers like Debian's docker-registry for every operation the image builder uses:
// the same script of client operations runs against both, and the recorded results must be equal.
import {
  buildLayer,
  MediaType,
  parsePlatform,
  parseReference,
  planImage,
  pushImage,
  RegistryClient,
  resolveImage,
  sha256,
} from '@deploy-actions/oci';
import { freePort } from '@deploy-actions/testing';
import { pushTestBaseImage, startDockerRegistry, startRegistrySim } from '../../src';

interface Target {
  readonly host: string;
  stop(): Promise<void>;
}

const USERS = { ci: 's3cret-pass' };

/** Runs every operation and records its outcome (results or error class + status), host names removed. */
async function script(host: string): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const record = async (name: string, fn: () => Promise<unknown>): Promise<void> => {
    try {
      out[name] = await fn();
    } catch (error) {
      const e = error as { name?: string; status?: number; code?: string };
      out[name] = { error: e.name, status: e.status, code: e.code };
    }
  };
  const c = new RegistryClient({
    registry: host,
    credentials: { username: 'ci', password: USERS.ci },
    chunkSize: 1000,
  });
  const blob = Buffer.alloc(2500, 1);
  const small = Buffer.from('small blob');
  await record('ping', () => c.ping());
  await record('ping with a wrong password', () =>
    new RegistryClient({ registry: host, credentials: { username: 'ci', password: 'wrong' } }).ping(),
  );
  await record('ping without credentials', () => new RegistryClient({ registry: host }).ping());
  await record('HEAD a missing blob', () => c.blobSize('a', sha256(blob)));
  await record('push a blob in chunks', () => c.pushBlob('a', sha256(blob), blob));
  await record('push a blob in one PUT', () => c.pushBlob('a', sha256(small), small));
  await record('HEAD the blob', () => c.blobSize('a', sha256(blob)));
  await record('push it again', () => c.pushBlob('a', sha256(blob), blob));
  await record('mount it into another repository', () => c.pushBlob('b', sha256(blob), blob, 'a'));
  await record('mount from a repository without it', () => c.pushBlob('c', sha256(small), small, 'b'));
  await record('GET the mounted blob', async () => (await c.getBlob('b', sha256(blob))).length);
  await record('upload with a digest that does not match (raw HTTP)', async () => {
    const auth = { authorization: `Basic ${Buffer.from(`ci:${USERS.ci}`).toString('base64')}` };
    const start = await fetch(`http://${host}/v2/a/blobs/uploads/`, { method: 'POST', headers: auth });
    const location = new URL(start.headers.get('location') ?? '', `http://${host}`);
    location.searchParams.set('digest', sha256(Buffer.from('something else')));
    const put = await fetch(location, { method: 'PUT', headers: auth, body: Buffer.from('other') });
    const body = (await put.json()) as { errors: { code: string }[] };
    return { start: start.status, put: put.status, code: body.errors[0]?.code };
  });
  await record('manifest referencing a missing blob', () => {
    const m = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MediaType.ociManifest,
        config: { mediaType: MediaType.ociConfig, digest: sha256(Buffer.from('nope')), size: 4 },
        layers: [],
      }),
    );
    return c.putManifest('a', 'broken', m, MediaType.ociManifest);
  });
  await record('push a multi-platform base', async () => {
    const base = await pushTestBaseImage(c, 'library/nginx');
    return Object.keys(base.platforms);
  });
  await record('GET a manifest by tag', async () => (await c.getManifest('library/nginx', 'base')).mediaType);
  await record('GET a missing manifest', () => c.getManifest('library/nginx', 'missing'));
  await record('build and push an image', async () => {
    const resolved = await resolveImage(c, parseReference(`${host}/library/nginx:base`), parsePlatform('linux/arm64'));
    const plan = planImage(resolved, {
      layers: [
        buildLayer({ name: 'site', entries: [{ type: 'file', path: 'index.html', content: Buffer.from('hi') }] }, 0),
      ],
      env: {},
      labels: {},
      created: '2024-01-01T00:00:00Z',
      createdBy: 'contract',
    });
    const pushed = await pushImage(plan, { client: c, repository: 'site', tags: ['v1', 'latest'] }, c);
    const again = await pushImage(plan, { client: c, repository: 'site', tags: ['v1'] }, c);
    return {
      actions: pushed.blobs.map((b) => b.action),
      again: again.blobs.map((b) => b.action),
      bytesAgain: again.blobBytesUploaded,
      byTag: (await c.getManifest('site', 'v1')).digest === plan.digest,
    };
  });
  await record('list tags', () => c.listTags('site'));
  await record('list tags of an unknown repository', () => c.listTags('unknown'));
  out['bytes uploaded'] = c.stats.blobBytesUploaded;
  return JSON.parse(JSON.stringify(out).split(host).join('HOST')) as Record<string, unknown>;
}

test('registry-sim and docker-registry give the same results for the same operations', async () => {
  const targets: Target[] = [
    await startDockerRegistry({ port: await freePort(), users: USERS }),
    await startRegistrySim({ users: USERS }),
  ];
  try {
    const [real, sim] = [await script(targets[0]!.host), await script(targets[1]!.host)];
    expect(sim).toEqual(real);
    // The script itself proves something on the real registry (not just "both equally broken").
    expect(real).toMatchObject({
      'ping with a wrong password': { error: 'RegistryAuthError', status: 401 },
      'push it again': { action: 'exists', bytes: 0 },
      'mount it into another repository': { action: 'mounted', bytes: 0 },
      'mount from a repository without it': { action: 'uploaded' },
      'upload with a digest that does not match (raw HTTP)': { start: 202, put: 400, code: 'DIGEST_INVALID' },
      'manifest referencing a missing blob': { error: 'RegistryError', status: 400, code: 'MANIFEST_BLOB_UNKNOWN' },
      'GET a missing manifest': { error: 'RegistryError', status: 404 },
      'list tags': ['latest', 'v1'],
    });
  } finally {
    await Promise.all(targets.map((t) => t.stop()));
  }
});
