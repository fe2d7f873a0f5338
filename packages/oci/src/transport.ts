import { basicHeader, parseChallenge } from './auth';
import type { BlobSource } from './blob';
import { RegistryAuthError, RegistryError, RegistryUnreachableError } from './errors';
import { defaultScheme } from './reference';
import {
  DEFAULT_RETRY,
  describeNetworkError,
  networkRetry,
  RETRYABLE_STATUS,
  retryAfterMs,
  retryDelay,
  systemClock,
  triedText,
  type Clock,
  type RetryPolicy,
} from './retry';

export interface Credentials {
  readonly username: string;
  readonly password: string;
}

export interface TransportOptions {
  /** host[:port], e.g. 123456789012.dkr.ecr.eu-west-2.amazonaws.com or 127.0.0.1:5000. */
  readonly registry: string;
  readonly scheme?: 'http' | 'https';
  /** Basic credentials, also sent to a Bearer token service. None: anonymous. */
  readonly credentials?: Credentials;
  /** Timeout of one try of a request without upload data (ms); default 60 s. */
  readonly timeoutMs?: number;
  readonly retry?: RetryPolicy;
  readonly clock?: Clock;
  readonly fetch?: typeof fetch;
  readonly debug?: (message: string) => void;
  /** Told about every retry (what failed, when the next try is): worth showing, not a warning. */
  readonly log?: (message: string) => void;
}

/** What a client sent, for summaries and the "re-push uploads nothing" proof. */
export interface TransferStats {
  /** Blob bytes sent in upload bodies (PUT/PATCH) that the registry accepted, not counting manifests. */
  blobBytesUploaded: number;
  /** HTTP requests sent, every try counted. */
  requests: number;
}

export interface Init {
  readonly method: string;
  readonly scope: string;
  readonly headers?: Record<string, string>;
  /** Bytes, or a range of a blob opened afresh for each try. */
  readonly body?: Buffer | { readonly source: BlobSource; readonly start: number; readonly end: number };
  /** Operation in words, for messages: "read manifest nginx:1.27". */
  readonly what: string;
  readonly url?: string;
  /**
   * Safe to send again after a failure: reads, manifest PUTs, starting an upload (a second session is only
   * abandoned). Upload data is not: the blob upload is restarted as a whole instead.
   */
  readonly idempotent: boolean;
  /** Timeout of one try; default the client's. */
  readonly timeoutMs?: number;
  /** Sent as is instead of the scope's credentials (token requests). */
  readonly authorization?: string;
}

const DEFAULT_TIMEOUT = 60_000;

/**
 * HTTP for the registry client: the 401 challenge (Bearer token fetched anonymously or with the
 * credentials, cached per scope and shared by parallel requests; or Basic), retries of idempotent requests on
 * connection failures, 408/429/5xx with backoff and Retry-After within a deadline, and failure messages that
 * name the registry, the operation and whether it was retried.
 */
export class RegistryTransport {
  readonly registry: string;
  readonly base: string;
  readonly stats: TransferStats = { blobBytesUploaded: 0, requests: 0 };
  readonly retry: RetryPolicy;
  readonly clock: Clock;
  private readonly tokens = new Map<string, string>();
  private readonly pendingTokens = new Map<string, Promise<string>>();
  private basic = false;
  private readonly doFetch: typeof fetch;

  constructor(private readonly options: TransportOptions) {
    this.registry = options.registry;
    this.base = `${options.scheme ?? defaultScheme(options.registry)}://${options.registry}`;
    this.doFetch = options.fetch ?? fetch;
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.clock = options.clock ?? systemClock;
  }

  log(message: string): void {
    this.options.log?.(message);
  }

  /** Sends with the scope's credentials; answers a 401 challenge once and sends again. */
  async request(path: string, init: Init): Promise<Response> {
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

  /**
   * One request, tried again while that is safe and useful: idempotent, a connection failure or a
   * retryable status, tries and deadline left. A retryable status that stays is thrown here; any other
   * answer goes back to the caller.
   */
  private async send(url: string, init: Init): Promise<Response> {
    const started = this.clock.now();
    for (let attempt = 1; ; attempt++) {
      let res: Response | undefined;
      let error: unknown;
      try {
        res = await this.sendOnce(url, init);
      } catch (e) {
        error = e;
      }
      if (res && !RETRYABLE_STATUS.has(res.status)) return res;
      const verdict = res ? { retry: true as const } : networkRetry(error);
      const elapsed = this.clock.now() - started;
      const asked = res ? retryAfterMs(res.headers.get('retry-after'), this.clock.now()) : undefined;
      const delay = retryDelay(attempt, this.retry, this.clock.random(), asked);
      const more = init.idempotent && verdict.retry && attempt < this.retry.attempts;
      if (!more || elapsed + delay > this.retry.deadlineMs) {
        const tried = triedText(attempt, elapsed);
        if (res) throw await this.failure(res, init.what, init.idempotent ? tried : undefined);
        throw this.unreachable(init, error, verdict.retry ? (init.idempotent ? tried : undefined) : verdict.why);
      }
      const why = res ? `HTTP ${res.status}` : describeNetworkError(error);
      if (res) await res.arrayBuffer().catch(() => undefined);
      this.log(
        `registry ${this.registry}: ${init.what} failed (${why}); try ${attempt + 1} of ${this.retry.attempts} in ${(delay / 1000).toFixed(1)} s`,
      );
      await this.clock.sleep(delay);
    }
  }

  private async sendOnce(url: string, init: Init): Promise<Response> {
    const headers: Record<string, string> = { ...init.headers };
    const auth = init.authorization ?? this.authorization(init.scope);
    if (auth) headers['authorization'] = auth;
    this.stats.requests++;
    this.options.debug?.(`${init.method} ${url}`);
    const body = init.body;
    return this.doFetch(url, {
      method: init.method,
      headers,
      ...(body === undefined
        ? {}
        : Buffer.isBuffer(body)
          ? { body }
          : body.end === body.start
            ? // undici refuses an empty stream as a body of content-length 0
              { body: Buffer.alloc(0) }
            : { body: body.source.open(body.start, body.end), duplex: 'half' }),
      redirect: 'follow',
      signal: AbortSignal.timeout(init.timeoutMs ?? this.options.timeoutMs ?? DEFAULT_TIMEOUT),
    });
  }

  /** `note`: how often it was tried, or why it was not retried. */
  private unreachable(init: Init, error: unknown, note: string | undefined): RegistryUnreachableError {
    const retryable = networkRetry(error).retry;
    const tail = note === undefined ? '' : retryable ? `${note}; ` : `not retried: ${note}; `;
    return new RegistryUnreachableError(
      `cannot reach registry ${this.registry} to ${init.what} (${describeNetworkError(error)}) — ` +
        `${tail}check the registry host and port and that the runner can reach it`,
      { cause: error, retryable },
    );
  }

  private authorization(scope: string): string | undefined {
    const token = this.tokens.get(scope);
    if (token) return `Bearer ${token}`;
    const c = this.options.credentials;
    if (this.basic && c) return basicHeader(c.username, c.password);
    return undefined;
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
    const c = this.options.credentials;
    const what = `get a token for ${scope} from ${url.origin}`;
    const res = await this.send(url.toString(), {
      method: 'GET',
      scope,
      what,
      idempotent: true,
      ...(c ? { authorization: basicHeader(c.username, c.password) } : { authorization: '' }),
    });
    if (res.status === 401 || res.status === 403) {
      await res.arrayBuffer();
      throw this.authFailure(`get a token for ${scope}`);
    }
    if (!res.ok) throw await this.failure(res, what);
    const body = (await res.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) throw new RegistryError(`the token service of ${this.registry} answered without a token`);
    return token;
  }

  /** The registry's error document in words; `tried` says how often a retryable answer was tried. */
  async failure(res: Response, what: string, tried?: string): Promise<RegistryError> {
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
      `registry ${this.registry} could not ${what}: HTTP ${res.status}${detail ? ` (${detail})` : ''}${hint}${tried ? ` (${tried})` : ''}`,
      { status: res.status, ...(code !== undefined ? { code } : {}), retryable: RETRYABLE_STATUS.has(res.status) },
    );
  }
}
