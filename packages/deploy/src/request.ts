// The one place deploy-service talks to AWS. Every request is bounded twice: each attempt by its own time
// limit (a reply that never comes is abandoned, not waited for until the job times out), and all attempts
// together by the phase's deadline, through an abort signal. Transient failures (throttling, 5xx, resets,
// attempt timeouts) are retried with bounded, jittered back-off until that deadline, never a fixed count: an
// outage shorter than the wait costs time, not the deploy.
import {
  awsErrorName,
  AwsCredentialsError,
  DeployActionsError,
  errorMessage,
  isCredentialsExpired,
} from '@deploy-actions/core';
import type { DeployDeps } from './deps';

/** Longest one attempt may take (connection, request and reply). */
export const ATTEMPT_TIMEOUT_MS = 10_000;
/** Back-off between retries of transient errors: first wait, and the most it grows to. */
export const BACKOFF_FIRST_MS = 250;
export const BACKOFF_MAX_MS = 8_000;

/** What the AWS SDK's send() accepts per request. */
export interface AttemptOptions {
  readonly abortSignal: AbortSignal;
  readonly requestTimeout: number;
}

/** The phase's deadline passed before AWS answered; `lastError` is the last transient failure, if any. */
export class DeadlineReached extends DeployActionsError {
  constructor(
    readonly what: string,
    readonly lastError: string | undefined,
  ) {
    super(`${what}: no answer before the deadline${lastError ? ` (last error: ${lastError})` : ''}`);
  }
}

/**
 * The credentials were rejected as expired twice in a row: nothing more can be done with AWS. `detail` is the
 * credential provider's own account when it had none to give (which sources it tried, how to choose one).
 */
export class CredentialsExpired extends DeployActionsError {
  constructor(
    readonly what: string,
    readonly code: string,
    detail?: string,
  ) {
    super(detail !== undefined ? `${detail} (during ${what})` : `AWS credentials expired (${code}) during ${what}`);
  }
}

const TRANSIENT_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'ServerException',
  'InternalFailure',
  'InternalServerError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);
const NETWORK_CODES = /ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|EAI_AGAIN|ENOTFOUND|socket hang up|network/i;

/** Worth retrying: the same request may well succeed a moment later. */
export function isTransient(error: unknown): boolean {
  const name = awsErrorName(error);
  if (name !== undefined && TRANSIENT_NAMES.has(name)) return true;
  const status = (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
  if (status !== undefined && status >= 500) return true;
  const code = (error as { code?: unknown } | null)?.code;
  return NETWORK_CODES.test(`${typeof code === 'string' ? code : ''} ${errorMessage(error)}`);
}

/** Full-jitter exponential back-off, capped, for the n-th retry (0-based). */
export function backoffMs(retry: number, random: () => number = Math.random): number {
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** Math.min(retry, 10));
  return Math.max(BACKOFF_FIRST_MS / 2, Math.round(ceiling * random()));
}

/**
 * Sends one AWS request (`attempt` calls client.send with the given options), retrying transient failures
 * until `deadline` (clock ms). Throws DeadlineReached, CredentialsExpired, or the first non-transient error.
 * `what` names the request in messages, e.g. "DescribeServices".
 */
export async function call<T>(
  deps: Pick<DeployDeps, 'clock' | 'log'>,
  what: string,
  deadline: number,
  attempt: (options: AttemptOptions) => Promise<T>,
): Promise<T> {
  let lastError: string | undefined;
  let expired = 0;
  for (let retry = 0; ; retry++) {
    const left = deadline - deps.clock.now();
    if (left <= 0) throw new DeadlineReached(what, lastError);
    try {
      const result = await attempt({
        abortSignal: AbortSignal.timeout(left),
        requestTimeout: Math.min(ATTEMPT_TIMEOUT_MS, left),
      });
      if (lastError !== undefined) deps.log.info(`${what}: AWS answers again`);
      return result;
    } catch (error) {
      if (isCredentialsExpired(error)) {
        // A refreshable credential provider gets one chance to hand out a new session; static ones cannot.
        if (++expired >= 2) {
          const detail = error instanceof AwsCredentialsError ? errorMessage(error) : undefined;
          throw new CredentialsExpired(what, awsErrorName(error) ?? 'ExpiredToken', detail);
        }
        continue;
      }
      const name = awsErrorName(error) ?? errorMessage(error);
      if (name === 'AbortError' || (error as { name?: string } | null)?.name === 'AbortError') {
        throw new DeadlineReached(what, lastError ?? 'the request was still unanswered');
      }
      if (!isTransient(error)) throw error;
      if (name !== lastError) deps.log.warning(`${what}: AWS did not answer (${name}); retrying until the deadline`);
      lastError = name;
    }
    const pause = Math.min(backoffMs(retry), deadline - deps.clock.now());
    if (pause > 0) await deps.clock.sleep(pause);
  }
}
