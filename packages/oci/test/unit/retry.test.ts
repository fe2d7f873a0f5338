// Network resilience of the registry client with a scripted fetch and a fake clock: what is retried, how
// long it waits, when it stops, and what the error then says.
import {
  DEFAULT_RETRY,
  RegistryClient,
  RegistryError,
  RegistryUnreachableError,
  retryAfterMs,
  retryDelay,
  sha256,
  type Clock,
} from '../../src';

type Step = Response | Error | ((url: string, init: RequestInit) => Promise<Response | Error>);

/** A fetch that answers from a script (the last step repeats), recording "METHOD path". */
function scripted(steps: Step[]): { fetch: typeof fetch; seen: string[] } {
  const seen: string[] = [];
  let i = 0;
  const fake = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = input instanceof Request ? input.url : input.toString();
    seen.push(`${init?.method ?? 'GET'} ${new URL(url).pathname}`);
    const step = steps[Math.min(i++, steps.length - 1)]!;
    const answer = typeof step === 'function' ? await step(url, init ?? {}) : step;
    if (answer instanceof Error) throw answer;
    return answer.clone();
  };
  return { fetch: fake, seen };
}

/** What Node's fetch throws for a socket the server closed or reset. */
const netError = (code: string, message = code): Error =>
  new TypeError('fetch failed', { cause: Object.assign(new Error(message), { code }) });

function fakeClock(): Clock & { waits: number[] } {
  let now = 0;
  const waits: number[] = [];
  return {
    waits,
    now: () => now,
    sleep: async (ms) => {
      waits.push(ms);
      now += ms;
    },
    random: () => 0.5,
  };
}

const ok = (body = '{}', headers: Record<string, string> = {}): Response =>
  new Response(body, { status: 200, headers });
const status = (code: number, headers: Record<string, string> = {}): Response =>
  new Response('{"errors":[{"code":"UNAVAILABLE","message":"try later"}]}', { status: code, headers });

function client(steps: Step[], extra: Partial<ConstructorParameters<typeof RegistryClient>[0]> = {}) {
  const { fetch, seen } = scripted(steps);
  const clock = fakeClock();
  const log: string[] = [];
  const c = new RegistryClient({ registry: 'r.example', fetch, clock, log: (m) => log.push(m), ...extra });
  return { c, seen, clock, log };
}

describe('idempotent requests are retried', () => {
  test.each([
    ['a reset connection', netError('ECONNRESET')],
    ["a socket the server closed ('other side closed')", netError('UND_ERR_SOCKET', 'other side closed')],
    ['a refused connection (a registry restarting)', netError('ECONNREFUSED')],
    ['a timeout of the try', Object.assign(new Error('timed out'), { name: 'TimeoutError' })],
    ['HTTP 503', status(503)],
    ['HTTP 500', status(500)],
    ['HTTP 429 (throttled)', status(429)],
  ])('%s, then success', async (_label, failure) => {
    const { c, seen, clock, log } = client([failure, failure, ok()]);
    await c.ping();
    expect(seen).toEqual(['GET /v2/', 'GET /v2/', 'GET /v2/']);
    expect(clock.waits).toEqual([retryDelay(1, DEFAULT_RETRY, 0.5), retryDelay(2, DEFAULT_RETRY, 0.5)]);
    expect(log[0]).toMatch(/^registry r\.example: check the API failed \(.+\); try 2 of 6 in 0\.2 s$/);
    expect(c.stats.requests).toBe(3);
  });

  test('Retry-After is honoured (seconds or an HTTP date)', async () => {
    const { c, clock } = client([status(429, { 'retry-after': '3' }), ok()]);
    await c.ping();
    expect(clock.waits).toEqual([3000]);
    expect(retryAfterMs('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(10000);
    expect(retryAfterMs('soon', 0)).toBeUndefined();
  });

  test('it gives up after the last try and says how often it tried', async () => {
    const { c, seen, clock } = client([netError('ECONNRESET')]);
    const error = await c.ping().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryUnreachableError);
    expect(String(error)).toContain(
      'cannot reach registry r.example to check the API (ECONNRESET) — tried 6 times over 5.8 s; check the registry host',
    );
    expect(seen).toHaveLength(DEFAULT_RETRY.attempts);
    expect(clock.waits).toEqual([188, 375, 750, 1500, 3000]);
  });

  test('a retryable status that stays is a registry error with the tries in it', async () => {
    const { c } = client([status(503)]);
    await expect(c.listTags('x')).rejects.toThrow(
      'registry r.example could not list tags of x: HTTP 503 (UNAVAILABLE: try later) (tried 6 times over 5.8 s)',
    );
  });

  test('no retry starts past the deadline, even with tries left', async () => {
    const { c, seen } = client([status(429, { 'retry-after': '120' })], {
      retry: { ...DEFAULT_RETRY, deadlineMs: 60_000 },
    });
    await expect(c.ping()).rejects.toThrow(/HTTP 429 .*\(tried once\)/);
    expect(seen).toHaveLength(1);
  });
});

describe('what is not retried says so', () => {
  test.each([
    ['an unknown host', netError('ENOTFOUND', 'getaddrinfo ENOTFOUND r.example'), 'the host name does not resolve'],
    [
      'a bad certificate',
      netError('UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate'),
      'a TLS certificate problem does not go away on a retry',
    ],
  ])('%s: one try, "not retried" and why', async (_label, failure, why) => {
    const { c, seen } = client([failure, ok()]);
    await expect(c.ping()).rejects.toThrow(`— not retried: ${why}; check the registry host`);
    expect(seen).toHaveLength(1);
  });

  test.each([400, 404, 401, 403])('HTTP %i is an answer, not a failure to retry', async (code) => {
    const { c, seen } = client([new Response('{}', { status: code }), ok()]);
    await expect(c.listTags('x').catch((e: unknown) => (e instanceof RegistryError ? e.status : e))).resolves.toEqual(
      code === 404 ? [] : code,
    );
    expect(seen.length).toBeLessThanOrEqual(code === 401 ? 2 : 1);
  });
});

describe('uploads', () => {
  const blob = Buffer.from('layer bytes');
  const digest = sha256(blob);
  const missing = new Response(null, { status: 404 });
  const started = (n: number) => new Response(null, { status: 202, headers: { location: `/v2/x/blobs/uploads/${n}` } });
  const created = new Response(null, { status: 201 });

  test('a PUT of upload data is never re-sent as is: the upload starts over with a new session', async () => {
    const { c, seen, log } = client([missing, started(1), netError('ECONNRESET'), missing, started(2), created]);
    await expect(c.pushBlob('x', digest, blob)).resolves.toEqual({ action: 'uploaded', bytes: blob.length });
    expect(seen).toEqual([
      'HEAD /v2/x/blobs/' + digest,
      'POST /v2/x/blobs/uploads/',
      'PUT /v2/x/blobs/uploads/1',
      'HEAD /v2/x/blobs/' + digest, // the lost answer may have been a success
      'POST /v2/x/blobs/uploads/',
      'PUT /v2/x/blobs/uploads/2',
    ]);
    expect(log.some((l) => /upload of sha256:[0-9a-f]{12} failed .*starting it over/.test(l))).toBe(true);
  });

  test('an upload whose answer was lost but which arrived is not sent again', async () => {
    const { c, seen } = client([missing, started(1), netError('ECONNRESET'), ok()]);
    await expect(c.pushBlob('x', digest, blob)).resolves.toEqual({ action: 'uploaded', bytes: blob.length });
    expect(seen).toHaveLength(4);
  });

  test('chunks: a failed PATCH restarts the whole upload, each try reading its range afresh', async () => {
    const bodies: string[] = [];
    const patched = (n: number, fail?: Error) => async (_url: string, init: RequestInit) => {
      bodies.push(Buffer.from(await new Response(init.body).arrayBuffer()).toString());
      return fail ?? new Response(null, { status: 202, headers: { location: `/v2/x/blobs/uploads/${n}` } });
    };
    const { fetch, seen } = scripted([
      missing,
      started(1),
      patched(1),
      patched(1, netError('EPIPE')),
      missing,
      started(2),
      patched(2),
      patched(2),
      patched(2),
      created,
    ]);
    const c = new RegistryClient({ registry: 'r.example', fetch, clock: fakeClock(), chunkSize: 4 });
    await expect(c.pushBlob('x', digest, blob)).resolves.toEqual({ action: 'uploaded', bytes: blob.length });
    expect(seen.map((line) => line.split(' ')[0])).toEqual([
      'HEAD',
      'POST',
      'PATCH',
      'PATCH',
      'HEAD',
      'POST',
      'PATCH',
      'PATCH',
      'PATCH',
      'PUT',
    ]);
    expect(bodies).toEqual(['laye', 'r by', 'laye', 'r by', 'tes']);
  });

  test('an error that is not retryable (400 DIGEST_INVALID) fails at once', async () => {
    const bad = new Response('{"errors":[{"code":"DIGEST_INVALID","message":"digest mismatch"}]}', { status: 400 });
    const { c, seen } = client([missing, started(1), bad]);
    await expect(c.pushBlob('x', digest, blob)).rejects.toThrow('HTTP 400 (DIGEST_INVALID: digest mismatch)');
    expect(seen).toHaveLength(3);
  });

  test('slow uploads are started over too (no one-minute deadline), three times in all', async () => {
    const clock = fakeClock();
    const slowReset = async (): Promise<Error> => {
      await clock.sleep(100_000); // a try that ran for 100 s before its connection was reset
      return netError('ECONNRESET');
    };
    const { fetch, seen } = scripted([
      missing,
      started(1),
      slowReset,
      missing,
      started(2),
      slowReset,
      missing,
      started(3),
      slowReset,
    ]);
    const c = new RegistryClient({ registry: 'r.example', fetch, clock });
    await expect(c.pushBlob('x', digest, blob)).rejects.toThrow(/\(the upload was tried 3 times over 30\d\.\d s\)$/);
    expect(seen.filter((l) => l.startsWith('PUT'))).toHaveLength(3);
  });

  test('after the last try the error says the upload was tried that often', async () => {
    const { c } = client([missing, started(1), netError('ECONNRESET'), missing, started(2), netError('ECONNRESET')], {
      retry: { ...DEFAULT_RETRY, attempts: 2 },
    });
    await expect(c.pushBlob('x', digest, blob)).rejects.toThrow(
      /\(ECONNRESET\) .*\(the upload was tried 2 times over 0\.2 s\)$/,
    );
  });
});
