import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small in-memory OCI registry (distribution API v2) for the demo and tests where Debian's docker-registry is
 * not installed. It implements what the image builder uses: blob HEAD/GET, uploads (POST, PATCH chunks, PUT),
 * cross-repository mount, manifests by tag and digest, tag lists and optional Basic auth. A contract test keeps
 * it answering like docker-registry for those operations.
 */
export interface RegistrySimOptions {
  /** Basic auth users (name → password); none: open registry. */
  readonly users?: Readonly<Record<string, string>>;
  /**
   * Token auth like Docker Hub / public ECR: 401 with a Bearer challenge, tokens from /token (anonymous, or
   * with Basic credentials when users are set), each token valid for the repositories in its scope.
   */
  readonly bearer?: boolean;
  /** 0 (default) picks a free port. */
  readonly port?: number;
}

export interface RegistrySim {
  /** host:port, as used in image references (127.0.0.1:PORT). */
  readonly host: string;
  readonly url: string;
  /** Requests seen, "METHOD path" (for tests). */
  readonly requests: string[];
  /** Bytes received in blob upload bodies. */
  readonly stats: { blobBytesReceived: number };
  stop(): Promise<void>;
}

interface Manifest {
  readonly bytes: Buffer;
  readonly mediaType: string;
}

interface Repo {
  readonly blobs: Set<string>;
  readonly manifests: Map<string, Manifest>;
  readonly tags: Map<string, string>;
}

interface Upload {
  readonly repo: string;
  readonly parts: Buffer[];
  size: number;
}

const digestOf = (data: Buffer): string => `sha256:${createHash('sha256').update(data).digest('hex')}`;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const TAG = /^[\w][\w.-]{0,127}$/;

function body(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function error(res: ServerResponse, status: number, code: string, message: string, head = false): void {
  const text = JSON.stringify({ errors: [{ code, message, detail: null }] });
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(head ? undefined : text);
}

export async function startRegistrySim(options: RegistrySimOptions = {}): Promise<RegistrySim> {
  const blobs = new Map<string, Buffer>();
  const repos = new Map<string, Repo>();
  const uploads = new Map<string, Upload>();
  const requests: string[] = [];
  const stats = { blobBytesReceived: 0 };
  const repo = (name: string): Repo => {
    let r = repos.get(name);
    if (!r) {
      r = { blobs: new Set(), manifests: new Map(), tags: new Map() };
      repos.set(name, r);
    }
    return r;
  };

  const tokens = new Map<string, string[]>();
  const basicOk = (req: IncomingMessage): boolean => {
    if (!options.users) return true;
    const m = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
    if (!m) return false;
    const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
    const at = decoded.indexOf(':');
    return at > 0 && options.users[decoded.slice(0, at)] === decoded.slice(at + 1);
  };
  /** Bearer mode: the token must have been issued for a scope naming this repository (or any, for /v2/). */
  const authorized = (req: IncomingMessage, name: string | undefined): boolean => {
    if (!options.bearer) return basicOk(req);
    const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    const scopes = m ? tokens.get(m[1]!) : undefined;
    if (!scopes) return false;
    return name === undefined || scopes.some((s) => s.startsWith(`repository:${name}:`));
  };

  const finishUpload = (res: ServerResponse, id: string, upload: Upload, digest: string | null): void => {
    const data = Buffer.concat(upload.parts);
    if (!digest || !DIGEST.test(digest))
      return error(res, 400, 'DIGEST_INVALID', 'provided digest did not match uploaded content');
    if (digestOf(data) !== digest)
      return error(res, 400, 'DIGEST_INVALID', 'provided digest did not match uploaded content');
    uploads.delete(id);
    blobs.set(digest, data);
    repo(upload.repo).blobs.add(digest);
    res.writeHead(201, {
      location: `/v2/${upload.repo}/blobs/${digest}`,
      'docker-content-digest': digest,
      'content-length': 0,
    });
    res.end();
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://registry');
    const method = req.method ?? 'GET';
    requests.push(`${method} ${url.pathname}${url.search}`);
    res.setHeader('docker-distribution-api-version', 'registry/2.0');
    const data = await body(req);
    if (options.bearer && url.pathname === '/token') {
      if (!basicOk(req)) return error(res, 401, 'UNAUTHORIZED', 'bad credentials');
      const token = randomUUID();
      tokens.set(
        token,
        url.searchParams.getAll('scope').flatMap((s) => s.split(' ')),
      );
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify({ token, expires_in: 300 }));
    }
    const repoName = /^\/v2\/(.+?)\/(?:blobs|manifests|tags)\//.exec(url.pathname)?.[1];
    if (!authorized(req, repoName)) {
      const host = req.headers.host ?? '127.0.0.1';
      res.setHeader(
        'www-authenticate',
        options.bearer
          ? `Bearer realm="http://${host}/token",service="registry-sim"${repoName ? `,scope="repository:${repoName}:pull"` : ''}`
          : 'Basic realm="registry-sim"',
      );
      return error(res, 401, 'UNAUTHORIZED', 'authentication required', method === 'HEAD');
    }
    if (url.pathname === '/v2/' || url.pathname === '/v2') {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': 2 });
      return void res.end('{}');
    }
    const m = /^\/v2\/(.+?)\/(blobs\/uploads|blobs|manifests|tags)\/(.*)$/.exec(url.pathname);
    if (!m) return error(res, 404, 'NOT_FOUND', 'not found');
    const [, name = '', kind, rest = ''] = m;
    if (kind === 'tags' && rest === 'list' && method === 'GET') {
      const r = repos.get(name);
      if (!r || r.tags.size === 0) return error(res, 404, 'NAME_UNKNOWN', 'repository name not known to registry');
      const text = JSON.stringify({ name, tags: [...r.tags.keys()].sort() });
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      return void res.end(text);
    }
    if (kind === 'blobs' && (method === 'GET' || method === 'HEAD')) {
      const blob = repos.get(name)?.blobs.has(rest) ? blobs.get(rest) : undefined;
      if (!blob) return error(res, 404, 'BLOB_UNKNOWN', 'blob unknown to registry', method === 'HEAD');
      res.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-length': blob.length,
        'docker-content-digest': rest,
        etag: `"${rest}"`,
      });
      return void res.end(method === 'HEAD' ? undefined : blob);
    }
    if (kind === 'blobs/uploads' && method === 'POST' && rest === '') {
      const mount = url.searchParams.get('mount');
      const from = url.searchParams.get('from');
      if (mount && from && repos.get(from)?.blobs.has(mount)) {
        repo(name).blobs.add(mount);
        res.writeHead(201, {
          location: `/v2/${name}/blobs/${mount}`,
          'docker-content-digest': mount,
          'content-length': 0,
        });
        return void res.end();
      }
      const id = randomUUID();
      const upload: Upload = { repo: name, parts: [], size: 0 };
      uploads.set(id, upload);
      const monolithic = url.searchParams.get('digest');
      if (monolithic) {
        upload.parts.push(data);
        stats.blobBytesReceived += data.length;
        return finishUpload(res, id, upload, monolithic);
      }
      res.writeHead(202, {
        location: `/v2/${name}/blobs/uploads/${id}`,
        range: '0-0',
        'docker-upload-uuid': id,
        'content-length': 0,
      });
      return void res.end();
    }
    if (kind === 'blobs/uploads' && (method === 'PATCH' || method === 'PUT')) {
      const upload = uploads.get(rest);
      if (!upload || upload.repo !== name)
        return error(res, 404, 'BLOB_UPLOAD_UNKNOWN', 'blob upload unknown to registry');
      const range = req.headers['content-range'];
      if (method === 'PATCH' && range) {
        const r = /^(\d+)-(\d+)$/.exec(range);
        if (!r || Number(r[1]) !== upload.size) {
          res.writeHead(416, { range: `0-${Math.max(upload.size - 1, 0)}`, 'content-length': 0 });
          return void res.end();
        }
      }
      upload.parts.push(data);
      upload.size += data.length;
      stats.blobBytesReceived += data.length;
      if (method === 'PUT') return finishUpload(res, rest, upload, url.searchParams.get('digest'));
      res.writeHead(202, {
        location: `/v2/${name}/blobs/uploads/${rest}`,
        range: `0-${upload.size - 1}`,
        'docker-upload-uuid': rest,
        'content-length': 0,
      });
      return void res.end();
    }
    if (kind === 'manifests' && (method === 'GET' || method === 'HEAD')) {
      const r = repos.get(name);
      const digest = DIGEST.test(rest) ? rest : r?.tags.get(rest);
      const manifest = digest ? r?.manifests.get(digest) : undefined;
      if (!digest || !manifest) return error(res, 404, 'MANIFEST_UNKNOWN', 'manifest unknown', method === 'HEAD');
      res.writeHead(200, {
        'content-type': manifest.mediaType,
        'content-length': manifest.bytes.length,
        'docker-content-digest': digest,
        etag: `"${digest}"`,
      });
      return void res.end(method === 'HEAD' ? undefined : manifest.bytes);
    }
    if (kind === 'manifests' && method === 'PUT') {
      const mediaType = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
      const digest = digestOf(data);
      if (DIGEST.test(rest) ? rest !== digest : !TAG.test(rest)) {
        return error(res, 400, DIGEST.test(rest) ? 'DIGEST_INVALID' : 'TAG_INVALID', 'manifest reference invalid');
      }
      let parsed: { config?: { digest?: string }; layers?: { digest?: string }[]; manifests?: { digest?: string }[] };
      try {
        parsed = JSON.parse(data.toString('utf8')) as typeof parsed;
      } catch {
        return error(res, 400, 'MANIFEST_INVALID', 'manifest invalid');
      }
      const r = repo(name);
      const missing = [
        ...(parsed.config?.digest ? [parsed.config.digest] : []),
        ...(parsed.layers ?? []).map((l) => l.digest ?? ''),
      ].filter((d) => !r.blobs.has(d));
      const missingManifests = (parsed.manifests ?? []).map((d) => d.digest ?? '').filter((d) => !r.manifests.has(d));
      if (missing.length > 0)
        return error(res, 400, 'MANIFEST_BLOB_UNKNOWN', `blob unknown to registry: ${missing[0]}`);
      if (missingManifests.length > 0)
        return error(res, 400, 'MANIFEST_BLOB_UNKNOWN', `manifest unknown: ${missingManifests[0]}`);
      r.manifests.set(digest, { bytes: data, mediaType });
      if (!DIGEST.test(rest)) r.tags.set(rest, digest);
      res.writeHead(201, {
        location: `/v2/${name}/manifests/${digest}`,
        'docker-content-digest': digest,
        'content-length': 0,
      });
      return void res.end();
    }
    return error(res, 405, 'UNSUPPORTED', 'The operation is unsupported.');
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => error(res, 500, 'UNKNOWN', String(e)));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}`,
    requests,
    stats,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
