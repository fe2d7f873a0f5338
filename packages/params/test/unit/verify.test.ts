import { parseManifest, type Manifest } from '@deploy-actions/manifest';
import {
  BATCH_SIZE,
  explainAwsError,
  inPool,
  outcome,
  planBatches,
  reportJson,
  summaryMarkdown,
  taskDefinitionRefs,
  verifyParameters,
  type GetParameters,
  type VerifyResult,
} from '@deploy-actions/params';

interface Stored {
  Type: 'String' | 'SecureString' | 'StringList';
  Value: string;
}

/** Parameter Store semantics that matter here: missing names in InvalidParameters, SecureString opaque unless decrypted. */
function fakeSsm(store: Record<string, Stored>) {
  const calls: { Names: string[]; WithDecryption: boolean }[] = [];
  const get: GetParameters = async (input) => {
    calls.push({ Names: [...input.Names], WithDecryption: input.WithDecryption });
    if (input.Names.length > BATCH_SIZE) throw new Error('ValidationException: too many names');
    return {
      Parameters: input.Names.filter((n) => store[n]).map((n) => {
        const p = store[n]!;
        const value = p.Type === 'SecureString' && !input.WithDecryption ? 'AQICAHh-ciphertext' : p.Value;
        return { Name: n, Type: p.Type, Value: value };
      }),
      InvalidParameters: input.Names.filter((n) => !store[n]),
    };
  };
  return { get, calls };
}

const doc = {
  version: 1,
  environments: {
    production: { path: '/app/production/', certificates: ['*.example.com'] },
    staging: { path: '/app/staging/', certificates: ['*.staging.example.com'] },
  },
  parameters: [
    { name: 'SMTP_PORT', format: 'port' },
    { name: 'HOST_NAME', format: 'certificate-host' },
    { name: 'DB_PASSWORD', secret: true },
    { name: 'MASTER_KEY', secret: true, format: { rule: 'hex', length: 8 } },
    { name: 'PLAIN' },
    { name: 'OPTIONAL', required: false },
  ],
};
const manifest: Manifest = parseManifest(doc, 'params.yml');
const P = '/app/production/';
const good: Record<string, Stored> = {
  [`${P}SMTP_PORT`]: { Type: 'String', Value: '587' },
  [`${P}HOST_NAME`]: { Type: 'String', Value: 'app.example.com' },
  [`${P}DB_PASSWORD`]: { Type: 'SecureString', Value: 'pa ss"word' },
  [`${P}MASTER_KEY`]: { Type: 'SecureString', Value: 'deadbeef' },
  [`${P}PLAIN`]: { Type: 'String', Value: 'x' },
  [`${P}OPTIONAL`]: { Type: 'String', Value: 'y' },
};

async function verify(store: Record<string, Stored>, extra: Partial<Parameters<typeof verifyParameters>[0]> = {}) {
  const ssm = fakeSsm(store);
  const masked: string[] = [];
  const result = await verifyParameters(
    { manifest, environment: 'production', region: 'eu-west-2', ...extra },
    { getParameters: () => ssm.get, setSecret: (v) => masked.push(v), sleep: async () => {} },
  );
  return { result, calls: ssm.calls, masked };
}

function statuses(result: VerifyResult): Record<string, string> {
  return Object.fromEntries(
    result.parameters.map((p) => [p.name, `${p.status}${p.reasons.length ? `: ${p.reasons.join('; ')}` : ''}`]),
  );
}

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
      { MASTER_KEY: /^invalid: has 3 characters; expected 8 hexadecimal/ },
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

describe('task definition cross-check', () => {
  const td = (containers: unknown[]) =>
    taskDefinitionRefs({ family: 'api', containerDefinitions: containers }, 'td.json');
  const allRefs = Object.keys(good).map((n) => ({ name: n.slice(P.length), valueFrom: n }));

  test('every reference resolves, ARN form in either region', async () => {
    const refs = [
      ...allRefs.slice(0, 4),
      { name: 'PLAIN', valueFrom: `arn:aws:ssm:eu-west-2:123456789012:parameter${P}PLAIN` },
      { name: 'OPTIONAL', valueFrom: `arn:aws:ssm:us-east-1:123456789012:parameter${P}OPTIONAL` },
      { name: 'SM', valueFrom: 'arn:aws:secretsmanager:eu-west-2:123456789012:secret:db-AbCdEf' },
    ];
    const ssm = fakeSsm(good);
    const regions: string[] = [];
    const result = await verifyParameters(
      {
        manifest,
        environment: 'production',
        region: 'eu-west-2',
        taskDefinitions: [td([{ name: 'api', secrets: refs }])],
      },
      { getParameters: (r) => (regions.push(r), ssm.get), setSecret: () => {} },
    );
    expect(result.findings).toEqual([]);
    expect(result.parameters.every((p) => p.status === 'ok')).toBe(true);
    expect(regions).toEqual(['eu-west-2', 'us-east-1']);
  });

  test('broken wiring is reported', async () => {
    const result = (
      await verify(good, {
        taskDefinitions: [
          td([
            {
              name: 'api',
              secrets: [
                { name: 'SMTP_PORT', valueFrom: `${P}SMTP_PORT` },
                { name: 'GONE', valueFrom: `arn:aws:ssm:eu-west-2:123456789012:parameter${P}GONE` },
                { name: 'HOST_NAME', valueFrom: '/app/staging/HOST_NAME' },
              ],
              environment: [{ name: 'DB_PASSWORD', value: 'oops' }],
            },
          ]),
        ],
      })
    ).result;
    const messages = result.findings.map((f) => `${f.level} ${f.where}: ${f.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^error td\.json container 'api': secret GONE: valueFrom arn:.*GONE does not exist in eu-west-2$/,
        ),
        expect.stringMatching(/^error td\.json container 'api': sets secret DB_PASSWORD as a plain environment value/),
        expect.stringMatching(
          /^warning td\.json container 'api': secret HOST_NAME reads \/app\/staging\/HOST_NAME, a parameter of environment 'staging'/,
        ),
        expect.stringMatching(
          /^error td\.json container 'api': secret HOST_NAME: valueFrom \/app\/staging\/HOST_NAME does not exist/,
        ),
      ]),
    );
    expect(statuses(result)['DB_PASSWORD']).toBe('warning: no task definition references it');
    expect(statuses(result)['SMTP_PORT']).toBe('ok');
    const out = outcome(result, false);
    expect(out.missing).toEqual(expect.arrayContaining([`${P}GONE`, '/app/staging/HOST_NAME']));
    expect(out.failed).toBe(true);
  });

  test.each([
    [{ containerDefinitions: 'x' }, /td\.json: is not a task definition/],
    [
      { containerDefinitions: [{ name: 'a', secrets: [{ name: 'X' }] }] },
      /containerDefinitions\[0\] \(a\)\.secrets\[0\]: must have string name and valueFrom/,
    ],
  ])('rejects a malformed task definition %#', (docum, message) => {
    expect(() => taskDefinitionRefs(docum, 'td.json')).toThrow(message);
  });

  test('describe-task-definition output is accepted', () => {
    expect(
      taskDefinitionRefs({ taskDefinition: { containerDefinitions: [{ name: 'a' }] } }, 'd.json').containers,
    ).toEqual([{ name: 'a', secrets: [], environment: [] }]);
  });
});

test('fail-on-warnings turns warnings fatal; summary and report carry no values', async () => {
  const store = { ...good, [`${P}PLAIN`]: { Type: 'SecureString' as const, Value: 'x' } };
  const { result } = await verify(store);
  expect(outcome(result, false).failed).toBe(false);
  const out = outcome(result, true);
  expect(out.failed).toBe(true);
  const texts = [summaryMarkdown(result, out), reportJson(result, out)];
  for (const text of texts) {
    for (const value of ['pa ss"word', 'deadbeef', 'app.example.com']) expect(text).not.toContain(value);
  }
  expect(texts[0]).toContain('| <code>/app/production/PLAIN</code> | SecureString | ⚠️ warning |');
});
