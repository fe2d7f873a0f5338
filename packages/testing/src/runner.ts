import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from './repo';

export interface RunOptions {
  /** Inputs by their action.yml names (hyphens kept, as the runner does). */
  readonly inputs?: Record<string, string>;
  readonly env?: Record<string, string>;
  /** GITHUB_WORKSPACE; a fresh temporary directory when omitted. */
  readonly workspace?: string;
  /** Node binary; ACTIONS_NODE (e.g. Node 24, what `runs.using: node24` means), else this Node. */
  readonly node?: string;
  /** Extra arguments for node before the script (e.g. a --require probe in the bundle bench). */
  readonly nodeArgs?: readonly string[];
  readonly timeoutMs?: number;
}

export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout without the ::add-mask:: lines the runner consumes (what a user would see). */
  readonly visible: string;
  readonly outputs: Record<string, string>;
  readonly summary: string;
  readonly runnerTemp: string;
  readonly workspace: string;
  /** Raw GITHUB_OUTPUT file text. */
  readonly outputFile: string;
  /** Values registered with ::add-mask::. */
  readonly masked: string[];
  /** From spawn to the first byte on stdout (undefined: it printed nothing), and to exit; for the bundle bench. */
  readonly firstOutputMs: number | undefined;
  readonly wallMs: number;
}

/** The runner's input variable name: INPUT_ + upper-cased name, spaces to '_', hyphens kept. */
export function inputVariable(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

/** Parses GITHUB_OUTPUT's `name<<DELIM\nvalue\nDELIM` and `name=value` records. */
export function parseOutputFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name = '', delimiter] = heredoc;
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i] ?? '');
      out[name] = value.join('\n');
    } else if (line.includes('=')) {
      out[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return out;
}

/**
 * Runs an action's committed bundle exactly as the runner does: `node dist/index.js` with INPUT_* variables
 * (set through the environment object, so hyphens survive), GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, RUNNER_TEMP and
 * GITHUB_WORKSPACE. The parent's AWS_* variables are not inherited: tests pass the endpoint they want.
 */
export function runBundle(action: string, options: RunOptions = {}): Promise<RunResult> {
  return runActionScript(path.join(REPO_ROOT, 'actions', action, 'dist', 'index.js'), options, action);
}

/** The same for any action's entry script (the bundle bench runs other projects' bundles this way). */
export async function runActionScript(main: string, options: RunOptions = {}, label = 'script'): Promise<RunResult> {
  const base = await mkdtemp(path.join(tmpdir(), `run-${label}-`));
  const runnerTemp = await mkdtemp(path.join(base, 'temp-'));
  const workspace = options.workspace ?? (await mkdtemp(path.join(base, 'ws-')));
  const outputPath = path.join(base, 'output.txt');
  const summaryPath = path.join(base, 'summary.md');
  await writeFile(outputPath, '');
  await writeFile(summaryPath, '');
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: process.env['HOME'] ?? base,
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    RUNNER_TEMP: runnerTemp,
    RUNNER_OS: 'Linux',
    GITHUB_WORKSPACE: workspace,
    GITHUB_OUTPUT: outputPath,
    GITHUB_STEP_SUMMARY: summaryPath,
    GITHUB_REPOSITORY: 'eLearning-Plus/learning-platform-frontend',
    GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_RUN_ID: '1',
    GITHUB_SERVER_URL: 'https://github.com',
    AWS_EC2_METADATA_DISABLED: 'true',
    ...options.env,
  };
  for (const [name, value] of Object.entries(options.inputs ?? {})) env[inputVariable(name)] = value;
  const node = options.node ?? process.env['ACTIONS_NODE'] ?? process.execPath;
  const { code, stdout, stderr, firstOutputMs, wallMs } = await new Promise<{
    code: number | null;
    stdout: string;
    stderr: string;
    firstOutputMs: number | undefined;
    wallMs: number;
  }>((resolve, reject) => {
    const started = performance.now();
    let firstOutputMs: number | undefined;
    const child = spawn(node, [...(options.nodeArgs ?? []), main], {
      env,
      cwd: workspace,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      firstOutputMs ??= performance.now() - started;
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 110000);
    child.on('error', reject);
    child.on('close', (c) => {
      clearTimeout(timer);
      resolve({ code: c, stdout: out, stderr: err, firstOutputMs, wallMs: performance.now() - started });
    });
  });
  const outputFile = await readFile(outputPath, 'utf8');
  const masked = stdout
    .split('\n')
    .filter((l) => l.startsWith('::add-mask::'))
    .map((l) => l.slice('::add-mask::'.length));
  return {
    code,
    stdout,
    stderr,
    visible: stdout
      .split('\n')
      .filter((l) => !l.startsWith('::add-mask::'))
      .join('\n'),
    outputs: parseOutputFile(outputFile),
    outputFile,
    summary: await readFile(summaryPath, 'utf8'),
    runnerTemp,
    workspace,
    masked,
    firstOutputMs,
    wallMs,
  };
}

/**
 * Asserts-free helper for leak tests: every place a value could surface from one run, as one text.
 * Extra files (e.g. a report) can be added by the caller.
 */
export function everythingVisible(result: RunResult, extra: string[] = []): string {
  return [result.visible, result.stderr, result.outputFile, result.summary, ...extra].join('\n');
}
