import { basicHeader, parseChallenge, scopeFor } from './auth';
import { RegistryAuthError, RegistryError, RegistryUnreachableError } from './errors';
import { sha256 } from './gzip';
import { MANIFEST_ACCEPT } from './media';
import { defaultScheme } from './reference';

export interface Credentials {
  readonly username: string;
  readonly password: string;
}

export interface RegistryClientOptions {
  /** host[:port], e.g. 123456789012.dkr.ecr.eu-west-2.amazonaws.com or 127.0.0.1:5000. */
  readonly registry: string;
  readonly scheme?: 'http' | 'https';
  /** Basic credentials, also sent to a Bearer token service. None: anonymous. */
  readonly credentials?: Credentials;
  /** Blob uploads larger than this go in PATCH chunks of this size; smaller ones in one PUT. */
  readonly chunkSize?: number;
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
  readonly debug?: (message: string) => void;
}

/** What a client sent and found, for summaries and the "re-push uploads nothing" proof. */
export interface TransferStats {
  /** Blob bytes sent in upload bodies (PUT/PATCH), not counting manifests. */
  blobBytesUploaded: number;
  requests: number;
}

export type BlobPushResult = { readonly action: 'exists' | 'mounted' | 'uploaded'; readonly bytes: number };

export interface FetchedManifest {
  readonly mediaType: string;
  readonly digest: string;
  readonly bytes: Buffer;
  readonly json: unknown;
}

interface Init {
  readonly method: string;
  readonly scope: string;
  readonly headers?: Record<string, string>;
  readonly body?: Buffer;
  /** Operation in words, for messages: "read manifest nginx:1.27". */
  readonly what: string;
  readonly url?: string;
}

const DEFAULT_CHUNK = 64 * 1024 * 1024;

/**
 * A client for the OCI distribution API v2 (Docker registry, ECR, public ECR, Docker Hub, GHCR). Handles the
 * 401 challenge itself: Bearer (token fetched anonymously or with the credentials, cached per scope) or Basic.
 */
export class RegistryClient {
  readonly registry: string;
  readonly base: string;
  readonly stats: TransferStats = {
    blobBytesUploaded: 0,
    requests: 0,
  };
  private readonly tokens = new Map<string, string>();
  /** Token fetches under way, so parallel requests that meet the same challenge share one. */
  private readonly pendingTokens = new Map<string, Promise<string>>();
  private basic = false;
  private readonly doFetch: typeof fetch;

  constructor(private readonly options: RegistryClientOptions) {
    this.registry = options.registry;
    this.base = `${options.scheme ?? defaultScheme(options.registry)}://${options.registry}`;
    this.doFetch = options.fetch ?? fetch;
  }

  /** GET /v2/: proves the registry answers and the credentials (if any) are accepted. */
  async ping(repository = 'library/ping'): Promise<void> {
    const res = await this.request('/v2/', {
      method: 'GET',
      scope: scopeFor(repository, 'pull'),
      what: 'check the API',
    });
    if (!res.ok) throw await this.failure(res, 'check the API (GET /v2/)');
    await res.arrayBuffer();
  }

  async getManifest(repository: string, reference: string): Promise<FetchedManifest> {
    const what = `read manifest ${repository}:${reference}`;
    const res = await this.request(`/v2/${repository}/manifests/${reference}`, {
      method: 'GET',
      scope: scopeFor(repository, 'pull'),
      headers: { accept: MANIFEST_ACCEPT },
      what,
    });
    if (res.status === 404) {
      await res.arrayBuffer();
      throw new RegistryError(`${this.registry}/${repository}:${reference} does not exist (manifest not found)`, {
        status: 404,
        code: 'MANIFEST_UNKNOWN',
      });
    }
    if (!res.ok) throw await this.failure(res, what);
    const bytes = Buffer.from(await res.arrayBuffer());
    const digest = sha256(bytes);
    if (reference.startsWith('sha256:') && digest !== reference) {
      throw new RegistryError(
        `${this.registry}/${repository}@${reference}: the registry returned content with digest ${digest}`,
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(bytes.toString('utf8'));
    } catch {
      throw new RegistryError(`${this.registry}/${repository}:${reference}: the manifest is not JSON`);
    }
    const declared = (json as { mediaType?: unknown }).mediaType;
    const header = (res.headers.get('content-type') ?? '').split(';')[0]!.trim();
    const mediaType = typeof declared === 'string' ? declared : header;
    return { mediaType, digest, bytes, json };
  }

  /** Size of a blob when the repository has it, undefined when not. */
  async blobSize(repository: string, digest: string, mountFrom?: string): Promise<number | undefined> {
    const what = `check blob ${digest.slice(0, 19)} in ${repository}`;
    const res = await this.request(`/v2/${repository}/blobs/${digest}`, {
      method: 'HEAD',
      scope: scopeFor(repository, 'pull,push', mountFrom),
      what,
    });
    if (res.status === 404) return undefined;
    if (!res.ok) throw await this.failure(res, what);
    return Number(res.headers.get('content-length') ?? '0');
  }

  async getBlob(repository: string, digest: string): Promise<Buffer> {
    const what = `download blob ${digest} of ${repository}`;
    const res = await this.request(`/v2/${repository}/blobs/${digest}`, {
      method: 'GET',
      scope: scopeFor(repository, 'pull'),
      what,
    });
    if (!res.ok) throw await this.failure(res, what);
    const bytes = Buffer.from(await res.arrayBuffer());
    if (sha256(bytes) !== digest) throw new RegistryError(`${what}: content does not match its digest`);
    return bytes;
  }

  /**
   * Puts a blob into a repository at most once: HEAD first (exists → nothing sent), then a cross-repository
   * mount from `mountFrom` when given, then an upload (one PUT, or PATCH chunks for large blobs).
   */
  async pushBlob(
    repository: string,
    digest: string,
    content: Buffer | (() => Promise<Buffer>),
    mountFrom?: string,
  ): Promise<BlobPushResult> {
    if ((await this.blobSize(repository, digest, mountFrom)) !== undefined) {
      return { action: 'exists', bytes: 0 };
    }
    const scope = scopeFor(repository, 'pull,push', mountFrom);
    let location: string;
    if (mountFrom && mountFrom !== repository) {
      const what = `mount blob ${digest.slice(0, 19)} from ${mountFrom} into ${repository}`;
      const q = new URLSearchParams({ mount: digest, from: mountFrom });
      const res = await this.request(`/v2/${repository}/blobs/uploads/?${q.toString()}`, {
        method: 'POST',
        scope,
        what,
      });
      if (res.status !== 201 && res.status !== 202) throw await this.failure(res, what);
      await res.arrayBuffer();
      if (res.status === 201) {
        return { action: 'mounted', bytes: 0 };
      }
      location = this.location(res, what);
    } else {
      location = await this.startUpload(repository, scope);
    }
    const data = typeof content === 'function' ? await content() : content;
    if (sha256(data) !== digest)
      throw new RegistryError(`upload of ${digest} to ${repository}: content does not match the digest`);
    await this.upload(repository, location, digest, data, scope);
    return { action: 'uploaded', bytes: data.length };
  }

  private async startUpload(repository: string, scope: string): Promise<string> {
    const what = `start a blob upload to ${repository}`;
    const res = await this.request(`/v2/${repository}/blobs/uploads/`, { method: 'POST', scope, what });
    if (res.status !== 202) throw await this.failure(res, what);
    await res.arrayBuffer();
    return this.location(res, what);
  }

  private async upload(repository: string, start: string, digest: string, data: Buffer, scope: string): Promise<void> {
    const what = `upload blob ${digest.slice(0, 19)} to ${repository}`;
    const chunk = this.options.chunkSize ?? DEFAULT_CHUNK;
    let location = start;
    let final: Buffer = data;
    if (data.length > chunk) {
      for (let offset = 0; offset < data.length; offset += chunk) {
        const part = data.subarray(offset, Math.min(offset + chunk, data.length));
        const res = await this.request('', {
          url: location,
          method: 'PATCH',
          scope,
          headers: {
            'content-type': 'application/octet-stream',
            'content-range': `${offset}-${offset + part.length - 1}`,
            'content-length': String(part.length),
          },
          body: part,
          what,
        });
        if (res.status !== 202) throw await this.failure(res, what);
        await res.arrayBuffer();
        this.stats.blobBytesUploaded += part.length;
        location = this.location(res, what);
      }
      final = Buffer.alloc(0);
    }
    const url = new URL(location);
    url.searchParams.set('digest', digest);
    const res = await this.request('', {
      url: url.toString(),
      method: 'PUT',
      scope,
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(final.length) },
      body: final,
      what,
    });
    if (res.status !== 201) throw await this.failure(res, what);
    await res.arrayBuffer();
    this.stats.blobBytesUploaded += final.length;
  }

  /** PUT a manifest by tag or digest; returns the digest the registry reports (checked against ours). */
  async putManifest(repository: string, reference: string, bytes: Buffer, mediaType: string): Promise<string> {
    const what = `push manifest ${repository}:${reference}`;
    const res = await this.request(`/v2/${repository}/manifests/${reference}`, {
      method: 'PUT',
      scope: scopeFor(repository, 'pull,push'),
      headers: { 'content-type': mediaType },
      body: bytes,
      what,
    });
    if (res.status !== 201) throw await this.failure(res, what);
    await res.arrayBuffer();
    const digest = sha256(bytes);
    const reported = res.headers.get('docker-content-digest');
    if (reported && reported !== digest) {
      throw new RegistryError(`${what}: the registry stored digest ${reported}, expected ${digest}`);
    }
    return digest;
  }

  async listTags(repository: string): Promise<string[]> {
    const what = `list tags of ${repository}`;
    const res = await this.request(`/v2/${repository}/tags/list`, {
      method: 'GET',
      scope: scopeFor(repository, 'pull'),
      what,
    });
    if (res.status === 404) {
      await res.arrayBuffer();
      return [];
    }
    if (!res.ok) throw await this.failure(res, what);
    const body = (await res.json()) as { tags?: string[] | null };
    return [...(body.tags ?? [])].sort();
  }

  private location(res: Response, what: string): string {
    const value = res.headers.get('location');
    if (!value) throw new RegistryError(`${what}: the registry sent no upload Location`);
    return new URL(value, this.base).toString();
  }

  private authorization(scope: string): string | undefined {
    const token = this.tokens.get(scope);
    if (token) return `Bearer ${token}`;
    const c = this.options.credentials;
    if (this.basic && c) return basicHeader(c.username, c.password);
    return undefined;
  }

  private async send(url: string, init: Init): Promise<Response> {
    const headers: Record<string, string> = { ...init.headers };
    const auth = this.authorization(init.scope);
    if (auth) headers['authorization'] = auth;
    this.stats.requests++;
    this.options.debug?.(`${init.method} ${url}`);
    try {
      return await this.doFetch(url, {
        method: init.method,
        headers,
        ...(init.body !== undefined ? { body: init.body } : {}),
        redirect: 'follow',
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 300000),
      });
    } catch (error) {
      const cause = describeNetworkError(error);
      throw new RegistryUnreachableError(
        `cannot reach registry ${this.registry} to ${init.what} (${cause}) — ` +
          'check the registry host and port and that the runner can reach it',
        { cause: error },
      );
    }
  }

  private async request(path: string, init: Init): Promise<Response> {
    const url = init.url ?? `${this.base}${path}`;
    const sent = this.authorization(init.scope);
    const first = await this.send(url, init);
    if (first.status !== 401) return first;
    const challenge = parseChallenge(first.headers.get('www-authenticate'));
    await first.arrayBuffer();
    // Uploads run in parallel: when another request has logged in since this one was sent, just send it again.
    if (this.authorization(init.scope) === sent) await this.authenticate(challenge, init);
    const second = await this.send(url, init);
    if (second.status === 401) {
      await second.arrayBuffer();
      throw this.authFailure(init.what);
    }
    return second;
  }

  /** Answers a 401 challenge: a Bearer token for the scope (shared by parallel callers) or Basic credentials. */
  private async authenticate(challenge: ReturnType<typeof parseChallenge>, init: Init): Promise<void> {
    const c = this.options.credentials;
    if (challenge?.scheme === 'bearer') {
      // First request for this scope, or the cached token expired (Docker Hub's last 5 minutes): get one.
      let pending = this.pendingTokens.get(init.scope);
      if (pending === undefined) {
        pending = this.token(challenge.params, init.scope).finally(() => this.pendingTokens.delete(init.scope));
        this.pendingTokens.set(init.scope, pending);
      }
      this.tokens.set(init.scope, await pending);
    } else if (challenge?.scheme === 'basic' && c && !this.basic) {
      this.basic = true;
    } else {
      throw this.authFailure(init.what);
    }
  }

  private authFailure(what: string): RegistryAuthError {
    const c = this.options.credentials;
    return c
      ? new RegistryAuthError(
          `registry ${this.registry} rejected the credentials of user '${c.username}' (401 when trying to ${what})`,
          { status: 401, code: 'UNAUTHORIZED' },
        )
      : new RegistryAuthError(`registry ${this.registry} requires credentials (401 when trying to ${what})`, {
          status: 401,
          code: 'UNAUTHORIZED',
        });
  }

  /** Fetches a Bearer token from the challenge's realm: anonymously, or with the Basic credentials. */
  private async token(params: Readonly<Record<string, string>>, scope: string): Promise<string> {
    const realm = params['realm'];
    if (!realm) throw new RegistryError(`registry ${this.registry} sent a Bearer challenge without a realm`);
    const url = new URL(realm);
    if (params['service']) url.searchParams.set('service', params['service']);
    for (const s of scope.split(' ')) url.searchParams.append('scope', s);
    const headers: Record<string, string> = {};
    const c = this.options.credentials;
    if (c) headers['authorization'] = basicHeader(c.username, c.password);
    this.stats.requests++;
    let res: Response;
    try {
      res = await this.doFetch(url, { headers, signal: AbortSignal.timeout(this.options.timeoutMs ?? 60000) });
    } catch (error) {
      throw new RegistryUnreachableError(`cannot reach the token service ${url.origin} of ${this.registry}`, {
        cause: error,
      });
    }
    if (res.status === 401 || res.status === 403) {
      await res.arrayBuffer();
      throw this.authFailure(`get a token for ${scope}`);
    }
    if (!res.ok) throw await this.failure(res, `get a token for ${scope}`);
    const body = (await res.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) throw new RegistryError(`the token service of ${this.registry} answered without a token`);
    return token;
  }

  private async failure(res: Response, what: string): Promise<RegistryError> {
    let detail = '';
    let code: string | undefined;
    try {
      const text = await res.text();
      const body = JSON.parse(text) as { errors?: { code?: string; message?: string }[] };
      const first = body.errors?.[0];
      code = first?.code;
      detail = body.errors?.map((e) => `${e.code ?? ''}: ${e.message ?? ''}`).join('; ') ?? text.slice(0, 200);
    } catch {
      // not a registry error document; the status says enough
    }
    const hint =
      res.status === 403 ? ' — the credentials lack permission (for ECR: see the IAM policy in the README)' : '';
    return new RegistryError(
      `registry ${this.registry} could not ${what}: HTTP ${res.status}${detail ? ` (${detail})` : ''}${hint}`,
      { status: res.status, ...(code !== undefined ? { code } : {}) },
    );
  }
}

/** fetch's "fetch failed" hides the reason in `cause` (ECONNREFUSED, ENOTFOUND, a TLS error, a timeout). */
export function describeNetworkError(error: unknown): string {
  const e = error as {
    name?: unknown;
    message?: unknown;
    cause?: { code?: unknown; message?: unknown; errors?: unknown };
  };
  if (e?.name === 'TimeoutError') return 'timed out';
  const cause = e?.cause;
  if (cause && typeof cause === 'object') {
    const code = typeof cause.code === 'string' ? cause.code : undefined;
    const message = typeof cause.message === 'string' && cause.message !== '' ? cause.message : undefined;
    if (code && message && !message.includes(code)) return `${code}: ${message}`;
    if (message ?? code) return (message ?? code)!;
  }
  return typeof e?.message === 'string' ? e.message : String(error);
}
