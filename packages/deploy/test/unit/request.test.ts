// Every request bounded twice (each attempt, and all of them by the phase's deadline), transient errors
// retried until the deadline with bounded back-off, expired credentials given one chance to refresh, and the
// polling loop's one deadline. A fake clock that only moves when the code sleeps: no real waiting.
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { AwsCredentialsError } from '@deploy-actions/core';
import { memoryIO } from '@deploy-actions/testing';
import { poll } from '../../src/poll';
import {
  ATTEMPT_TIMEOUT_MS,
  BACKOFF_MAX_MS,
  backoffMs,
  call,
  CredentialsExpired,
  DeadlineReached,
  isTransient,
  type AttemptOptions,
} from '../../src/request';
import { fakeClock } from './fixtures';

const err = (name: string, extra: Record<string, unknown> = {}): Error =>
  Object.assign(new Error(name), { name, ...extra });

function deps(): { clock: ReturnType<typeof fakeClock>; log: ReturnType<typeof memoryIO>['log']; lines: string[] } {
  const io = memoryIO({});
  return { clock: fakeClock(), log: io.log, lines: io.lines };
}

test.each([
  ['ThrottlingException', true],
  ['Throttling', true],
  ['ServerException', true],
  ['TimeoutError', true],
  ['AccessDeniedException', false],
  ['InvalidParameterException', false],
  ['ClusterNotFoundException', false],
])('isTransient(%s) = %s', (name, expected) => {
  expect(isTransient(err(name))).toBe(expected);
});

test('5xx by status and network errors are transient too', () => {
  expect(isTransient(err('Whatever', { $metadata: { httpStatusCode: 503 } }))).toBe(true);
  expect(isTransient(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toBe(true);
});

test('back-off grows, is jittered and capped', () => {
  expect(backoffMs(0, () => 1)).toBe(250);
  expect(backoffMs(3, () => 1)).toBe(2000);
  expect(backoffMs(20, () => 1)).toBe(BACKOFF_MAX_MS);
  expect(backoffMs(20, () => 0)).toBeGreaterThan(0);
});

test('each attempt gets its own time limit and an abort signal for the deadline', async () => {
  const d = deps();
  const seen: AttemptOptions[] = [];
  await call(d, 'X', 60_000, async (o) => {
    seen.push(o);
    return 1;
  });
  expect(seen[0]?.requestTimeout).toBe(ATTEMPT_TIMEOUT_MS);
  expect(seen[0]?.abortSignal.aborted).toBe(false);
  // Near the deadline the attempt gets only what is left.
  const late: AttemptOptions[] = [];
  await call(d, 'X', 3_000, async (o) => {
    late.push(o);
    return 1;
  });
  expect(late[0]?.requestTimeout).toBe(3_000);
});

test('transient errors are retried until the deadline, not a fixed count, and said once per streak', async () => {
  const d = deps();
  let n = 0;
  const out = await call(d, 'DescribeServices', 120_000, async () => {
    if (++n <= 20) throw err('ThrottlingException');
    return 'ok';
  });
  expect(out).toBe('ok');
  expect(n).toBe(21);
  expect(d.lines.filter((l) => l.includes('ThrottlingException'))).toHaveLength(1);
  expect(d.lines).toContain('DescribeServices: AWS answers again');
  expect(Math.max(...d.clock.sleeps)).toBeLessThanOrEqual(BACKOFF_MAX_MS);
});

test('an outage past the deadline ends exactly there, naming the last error', async () => {
  const d = deps();
  const error = await call(d, 'DescribeServices', 30_000, async () => {
    throw err('ServerException');
  }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(DeadlineReached);
  expect((error as Error).message).toBe(
    'DescribeServices: no answer before the deadline (last error: ServerException)',
  );
  expect(d.clock.now()).toBe(30_000);
});

test('an attempt aborted at the deadline (a reply that never came) is DeadlineReached', async () => {
  const d = deps();
  const error = await call(d, 'DescribeServices', 30_000, async () => {
    throw err('AbortError');
  }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(DeadlineReached);
});

test('expired credentials get one immediate retry (a refreshed session), then CredentialsExpired', async () => {
  const d = deps();
  let n = 0;
  const ok = await call(d, 'X', 60_000, async () => {
    if (++n === 1) throw err('ExpiredTokenException');
    return 'refreshed';
  });
  expect(ok).toBe('refreshed');
  n = 0;
  const error = await call(d, 'X', 60_000, async () => {
    n++;
    throw err('ExpiredTokenException');
  }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(CredentialsExpired);
  expect(n).toBe(2);
});

test('no credentials at all: the provider’s account of what it tried is kept in the message', async () => {
  const d = deps();
  const none = new AwsCredentialsError('no AWS credentials: tried env (AWS_ACCESS_KEY_ID is not set)');
  const error = await call(d, 'DescribeServices', 60_000, async () => {
    throw none;
  }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(CredentialsExpired);
  expect((error as Error).message).toBe('no AWS credentials: tried env (AWS_ACCESS_KEY_ID is not set)');
});

test('a non-transient error is thrown at once', async () => {
  const d = deps();
  let n = 0;
  await expect(
    call(d, 'X', 60_000, async () => {
      n++;
      throw err('AccessDeniedException');
    }),
  ).rejects.toThrow('AccessDeniedException');
  expect(n).toBe(1);
});

test('poll: a fixed interval, the last look a second before the deadline, never past it', async () => {
  const d = deps();
  const looks: number[] = [];
  const out = await poll(d, { deadline: 10_000, intervalMs: 3_000 }, async () => {
    looks.push(d.clock.now());
    return undefined;
  });
  expect(out).toEqual({ done: false });
  expect(looks).toEqual([0, 3_000, 6_000, 9_000]);
  expect(d.clock.now()).toBeLessThanOrEqual(10_000);
});

test('poll: a request unanswered at the deadline ends the loop and says what', async () => {
  const d = deps();
  const out = await poll(d, { deadline: 10_000, intervalMs: 3_000 }, async () => {
    throw new DeadlineReached('DescribeServices', 'TimeoutError');
  });
  expect(out).toEqual({
    done: false,
    late: 'DescribeServices: no answer before the deadline (last error: TimeoutError)',
  });
});

test('every AWS request of deploy-service goes through call(): no client.send anywhere else', () => {
  const dir = path.join(import.meta.dirname, '../../src');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts') && f !== 'request.ts' && f !== 'github.ts')) {
    const text = readFileSync(path.join(dir, file), 'utf8');
    // Each send is the body of call()'s attempt, `(o) => client.send(command, o)`.
    const unbounded = [...text.matchAll(/\.send\(/g)].filter(
      (m) => !/\(o\) =>\s*[\w.()]*$/.test(text.slice(Math.max(0, m.index - 80), m.index)),
    );
    expect([file, unbounded.length]).toEqual([file, 0]);
  }
});
