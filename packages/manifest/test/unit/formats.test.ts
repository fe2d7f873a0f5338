import { certificateCovers, checkFormat, type FormatRule } from '@deploy-actions/manifest';

const ctx = { certificates: ['*.zanda360.com', '*.smartlms.co.uk'] };

const cases: [FormatRule, string[], string[]][] = [
  [{ rule: 'port' }, ['1', '25', '587', '65535'], ['0', '65536', '08', '+25', 'smtp', '25 ']],
  [
    { rule: 'hostname' },
    ['db.internal.example', '10.0.1.17', 'x-1.eu-west-2.rds.amazonaws.com', 'localhost'],
    ['dbhost', '-a.example.com', 'a_b.example.com', 'db.example.com:5432', 'http://db.example.com', '999.1.1.1'],
  ],
  [
    { rule: 'email' },
    ['no-reply@zanda360.com', 'a.b+c@mail.example.co.uk'],
    ['no-reply', '@zanda360.com', 'a@b', 'a b@example.com', 'x@1.2.3.4', 'Name <a@example.com>'],
  ],
  [{ rule: 'aws-region' }, ['eu-west-2', 'us-gov-west-1', 'ap-southeast-1'], ['EU-WEST-2', 'eu-west', 'london']],
  [
    { rule: 's3-bucket-name' },
    ['my-bucket', 'platform.uploads.2024', 'abc'],
    ['ab', 'My-Bucket', 'a..b', '192.168.1.1', 'xn--abc', 'bucket-', 'b_u', 'x-s3alias', 'a'.repeat(64)],
  ],
  [
    { rule: 'aws-access-key-id' },
    ['AKIAIOSFODNN7EXAMPLE', 'ASIA0123456789ABCDEF'],
    ['AKIA123', 'akiaiosfodnn7example'],
  ],
  [{ rule: 'url' }, ['https://example.com/x', 'http://10.0.0.1:8080'], ['ftp://example.com', 'example.com']],
  [
    { rule: 'certificate-host' },
    ['app.zanda360.com', 'tenant.smartlms.co.uk'],
    ['zanda360.com', 'a.b.zanda360.com', 'app.staging.zanda360.com', 'app.example.com', 'https://app.zanda360.com'],
  ],
  [{ rule: 'hex', length: 32 }, ['0123456789abcdef0123456789ABCDEF'], ['0123', 'g123456789abcdef0123456789abcdef']],
  [{ rule: 'hex' }, ['ab12'], ['xyz']],
  [{ rule: 'regex', pattern: '[a-z]+|[0-9]{3}' }, ['abc', '123'], ['abc1', '12', 'ABC']],
];

describe.each(cases)('rule %j', (rule, good, bad) => {
  test.each(good)('accepts %j', (value) => {
    expect(checkFormat(rule, value, ctx)).toBeUndefined();
  });
  test.each(bad)('rejects %j without repeating the value', (value) => {
    const reason = checkFormat(rule, value, ctx);
    expect(reason).toEqual(expect.any(String));
    // Parentheses hold the rule's own examples or certificate list, not the value.
    expect(reason?.replace(/\(.*\)/, '')).not.toContain(value);
  });
});

test.each([
  ['', 'is empty'],
  ['   ', 'is empty'],
  [' 25', 'has leading or trailing white space'],
])('every rule rejects %j', (value, reason) => {
  expect(checkFormat({ rule: 'port' }, value, ctx)).toContain(reason);
});

test('a hex value of the wrong length gets the same reason as a wrong character: its length is not told', () => {
  const rule: FormatRule = { rule: 'hex', length: 32 };
  const reasons = ['0123', '0123456789abcdef0123456789abcdef00', 'g123456789abcdef0123456789abcdef'].map((v) =>
    checkFormat(rule, v, ctx),
  );
  expect(new Set(reasons)).toEqual(new Set(['is not 32 hexadecimal characters']));
  for (const reason of reasons) expect(reason).not.toMatch(/\b(4|34)\b/);
});

test('regex reasons use the description when given', () => {
  expect(checkFormat({ rule: 'regex', pattern: '[a-z]+', description: 'a database name' }, '1', ctx)).toBe(
    'is not a database name',
  );
});

test.each([
  ['*.zanda360.com', 'x.zanda360.com', true],
  ['*.zanda360.com', 'X.ZANDA360.COM', true],
  ['*.zanda360.com', 'zanda360.com', false],
  ['*.zanda360.com', 'a.b.zanda360.com', false],
  ['app.zanda360.com', 'app.zanda360.com', true],
  ['app.zanda360.com', 'web.zanda360.com', false],
])('certificate %s covers %s: %s', (cert, host, covered) => {
  expect(certificateCovers(cert, host)).toBe(covered);
});
