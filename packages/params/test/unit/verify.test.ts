import { parseManifest } from '@deploy-actions/manifest';
import {
  BATCH_SIZE,
  explainAwsError,
  inPool,
  outcome,
  planBatches,
  verifyParameters,
  type GetParameters,
} from '@deploy-actions/params';

import { doc, fakeSsm, good, manifest, P, statuses, verify, type Stored } from './fixtures';

describe('planBatches', () => {
  const item = (i: number, needsDecrypt: boolean, plain: boolean) => ({ fullName: `/p/${i}`, needsDecrypt, plain });

  test.each([
    ['all plain, 25', Array.from({ length: 25 }, (_, i) => item(i, false, true)), 3, 0],
    [
      '3 to decrypt topped up with plain',
      [
        ...Array.from({ length: 3 }, (_, i) => item(i, true, false)),
        ...Array.from({ length: 14 }, (_, i) => item(100 + i, false, true)),
      ],
      2,
      1,
    ],
    [
      'decrypt batch is never padded with opaque secrets',
      [item(1, true, false), item(2, false, false), item(3, false, false)],
      2,
      1,
    ],
    ['5000 mixed', Array.from({ length: 5000 }, (_, i) => item(i, i % 3 === 0, i % 3 === 1)), 500, 167],
  ])('%s', (_label, items, calls, decrypting) => {
    const batches = planBatches(items);
    expect(batches.length).toBe(calls);
    expect(batches.filter((b) => b.decrypt).length).toBe(decrypting);
    expect(batches.every((b) => b.names.length <= BATCH_SIZE)).toBe(true);
    expect(batches.flatMap((b) => b.names).sort()).toEqual(items.map((i) => i.fullName).sort());
    const opaque = new Set(items.filter((i) => !i.needsDecrypt && !i.plain).map((i) => i.fullName));
    expect(
      batches
        .filter((b) => b.decrypt)
        .flatMap((b) => b.names)
        .some((n) => opaque.has(n)),
    ).toBe(false);
  });
});

test('inPool never has more than the limit in flight', async () => {
  let active = 0;
  let peak = 0;
  await inPool(
    Array.from({ length: 30 }, (_, i) => i),
    4,
    async () => {
      active++;
      peak = Math.max(peak, active);
      await new Promise((r) => setImmediate(r));
      active--;
    },
  );
  expect(peak).toBe(4);
});

describe('verifyParameters', () => {
  test('all present and valid', async () => {
    const { result, calls, masked } = await verify(good);
    expect(Object.values(statuses(result))).toEqual(Array(6).fill('ok'));
    // The secret with a rule is decrypted together with the plain Strings; the secret without a rule is
    // fetched in its own batch, undecrypted (one call more than ⌈6/10⌉, the price of never decrypting it).
    expect(calls).toEqual([
      {
        Names: [`${P}MASTER_KEY`, `${P}SMTP_PORT`, `${P}HOST_NAME`, `${P}PLAIN`, `${P}OPTIONAL`],
        WithDecryption: true,
      },
      { Names: [`${P}DB_PASSWORD`], WithDecryption: false },
    ]);
    expect(masked).toContain('deadbeef');
    expect(masked).not.toContain('587');
    expect(outcome(result, true).failed).toBe(false);
  });

  test('a secret without a rule is never requested decrypted', async () => {
    const many = parseManifest(
      {
        ...doc,
        parameters: [
          { name: 'K', secret: true, format: 'hex' },
          ...Array.from({ length: 12 }, (_, i) => ({ name: `S${i}`, secret: true })),
        ],
      },
      'm.yml',
    );
    const store: Record<string, Stored> = { [`${P}K`]: { Type: 'SecureString', Value: 'abcd' } };
    for (let i = 0; i < 12; i++) store[`${P}S${i}`] = { Type: 'SecureString', Value: `secret-${i}` };
    const { calls, masked } = await verify(store, { manifest: many });
    const decrypted = calls.filter((c) => c.WithDecryption).flatMap((c) => c.Names);
    expect(decrypted).toEqual([`${P}K`]);
    expect(masked.some((m) => m.startsWith('secret-'))).toBe(false);
  });

  test.each<[string, Record<string, Stored | undefined>, Record<string, RegExp>]>([
    ['missing required', { [`${P}SMTP_PORT`]: undefined }, { SMTP_PORT: /^missing: does not exist$/ }],
    ['missing optional', { [`${P}OPTIONAL`]: undefined }, { OPTIONAL: /^warning: does not exist \(optional\)$/ }],
    [
      'secret stored as String',
      { [`${P}DB_PASSWORD`]: { Type: 'String', Value: 'pw' } },
      { DB_PASSWORD: /^invalid: is String; a secret must be SecureString/ },
    ],
    [
      'SecureString where String expected',
      { [`${P}PLAIN`]: { Type: 'SecureString', Value: 'x' } },
      { PLAIN: /^warning: is SecureString but the manifest expects String/ },
    ],
    [
      'StringList where String expected',
      { [`${P}PLAIN`]: { Type: 'StringList', Value: 'a,b' } },
      { PLAIN: /^invalid: is StringList; the manifest expects String/ },
    ],
    [
      'bad port',
      { [`${P}SMTP_PORT`]: { Type: 'String', Value: '99999' } },
      { SMTP_PORT: /^invalid: is not a port number/ },
    ],
    [
      'host not covered',
      { [`${P}HOST_NAME`]: { Type: 'String', Value: 'app.other.org' } },
      { HOST_NAME: /not covered by any certificate of the environment \(\*\.example\.com\)/ },
    ],
    [
      'short key',
      { [`${P}MASTER_KEY`]: { Type: 'SecureString', Value: 'abc' } },
      { MASTER_KEY: /^invalid: is not 8 hexadecimal characters$/ },
    ],
    ['blank plain', { [`${P}PLAIN`]: { Type: 'String', Value: '  ' } }, { PLAIN: /^invalid: is empty$/ }],
  ])('%s', async (_label, change, expected) => {
    const store = { ...good, ...change };
    for (const k of Object.keys(store)) if (store[k] === undefined) delete store[k];
    const { result } = await verify(store as Record<string, Stored>);
    const got = statuses(result);
    for (const [name, pattern] of Object.entries(expected)) expect(got[name]).toMatch(pattern);
    const others = Object.entries(got).filter(([n]) => !(n in expected));
    expect(others.every(([, s]) => s === 'ok')).toBe(true);
  });

  test('nothing found suggests a wrong region or path', async () => {
    const { result } = await verify({});
    expect(result.findings.map((f) => `${f.level}: ${f.message}`)).toEqual([
      expect.stringMatching(
        /^hint: none of the 6 parameters exist under \/app\/production\/ in eu-west-2: check that aws-region/,
      ),
    ]);
    expect(outcome(result, false).missing).toHaveLength(5);
  });

  test('throttling is retried, other errors are explained', async () => {
    let n = 0;
    const ssm = fakeSsm(good);
    const flaky: GetParameters = async (input) => {
      if (n++ < 2) throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
      return ssm.get(input);
    };
    const sleeps: number[] = [];
    const result = await verifyParameters(
      { manifest, environment: 'production', region: 'eu-west-2', concurrency: 1 },
      { getParameters: () => flaky, setSecret: () => {}, sleep: async (ms) => void sleeps.push(ms) },
    );
    expect(sleeps).toEqual([500, 1000]);
    expect(result.parameters.every((p) => p.status === 'ok')).toBe(true);
  });

  test.each([
    [
      {
        name: 'AccessDeniedException',
        message: 'User: arn:aws:sts::1:assumed-role/r/s is not authorized to perform: ssm:GetParameters on resource: x',
      },
      false,
      /AccessDeniedException: the role may not call ssm:GetParameters on \/a\/B; grant ssm:GetParameters on arn:aws:ssm:eu-west-2:<account>:parameter\/a\/\*/,
    ],
    [
      { name: 'AccessDeniedException', message: 'User: x is not authorized to perform: kms:Decrypt on resource: key' },
      true,
      /needs kms:Decrypt on the KMS key .*"kms:ViaService": "ssm\.eu-west-2\.amazonaws\.com"/,
    ],
    [{ name: 'ExpiredTokenException', message: 'expired' }, false, /AWS credentials are missing or expired/],
    [
      { name: 'ThrottlingException', message: 'Rate exceeded' },
      false,
      /kept throttling GetParameters after every retry/,
    ],
  ])('explains %j', (error, decrypt, message) => {
    const e = Object.assign(new Error(error.message), { name: error.name });
    expect(explainAwsError(e, { region: 'eu-west-2', path: '/a/', names: ['/a/B'], decrypt }).message).toMatch(message);
  });
});
