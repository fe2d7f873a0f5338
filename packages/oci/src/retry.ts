/** When a failed registry request is tried again: how often, how long to wait, and until when. */
export interface RetryPolicy {
  /** Tries in all, the first included. */
  readonly attempts: number;
  /** No retry starts later than this after the first try (ms). Each try also has its own timeout. */
  readonly deadlineMs: number;
  /** The wait before the second try; it doubles for each further one, up to `maxDelayMs`. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/** Six tries (like the suite's AWS clients) over at most a minute: about 8 s of waiting in all. */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 6, deadlineMs: 60_000, baseDelayMs: 250, maxDelayMs: 8_000 };

/** Time, waiting and randomness, injected so tests run without real waits. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
  random(): number;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: () => Math.random(),
};

/** Answers that say "try again later": timeout, throttling and the server-side failures a retry can fix. */
export const RETRYABLE_STATUS: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);

// Failures of a connection, not of the request: a new connection may well succeed. The AWS SDK retries the
// first four; the UND_ERR_* ones are how Node's fetch (undici) reports a socket the server closed or a
// timeout while connecting or reading.
const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'ECONNABORTED',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  cause?: unknown;
}

/** The error code of a fetch failure ("fetch failed" hides it in `cause`), or of the error itself. */
export function networkErrorCode(error: unknown): string | undefined {
  for (let e = error as ErrorLike | undefined, depth = 0; e && typeof e === 'object' && depth < 4; depth++) {
    if (typeof e.code === 'string') return e.code;
    e = e.cause as ErrorLike | undefined;
  }
  return undefined;
}

/** Our own per-request timeout (AbortSignal.timeout) fired. */
export function isTimeout(error: unknown): boolean {
  return (error as ErrorLike | undefined)?.name === 'TimeoutError';
}

/**
 * Whether a network failure is worth another try, and if not, why not (said in the error, so nobody waits
 * for a retry that will not come).
 */
export function networkRetry(error: unknown): { retry: true } | { retry: false; why: string } {
  if (isTimeout(error)) return { retry: true };
  const code = networkErrorCode(error);
  if (code !== undefined && TRANSIENT_CODES.has(code)) return { retry: true };
  if (code === 'ENOTFOUND') return { retry: false, why: 'the host name does not resolve' };
  if (code !== undefined && /CERT|TLS|SSL|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code)) {
    return { retry: false, why: 'a TLS certificate problem does not go away on a retry' };
  }
  return { retry: false, why: `${code ?? 'this failure'} is not a connection failure a retry can fix` };
}

/** fetch's "fetch failed" hides the reason in `cause` (ECONNREFUSED, ENOTFOUND, a TLS error, a timeout). */
export function describeNetworkError(error: unknown): string {
  const e = error as ErrorLike | undefined;
  if (isTimeout(error)) return 'timed out';
  const cause = e?.cause as ErrorLike | undefined;
  if (cause && typeof cause === 'object') {
    const code = typeof cause.code === 'string' ? cause.code : undefined;
    const message = typeof cause.message === 'string' && cause.message !== '' ? cause.message : undefined;
    if (code && message && !message.includes(code)) return `${code}: ${message}`;
    if (message ?? code) return (message ?? code)!;
  }
  return typeof e?.message === 'string' ? e.message : String(error);
}

/** Retry-After as seconds or an HTTP date, in ms from now; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * The wait before try `attempt + 1`: exponential, half of it random so parallel uploads do not retry in step,
 * and never shorter than what the registry asked for with Retry-After.
 */
export function retryDelay(attempt: number, policy: RetryPolicy, random: number, askedMs?: number): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  const delay = Math.round(exponential / 2 + (random * exponential) / 2);
  return askedMs === undefined ? delay : Math.max(delay, askedMs);
}

/** "tried 3 times over 4.2 s" for messages. */
export function triedText(attempts: number, ms: number): string {
  return attempts === 1 ? 'tried once' : `tried ${attempts} times over ${(ms / 1000).toFixed(1)} s`;
}
