// One verdict for every report: the outcome's counts, the summary (problems first, a one-line pass, bounded under
// GitHub's limit) and the report file.
import { md } from '@deploy-actions/core';
import { parseManifest } from '@deploy-actions/manifest';
import { countsLine, MAX_ROWS, outcome, reportJson, summaryMarkdown, verifyParameters } from '@deploy-actions/params';
import { fakeSsm, good, P, verify, type Stored } from './fixtures';

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
  expect(texts[0]).toContain('| ⚠️ warning | <code>/app/production/PLAIN</code> | Parameter Store | is SecureString');
});

test('a passing run is one line: no table of green rows', async () => {
  const { result } = await verify(good);
  const text = summaryMarkdown(result, outcome(result, false), 'verify-params-production.json');
  expect(text).toBe(
    '### verify-params: production\n\n✅ **Passed**: all 6 parameters under <code>/app/production/</code> in ' +
      '<code>eu-west-2</code> exist with the right type; 3 value(s) match their rule.\n\n',
  );
});

test('problems come first, missing then invalid then warnings, with the same counts as the outputs', async () => {
  const store: Record<string, Stored> = {
    ...good,
    [`${P}SMTP_PORT`]: { Type: 'String', Value: '0' },
    [`${P}PLAIN`]: { Type: 'SecureString', Value: 'x' },
  };
  delete store[`${P}DB_PASSWORD`];
  const { result } = await verify(store);
  const out = outcome(result, false);
  expect(out.counts).toEqual({ parameters: 6, ok: 3, missing: 1, invalid: 1, warnings: 1 });
  expect([out.missing.length, out.invalid.length, out.warnings.length]).toEqual([1, 1, 1]);
  const text = summaryMarkdown(result, out, 'r.json');
  expect(text).toContain(`❌ **Failed**: ${countsLine(out.counts)} — 6 parameters under`);
  const rows = text.split('\n').filter((l) => l.startsWith('| ❌') || l.startsWith('| ⚠️'));
  expect(rows.map((r) => r.split(' | ')[0])).toEqual(['| ❌ missing', '| ❌ invalid', '| ⚠️ warning']);
  expect(text).toContain(
    '3 other parameter(s) passed; every parameter is listed in the report file <code>r.json</code>',
  );
  expect((JSON.parse(reportJson(result, out)) as { counts: unknown }).counts).toEqual(out.counts);
});

test('10,000 parameters with 3,000 problems: true counts, the summary under 1 MiB and saying what it cut', async () => {
  const names = Array.from({ length: 10000 }, (_, i) => `P_${String(i).padStart(5, '0')}`);
  const big = parseManifest(
    {
      version: 1,
      environments: { production: { path: '/big/production/' } },
      parameters: names.map((name) => ({ name, format: 'port' })),
    },
    'big.yml',
  );
  const store: Record<string, Stored> = {};
  names.forEach((name, i) => {
    if (i % 10 === 0) return; // 1,000 missing
    store[`/big/production/${name}`] = { Type: 'String', Value: i % 5 === 1 ? 'not-a-port' : '443' }; // 2,000 invalid
  });
  const ssm = fakeSsm(store);
  const result = await verifyParameters(
    { manifest: big, environment: 'production', region: 'eu-west-2', concurrency: 8 },
    { getParameters: () => ssm.get, setSecret: () => {} },
  );
  const out = outcome(result, false);
  expect(out.counts).toEqual({ parameters: 10000, ok: 7000, missing: 1000, invalid: 2000, warnings: 0 });
  expect(ssm.calls).toHaveLength(1000);
  const text = summaryMarkdown(result, out, 'r.json');
  expect(Buffer.byteLength(text, 'utf8')).toBeLessThan(md.SUMMARY_LIMIT_BYTES);
  expect(text).toContain('❌ **Failed**: 1000 missing, 2000 invalid, 0 warnings — 10000 parameters under');
  const shown = text.split('\n').filter((l) => l.startsWith('| ❌')).length;
  expect(shown).toBe(MAX_ROWS);
  expect(text).toContain(`_… and ${3000 - MAX_ROWS} more problems not shown here (${MAX_ROWS} of 3000 shown)._`);
  expect(text).toMatch(
    /Shortened to stay under GitHub's 1 MiB job summary limit: .* left out\. Everything is in the report file/,
  );
  // The report file keeps every parameter and problem.
  const report = JSON.parse(reportJson(result, out)) as { parameters: unknown[]; problems: unknown[] };
  expect([report.parameters.length, report.problems.length]).toEqual([10000, 3000]);
});

test('the longest names and reasons SSM and a manifest allow: still under 1 MiB, saying what was cut', async () => {
  const long = 'N'.repeat(990);
  const names = Array.from({ length: 10000 }, (_, i) => `${long}${String(i).padStart(5, '0')}`);
  const rule = { rule: 'regex', pattern: '[a-z]{3}', description: `a value of the form ${'x'.repeat(5000)}` };
  const big = parseManifest(
    {
      version: 1,
      environments: { production: { path: '/p/' } },
      parameters: names.map((name) => ({ name, format: rule })),
    },
    'big.yml',
  );
  const store: Record<string, Stored> = {};
  for (const name of names) store[`/p/${name}`] = { Type: 'String', Value: '1' };
  const ssm = fakeSsm(store);
  const result = await verifyParameters(
    { manifest: big, environment: 'production', region: 'eu-west-2', concurrency: 8 },
    { getParameters: () => ssm.get, setSecret: () => {} },
  );
  const out = outcome(result, false);
  expect(out.counts.invalid).toBe(10000);
  const text = summaryMarkdown(result, out, 'r.json');
  expect(Buffer.byteLength(text, 'utf8')).toBeLessThan(md.SUMMARY_LIMIT_BYTES);
  const shown = text.split('\n').filter((l) => l.startsWith('| ❌')).length;
  expect(shown).toBeLessThanOrEqual(MAX_ROWS);
  expect(text).toContain(`(${shown} of 10000 shown)`);
  expect(text).toContain('more characters)'); // long cells are cut, and say so
  expect(text).toContain('10000 invalid');
});
