// The runner protocol of our own, checked against @actions/core 3 (a dev dependency kept for exactly this):
// the same calls in the same environment must write the same bytes to stdout and to the command files.
import * as core from '@actions/core';
import { jest } from '@jest/globals';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { escapeData, escapeProperty, keyValueRecord, Runner, runnerIO } from '@deploy-actions/core';

const DELIMITER = /ghadelimiter_[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}/g;

/** Runs `fn` with process.env replaced by `env` and returns what it wrote to stdout. */
async function capture(env: NodeJS.ProcessEnv, fn: () => unknown): Promise<string> {
  const saved = process.env;
  const savedExit = process.exitCode;
  process.env = { ...env };
  let out = '';
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    return true;
  });
  try {
    await fn();
  } finally {
    spy.mockRestore();
    process.env = saved;
    process.exitCode = savedExit;
  }
  return out;
}

/** What ours and @actions/core write for the same call, side by side. */
async function both(
  env: NodeJS.ProcessEnv,
  ours: (r: Runner) => unknown,
  theirs: () => unknown,
): Promise<[string, string]> {
  let mine = '';
  const savedExit = process.exitCode;
  try {
    await ours(new Runner(env, (t) => (mine += t)));
  } finally {
    process.exitCode = savedExit;
  }
  return [mine, await capture(env, theirs)];
}

const MESSAGES = [
  'plain',
  '',
  'multi\nline\r\nwith 100% of it',
  '::stop-commands::x',
  'a,b:c%d',
  '%0A already escaped',
  'unicode ✓ é 日本',
];

describe.each(MESSAGES)('message %j', (message) => {
  test.each(['debug', 'info', 'notice', 'warning', 'error'] as const)(
    '%s writes what @actions/core writes',
    async (level) => {
      const [mine, theirs] = await both(
        {},
        (r) => r[level](message),
        () => core[level](message),
      );
      expect(mine).toBe(theirs);
    },
  );

  test('add-mask, group and setFailed too', async () => {
    const calls = async (api: {
      setSecret(v: string): void;
      group<T>(n: string, f: () => Promise<T>): Promise<T>;
      setFailed(m: string): void;
    }): Promise<void> => {
      api.setSecret(message);
      await api.group(message, async () => api.setSecret('inside'));
      api.setFailed(message);
    };
    const [mine, theirs] = await both(
      {},
      (r) => calls(r),
      () => calls(core),
    );
    expect(mine).toBe(theirs);
  });
});

test.each([
  [{}],
  [{ title: 'A title, with: separators' }],
  [{ file: 'src/a b.ts', startLine: 3, endLine: 4, startColumn: 1, endColumn: 9 }],
  [{ title: '', startLine: 0 }],
  [{ title: undefined }],
  [{ title: 'multi\nline 50%' }],
])('annotation properties %p are escaped and named as @actions/core names them', async (properties) => {
  for (const level of ['notice', 'warning', 'error'] as const) {
    const [mine, theirs] = await both(
      {},
      (r) => r[level]('m', properties),
      () => core[level]('m', properties as core.AnnotationProperties),
    );
    expect(mine).toBe(theirs);
  }
});

test('escaping: data escapes %, CR and LF; properties also : and ,', () => {
  expect(escapeData('a%\r\n:,')).toBe('a%25%0D%0A:,');
  expect(escapeProperty('a%\r\n:,')).toBe('a%25%0D%0A%3A%2C');
});

describe('inputs', () => {
  const env = {
    'INPUT_TASK-DEFINITION': '  td.json \n',
    INPUT_MY_INPUT: 'spaced name',
    INPUT_EMPTY: '',
    INPUT_BLANK: '   ',
    INPUT_YES: 'True',
    INPUT_NO: 'FALSE',
    INPUT_YESISH: 'yes',
    INPUT_LOWER: 'true ',
  };

  test.each([
    ['task-definition', {}],
    ['Task-Definition', {}],
    ['task-definition', { trimWhitespace: false }],
    ['my input', {}],
    ['missing', {}],
    ['blank', { required: true }],
  ])('getInput(%j, %p) as @actions/core', async (name, options) => {
    const r = new Runner(env);
    await capture(env, () => expect(r.getInput(name, options)).toBe(core.getInput(name, options)));
  });

  test.each(['missing', 'empty'])('a required input that is %s fails with the same message', async (name) => {
    const r = new Runner(env);
    await capture(env, () => {
      expect(() => core.getInput(name, { required: true })).toThrow(`Input required and not supplied: ${name}`);
      expect(() => r.getInput(name, { required: true })).toThrow(`Input required and not supplied: ${name}`);
    });
  });

  test.each(['yes', 'no', 'lower'])('getBooleanInput(%j) follows the YAML 1.2 core schema', async (name) => {
    const r = new Runner(env);
    await capture(env, () => expect(r.getBooleanInput(name)).toBe(core.getBooleanInput(name)));
  });

  test.each(['yesish', 'missing'])(
    'getBooleanInput(%j) rejects what the core schema does not call a boolean',
    async (name) => {
      const r = new Runner(env);
      await capture(env, () => {
        let expected = '';
        try {
          core.getBooleanInput(name);
        } catch (error) {
          expected = (error as Error).message;
        }
        expect(expected).toContain('YAML 1.2');
        expect(() => r.getBooleanInput(name)).toThrow(new TypeError(expected));
      });
    },
  );
});

describe('file commands', () => {
  async function files(): Promise<Record<string, string>> {
    const dir = await mkdtemp(path.join(tmpdir(), 'runner-'));
    const env: Record<string, string> = {};
    for (const name of ['OUTPUT', 'STATE']) {
      env[`GITHUB_${name}`] = path.join(dir, name);
      await writeFile(env[`GITHUB_${name}`]!, '');
    }
    return env;
  }
  const VALUES = ['x', '', 'two\nlines', 'a=b<<c', 'trailing\n', 'ghadelimiter_not-a-uuid'];

  test('outputs and state are heredoc records like @actions/core writes, each with a fresh random delimiter', async () => {
    const mineEnv = await files();
    const theirsEnv = await files();
    const r = new Runner(mineEnv);
    await capture(theirsEnv, () => {
      for (const [i, value] of VALUES.entries()) {
        r.setOutput(`out-${i}`, value);
        core.setOutput(`out-${i}`, value);
        r.saveState(`state_${i}`, value);
        core.saveState(`state_${i}`, value);
      }
    });
    for (const name of ['GITHUB_OUTPUT', 'GITHUB_STATE']) {
      const mine = await readFile(mineEnv[name]!, 'utf8');
      const theirs = await readFile(theirsEnv[name]!, 'utf8');
      const delimiters = mine.match(DELIMITER) ?? [];
      expect(delimiters).toHaveLength(VALUES.length * 2);
      expect(new Set(delimiters).size).toBe(VALUES.length);
      expect(mine.replace(DELIMITER, 'D')).toBe(theirs.replace(DELIMITER, 'D'));
    }
  });

  test('getState reads STATE_<name>', async () => {
    const env = { STATE_phase: 'deployed' };
    await capture(env, () => expect(new Runner(env).getState('phase')).toBe(core.getState('phase')));
  });

  test('a value holding the delimiter is refused, never written', () => {
    expect(() => keyValueRecord('n', 'x ghadelimiter_1 y', 'ghadelimiter_1')).toThrow(
      /should not contain the delimiter/,
    );
    expect(keyValueRecord('n', 'v', 'D')).toBe('n<<D\nv\nD');
  });

  test('a missing command file fails as in @actions/core', async () => {
    const env = { GITHUB_OUTPUT: '/nonexistent/output' };
    await capture(env, () =>
      expect(() => core.setOutput('a', 'b')).toThrow('Missing file at path: /nonexistent/output'),
    );
    expect(() => new Runner(env).setOutput('a', 'b')).toThrow('Missing file at path: /nonexistent/output');
  });

  test('without GITHUB_OUTPUT/GITHUB_STATE the stdout commands are used, as by older runners', async () => {
    const [mine, theirs] = await both(
      {},
      (r) => {
        r.setOutput('a', 'multi\nline');
        r.saveState('s', '50%');
      },
      () => {
        core.setOutput('a', 'multi\nline');
        core.saveState('s', '50%');
      },
    );
    expect(mine).toBe(theirs);
    expect(mine).toBe('\n::set-output name=a::multi%0Aline\n::save-state name=s::50%25\n');
  });
});

describe('step summary', () => {
  test('appends text and a line end, as summary.addRaw(text, true).write()', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'summary-'));
    const mine = path.join(dir, 'mine.md');
    const theirs = path.join(dir, 'theirs.md');
    await writeFile(mine, 'before\n');
    await writeFile(theirs, 'before\n');
    await new Runner({ GITHUB_STEP_SUMMARY: mine }).appendSummary('# one\n| a |');
    await new Runner({ GITHUB_STEP_SUMMARY: mine }).appendSummary('two');
    await capture({ GITHUB_STEP_SUMMARY: theirs }, async () => {
      await core.summary.addRaw('# one\n| a |', true).write();
      await core.summary.addRaw('two', true).write();
    });
    expect(await readFile(mine, 'utf8')).toBe(await readFile(theirs, 'utf8'));
  });

  test('an unwritable or unset summary file fails with @actions/core messages', async () => {
    await expect(new Runner({ GITHUB_STEP_SUMMARY: '/nonexistent/s.md' }).appendSummary('x')).rejects.toThrow(
      "Unable to access summary file: '/nonexistent/s.md'. Check if the file has correct read/write permissions.",
    );
    await expect(new Runner({}).appendSummary('x')).rejects.toThrow(/GITHUB_STEP_SUMMARY/);
  });

  test('runnerIO skips the summary when the runner gives no file', async () => {
    await expect(runnerIO({}, undefined, new Runner({}, () => undefined)).writeSummary('x')).resolves.toBeUndefined();
  });
});

test('isDebug is RUNNER_DEBUG=1, the runner’s step debug switch', async () => {
  for (const env of [{ RUNNER_DEBUG: '1' }, { RUNNER_DEBUG: 'true' }, {}]) {
    await capture(env, () => expect(new Runner(env).isDebug()).toBe(core.isDebug()));
  }
});

test('runnerIO speaks through the runner it is given', async () => {
  let out = '';
  const io = runnerIO({ INPUT_NAME: ' v ' }, undefined, new Runner({ INPUT_NAME: ' v ' }, (t) => (out += t)));
  expect(io.inputs.raw('name')).toBe('v');
  io.setSecret('s3cret');
  await io.log.group('g', async () => io.log.warning('w'));
  expect(out).toBe('::add-mask::s3cret\n::group::g\n::warning::w\n::endgroup::\n');
});
