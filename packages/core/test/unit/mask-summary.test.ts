import { md, maskSecret, redact, secretForms } from '@deploy-actions/core';

describe('secretForms', () => {
  test('covers the value, its lines, JSON, URL and base64 forms', () => {
    const value = 'p@ss "word"\nsecond line';
    const forms = secretForms(value);
    expect(forms).toEqual(
      expect.arrayContaining([
        value,
        'p@ss "word"',
        'second line',
        'p@ss \\"word\\"\\nsecond line',
        encodeURIComponent(value),
        Buffer.from(value).toString('base64'),
      ]),
    );
  });

  test('skips forms too short to mask safely', () => {
    expect(secretForms('ab')).toEqual(['YWI=']);
  });
});

test('maskSecret registers every form', () => {
  const masked: string[] = [];
  maskSecret('top secret', (v) => masked.push(v));
  expect(masked).toEqual(secretForms('top secret'));
  expect(masked).toContain('top%20secret');
});

test('redact replaces all forms, longest first', () => {
  const secret = 'a b+c/d';
  const text = `raw=${secret} url=${encodeURIComponent(secret)} b64=${Buffer.from(secret).toString('base64')}`;
  const out = redact(text, [secret]);
  expect(out).toBe('raw=*** url=*** b64=***');
});

describe('summary escaping', () => {
  test.each([
    ['<script>alert(1)</script>', '&lt;script&gt;alert\\(1\\)&lt;/script&gt;'],
    ['a | b', 'a &#124; b'],
    ['[link](http://x)', '\\[link\\]\\(http://x\\)'],
    ['line1\nline2', 'line1<br>line2'],
  ])('escapeText(%p)', (input, expected) => {
    expect(md.escapeText(input)).toBe(expected);
  });

  test('table escapes cells but keeps raw markup', () => {
    const out = md.table(['name', 'image'], [['web|x', md.raw(md.code('nginx@sha256:1'))]]);
    expect(out).toBe('| name | image |\n| --- | --- |\n| web&#124;x | <code>nginx@sha256:1</code> |\n');
  });
});
