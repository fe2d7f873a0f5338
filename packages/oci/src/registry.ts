import { scopeFor } from './auth';
import { bufferSource, resolveContent, type BlobContent, type BlobSource } from './blob';
import { RegistryError } from './errors';
import { sha256 } from './gzip';
import { MANIFEST_ACCEPT } from './media';
import { retryDelay, triedText } from './retry';
import { RegistryTransport, type Init, type TransferStats, type TransportOptions } from './transport';

export interface RegistryClientOptions extends TransportOptions {
  /** Blob uploads larger than this go in PATCH chunks of this size; smaller ones in one PUT. */
  readonly chunkSize?: number;
}

export type BlobPushResult = { readonly action: 'exists' | 'mounted' | 'uploaded'; readonly bytes: number };

export interface FetchedManifest {
  readonly mediaType: string;
  readonly digest: string;
  readonly bytes: Buffer;
  readonly json: unknown;
}

const DEFAULT_CHUNK = 64 * 1024 * 1024;
const MIN_TRANSFER_RATE = 1024 * 1024;
/** A blob upload is started at most this often (a try of a large one may move a GiB). */
const UPLOAD_TRIES = 3;

/**
 * A client for the OCI distribution API v2 (Docker registry, ECR, public ECR, Docker Hub, GHCR). Requests go
 * through RegistryTransport (401 challenges, retries within a deadline); blob uploads stream from their
 * source and start over as a whole when a try fails in a way a retry can fix.
 */
export class RegistryClient {
  readonly registry: string;
  readonly base: string;
  readonly stats: TransferStats;
  private readonly http: RegistryTransport;

  constructor(private readonly options: RegistryClientOptions) {
    this.http = new RegistryTransport(options);
    this.registry = this.http.registry;
    this.base = this.http.base;
    this.stats = this.http.stats;
  }

  /** GET /v2/: proves the registry answers and the credentials (if any) are accepted. */
  async ping(repository = 'library/ping'): Promise<void> {
    const what = 'check the API';
    const res = await this.request('/v2/', { method: 'GET', scope: scopeFor(repository, 'pull'), what });
    if (!res.ok) throw await this.http.failure(res, `${what} (GET /v2/)`);
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
    if (!res.ok) throw await this.http.failure(res, what);
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
    if (!res.ok) throw await this.http.failure(res, what);
    return Number(res.headers.get('content-length') ?? '0');
  }

  /** `size` (from the descriptor) gives a large blob the time it needs at 1 MiB/s. */
  async getBlob(repository: string, digest: string, size?: number): Promise<Buffer> {
    const what = `download blob ${digest} of ${repository}`;
    const res = await this.request(`/v2/${repository}/blobs/${digest}`, {
      method: 'GET',
      scope: scopeFor(repository, 'pull'),
      what,
      ...(size !== undefined ? { timeoutMs: this.transferTimeout(size) } : {}),
    });
    if (!res.ok) throw await this.http.failure(res, what);
    const bytes = Buffer.from(await res.arrayBuffer());
    if (sha256(bytes) !== digest) throw new RegistryError(`${what}: content does not match its digest`);
    return bytes;
  }

  /**
   * Puts a blob into a repository at most once: HEAD first (exists → nothing sent), then a cross-repository
   * mount from `mountFrom` when given, then an upload (one PUT, or PATCH chunks for large blobs). An upload
   * that fails in a retryable way starts over with a new session, after checking whether the blob arrived.
   */
  async pushBlob(
    repository: string,
    digest: string,
    content: BlobContent,
    mountFrom?: string,
  ): Promise<BlobPushResult> {
    if ((await this.blobSize(repository, digest, mountFrom)) !== undefined) {
      return { action: 'exists', bytes: 0 };
    }
    const scope = scopeFor(repository, 'pull,push', mountFrom);
    let location: string | undefined;
    if (mountFrom && mountFrom !== repository) {
      location = await this.mount(repository, digest, mountFrom, scope);
      if (location === undefined) return { action: 'mounted', bytes: 0 };
    }
    const resolved = await resolveContent(content);
    if (Buffer.isBuffer(resolved) && sha256(resolved) !== digest) {
      throw new RegistryError(`upload of ${digest} to ${repository}: content does not match the digest`);
    }
    const source = Buffer.isBuffer(resolved) ? bufferSource(resolved) : resolved;
    const { retry, clock } = this.http;
    const started = clock.now();
    for (let attempt = 1; ; attempt++) {
      try {
        await this.upload(repository, location ?? (await this.startUpload(repository, scope)), digest, source, scope);
        return { action: 'uploaded', bytes: source.size };
      } catch (error) {
        const elapsed = clock.now() - started;
        const delay = retryDelay(attempt, retry, clock.random());
        if (!(error instanceof RegistryError) || !error.retryable) throw error;
        // No deadline from the first try here: one try of a large blob may rightly take minutes, and each
        // try has its own timeout, so a bounded number of tries is the bound.
        if (attempt >= Math.min(retry.attempts, UPLOAD_TRIES)) {
          throw new RegistryError(`${error.message} (the upload was ${triedText(attempt, elapsed)})`, {
            cause: error,
            retryable: true,
            ...(error.status !== undefined ? { status: error.status } : {}),
          });
        }
        this.http.log(
          `registry ${this.registry}: upload of ${digest.slice(0, 19)} failed (${error.message}); starting it over in ${(delay / 1000).toFixed(1)} s`,
        );
        await clock.sleep(delay);
        // The lost answer may have been the one to the last request: then the blob is there.
        if ((await this.blobSize(repository, digest)) !== undefined) return { action: 'uploaded', bytes: source.size };
        location = undefined;
      }
    }
  }

  /** POST …/uploads/?mount=…: undefined when mounted, else the upload location the registry offers instead. */
  private async mount(repository: string, digest: string, from: string, scope: string): Promise<string | undefined> {
    const what = `mount blob ${digest.slice(0, 19)} from ${from} into ${repository}`;
    const q = new URLSearchParams({ mount: digest, from });
    const res = await this.request(`/v2/${repository}/blobs/uploads/?${q.toString()}`, { method: 'POST', scope, what });
    if (res.status !== 201 && res.status !== 202) throw await this.http.failure(res, what);
    await res.arrayBuffer();
    return res.status === 201 ? undefined : this.location(res, what);
  }

  private async startUpload(repository: string, scope: string): Promise<string> {
    const what = `start a blob upload to ${repository}`;
    const res = await this.request(`/v2/${repository}/blobs/uploads/`, { method: 'POST', scope, what });
    if (res.status !== 202) throw await this.http.failure(res, what);
    await res.arrayBuffer();
    return this.location(res, what);
  }

  private async upload(
    repository: string,
    start: string,
    digest: string,
    source: BlobSource,
    scope: string,
  ): Promise<void> {
    const what = `upload blob ${digest.slice(0, 19)} to ${repository}`;
    const chunk = this.options.chunkSize ?? DEFAULT_CHUNK;
    let location = start;
    let offset = 0;
    if (source.size > chunk) {
      while (offset < source.size) {
        const end = Math.min(offset + chunk, source.size);
        const res = await this.sendData(location, 'PATCH', source, offset, end, what, scope, {
          'content-range': `${offset}-${end - 1}`,
        });
        if (res.status !== 202) throw await this.http.failure(res, what);
        await res.arrayBuffer();
        this.stats.blobBytesUploaded += end - offset;
        location = this.location(res, what);
        offset = end;
      }
    }
    const url = new URL(location);
    url.searchParams.set('digest', digest);
    const res = await this.sendData(url.toString(), 'PUT', source, offset, source.size, what, scope, {});
    if (res.status !== 201) throw await this.http.failure(res, what);
    await res.arrayBuffer();
    this.stats.blobBytesUploaded += source.size - offset;
  }

  private sendData(
    url: string,
    method: 'PATCH' | 'PUT',
    source: BlobSource,
    start: number,
    end: number,
    what: string,
    scope: string,
    headers: Record<string, string>,
  ): Promise<Response> {
    const timeoutMs = this.transferTimeout(end - start);
    return this.http.request('', {
      url,
      method,
      scope,
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(end - start), ...headers },
      body: { source, start, end },
      what,
      idempotent: false,
      timeoutMs,
    });
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
    if (res.status !== 201) throw await this.http.failure(res, what);
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
    if (!res.ok) throw await this.http.failure(res, what);
    const body = (await res.json()) as { tags?: string[] | null };
    return [...(body.tags ?? [])].sort();
  }

  /** A try that moves `bytes` may take as long as 1 MiB/s needs, and at least the client's timeout. */
  private transferTimeout(bytes: number): number {
    return Math.max(this.options.timeoutMs ?? 60_000, (bytes / MIN_TRANSFER_RATE) * 1000);
  }

  /** Every request here is idempotent (reads, manifest PUTs, starting or mounting an upload). */
  private request(path: string, init: Omit<Init, 'idempotent'>): Promise<Response> {
    return this.http.request(path, { ...init, idempotent: true });
  }

  private location(res: Response, what: string): string {
    const value = res.headers.get('location');
    if (!value) throw new RegistryError(`${what}: the registry sent no upload Location`);
    return new URL(value, this.base).toString();
  }
}
