import { readFileSync } from 'node:fs';
import { ConfigError, Inputs, parseJsonOrKeyValues, parseKeyValues, SUITE_VERSION } from '@deploy-actions/core';

const inputs = (values: Record<string, string>): Inputs => new Inputs((name) => values[name] ?? '');

describe('Inputs', () => {
  test('required names the missing input', () => {
    expect(() => inputs({}).required('cluster')).toThrow("input 'cluster': is required");
  });

  test.each([
    ['true', true],
    ['True', true],
    ['false', false],
    ['', true],
  ])('boolean %p', (value, expected) => {
    expect(inputs({ flag: value }).boolean('flag', true)).toBe(expected);
  });

  test('json parses, and a syntax error is located without quoting the text', () => {
    expect(inputs({ j: ' [{"key": "a"}] ' }).json('j', '[]')).toEqual([{ key: 'a' }]);
    expect(inputs({}).json('j', '[]')).toBeUndefined();
    const error = (() => {
      try {
        inputs({ j: '[{"key": hunter2}]' }).json('j', '[{"key": "...", "value": "..."}]');
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();
    expect(error?.message).toBe(
      `input 'j': is not valid JSON (unexpected character at line 1, column 10) — e.g. [{"key": "...", "value": "..."}]`,
    );
  });

  test('boolean rejects other words', () => {
    expect(() => inputs({ flag: 'yes' }).boolean('flag', false)).toThrow("input 'flag': is not a boolean");
  });

  test.each([
    ['12', 12],
    ['0', 0],
  ])('integer %p', (value, expected) => {
    expect(inputs({ n: value }).integer('n', { min: 0, max: 100 })).toBe(expected);
  });

  test.each(['5x', '1.5', 'five'])('integer rejects %p', (value) => {
    expect(() => inputs({ n: value }).integer('n', {})).toThrow(ConfigError);
  });

  test('integer range', () => {
    expect(() => inputs({ n: '101' }).integer('n', { min: 0, max: 100 })).toThrow(
      'is out of range — use a number from 0 up to 100',
    );
  });

  test('oneOf lists the allowed values', () => {
    expect(() => inputs({ mode: 'mix' }).oneOf('mode', ['merge', 'replace'], 'merge')).toThrow(
      'use one of: merge, replace',
    );
  });
});

describe('parseKeyValues', () => {
  test('splits at the first = only, skips blanks and comments', () => {
    expect(parseKeyValues('A=1\n\n# c\nURL=postgres://u:p@h/db?sslmode=require\nEMPTY=', 'input x')).toEqual([
      { key: 'A', value: '1', line: 1 },
      { key: 'URL', value: 'postgres://u:p@h/db?sslmode=require', line: 4 },
      { key: 'EMPTY', value: '', line: 5 },
    ]);
  });

  test.each(['NOEQUALS', '=value'])('rejects %p naming the line', (line) => {
    expect(() => parseKeyValues(`A=1\n${line}`, "input 'environment-variables'")).toThrow(
      "input 'environment-variables' line 2",
    );
    // Blank and comment lines count, so the number is the line the user sees in the workflow.
    expect(() => parseKeyValues(`A=1\n\n# note\n${line}`, 'x')).toThrow('x line 4');
  });
});

describe('parseJsonOrKeyValues', () => {
  test('JSON object', () => {
    expect(parseJsonOrKeyValues('{"a":"1=2"}', 'x')).toEqual({ a: '1=2' });
  });
  test('lines', () => {
    expect(parseJsonOrKeyValues('a=1=2\nb=3', 'x')).toEqual({ a: '1=2', b: '3' });
  });
  test('non-string JSON values are rejected', () => {
    expect(() => parseJsonOrKeyValues('{"a":1}', 'input y')).toThrow("input y key 'a': must be a string");
  });
});

test('SUITE_VERSION follows package.json', () => {
  const pkg = JSON.parse(readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  expect(SUITE_VERSION).toBe(pkg.version);
});

test('a malformed line is never quoted (it may be part of a multi-line secret)', () => {
  const secretLine = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC';
  expect(() => parseKeyValues(`KEY=-----BEGIN PRIVATE KEY-----\n${secretLine}`, "input 'secrets'")).toThrow(
    "input 'secrets' line 2: has no '=' (the line is not shown: values may be secret)",
  );
  let message = '';
  try {
    parseKeyValues(secretLine, 'x');
  } catch (error) {
    message = (error as Error).message;
  }
  expect(message).toContain("has no '='");
  expect(message).not.toContain(secretLine.slice(0, 8));
});

test.each([
  ['{"splunk-token": abcd-SECRET-1234}', 'input x'],
  ['{"token": "abcd-SECRET-1234"', 'input y'],
])('invalid JSON is located without quoting the input (%p)', (text, where) => {
  let message = '';
  try {
    parseJsonOrKeyValues(text, where);
  } catch (error) {
    message = (error as Error).message;
  }
  expect(message).toMatch(
    /is not valid JSON \((unexpected character|expected ',' or '}' after a property value) at line 1, column \d+\)/,
  );
  expect(message).not.toMatch(/SECRE|abcd/);
});
