// The leak check itself must be able to fail: it finds a cut piece of a secret, and models the runner's masking
// no more kindly than the runner (whole registered values only, line by line).
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { findLeaks, leaksOf, runnerMasked, type RunResult } from '@deploy-actions/testing';

const SECRET = 'Zq8#vN2!kLm4@Xp7';

test('the runner masks a registered value whole, in every line, and consumes the ::add-mask:: lines', () => {
  const log = `::add-mask::${SECRET}\nconnecting with ${SECRET}\nand again ${SECRET}.`;
  expect(runnerMasked(log, [SECRET])).toBe('connecting with ***\nand again ***.');
});

test('a cut piece of a registered value is not masked (what a 30-character quote of a value shows)', () => {
  const log = `error: 'DB_PASSWORD=${SECRET.slice(0, 10)}…' is not an object`;
  expect(runnerMasked(log, [SECRET])).toBe(log);
  expect(findLeaks(SECRET, [{ where: 'stdout', text: runnerMasked(log, [SECRET]) }])).toEqual([
    { where: 'stdout', fragment: SECRET.slice(0, 6) },
  ]);
});

test('a multi-line value is masked only line by line, as registered', () => {
  const value = 'line-one-AAAA\nline-two-BBBB';
  const masked = runnerMasked('x line-one-AAAA y', ['line-one-AAAA%0Aline-two-BBBB']);
  expect(masked).toBe('x line-one-AAAA y');
  expect(runnerMasked('x line-one-AAAA y', [value, 'line-one-AAAA'])).toBe('x *** y');
});

test('any 6-character fragment anywhere is found; shorter ones are not leaks', () => {
  const texts = [
    { where: 'summary', text: `… ${SECRET.slice(5, 11)} …` },
    { where: 'outputs', text: SECRET.slice(0, 5) },
  ];
  expect(findLeaks(SECRET, texts)).toEqual([{ where: 'summary', fragment: SECRET.slice(5, 11) }]);
});

test('files under RUNNER_TEMP and GITHUB_OUTPUT are searched too, and not masked', async () => {
  const runnerTemp = await mkdtemp(path.join(tmpdir(), 'leaks-'));
  await writeFile(path.join(runnerTemp, 'report.json'), `{"reason": "${SECRET}"}`);
  const result = {
    stdout: `::add-mask::${SECRET}\n${SECRET}`,
    stderr: '',
    outputFile: `value<<EOF\n${SECRET}\nEOF\n`,
    summary: '',
    runnerTemp,
    masked: [SECRET],
  } as unknown as RunResult;
  const leaks = await leaksOf(result, [SECRET]);
  expect(leaks.map((l) => l.where)).toEqual(['GITHUB_OUTPUT', `file ${path.join(runnerTemp, 'report.json')}`]);
});
