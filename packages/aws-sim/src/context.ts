import { randomBytes, randomUUID } from 'node:crypto';
import type { Scheduler } from './clock';
import { AwsError } from './protocol';

/** What every service model shares: identity, simulated time, id generation. */
export interface SimContext {
  readonly accountId: string;
  readonly region: string;
  readonly scheduler: Scheduler;
}

export const hex = (bytes: number): string => randomBytes(bytes).toString('hex');
export const uuid = (): string => randomUUID();
/** 19 random digits, the shape of ECS deployment and service-revision ids. */
export const digits = (n = 19): string =>
  Array.from(randomBytes(n), (b, i) => (i === 0 ? 1 + (b % 9) : b % 10)).join('');

/** A token for paginated list operations: the index of the next item, opaque to callers. */
export function paginate<T>(
  items: readonly T[],
  maxResults: number | undefined,
  nextToken: string | undefined,
  limit: number,
  invalidTokenCode = 'InvalidParameterException',
): { page: T[]; nextToken: string | undefined } {
  const start = nextToken === undefined ? 0 : Number(Buffer.from(nextToken, 'base64url').toString('utf8'));
  if (!Number.isInteger(start) || start < 0) throw new AwsError(invalidTokenCode, 'The nextToken is not valid.');
  const size = Math.min(maxResults ?? limit, limit);
  const page = items.slice(start, start + size);
  const end = start + page.length;
  return { page, nextToken: end < items.length ? Buffer.from(String(end)).toString('base64url') : undefined };
}
