// actionlint (with shellcheck) and zizmor --persona=pedantic, the real tools, over our workflows and the
// example callers: they must report nothing. The same tools and configurations must still catch the
// problems they exist for, so the exceptions in .github/actionlint.yaml and .github/zizmor.yml cannot
// hide anything else.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from '@deploy-actions/testing';

const PATH = [
  path.join(REPO_ROOT, '.venv/bin'),
  path.join(REPO_ROOT, '.tools/bin'),
  process.env['PATH'] ?? '',
  '/usr/sbin',
].join(':');

function run(command: string, args: string[], cwd = REPO_ROOT): { code: number | null; output: string } {
  const result = spawnSync(command, args, { cwd, env: { ...process.env, PATH, NO_COLOR: '1' }, encoding: 'utf8' });
  if (result.error) throw result.error;
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

const actionlint = (files: string[], cwd: string) =>
  run(
    'actionlint',
    ['-config-file', path.join(REPO_ROOT, '.github/actionlint.yaml'), '-shellcheck=shellcheck', ...files],
    cwd,
  );
const zizmor = (files: string[], cwd: string) =>
  run(
    'zizmor',
    ['--offline', '--persona=pedantic', '--config', path.join(REPO_ROOT, '.github/zizmor.yml'), ...files],
    cwd,
  );

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'workflow-lint-'));
  mkdirSync(path.join(scratch, '.github/workflows'), { recursive: true });
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

test('our workflows and the examples pass actionlint, shellcheck and zizmor pedantic', () => {
  const { code, output } = run('bash', ['.ci/lint-workflows']);
  expect(output).toMatch(/\d+ workflow file\(s\) clean/);
  expect(output).not.toMatch(/\b(error|warning|help|info)\[/);
  expect(code).toBe(0);
});

const header = `name: probe\non:\n  pull_request:\npermissions: {}\njobs:\n  probe:\n    name: probe\n    runs-on: ubuntu-24.04\n    permissions:\n      contents: read # read the sources\n    concurrency:\n      group: probe\n      cancel-in-progress: true\n    steps:\n`;

test.each([
  [
    'a tag instead of a commit SHA',
    `      - uses: actions/checkout@v7\n        with:\n          persist-credentials: false\n`,
    'zizmor',
    /unpinned-uses/,
  ],
  [
    'an attacker-controlled value inlined into a script',
    `      - run: echo "\${{ github.event.pull_request.title }}"\n`,
    'zizmor',
    /template-injection/,
  ],
  [
    'a checkout that keeps the token on disk',
    `      - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1\n`,
    'zizmor',
    /artipacked/,
  ],
  [
    'a local action reference by ./ (zizmor wants $/)',
    `      - uses: ./actions/render-task-def\n`,
    'zizmor',
    /self-repository/,
  ],
  [
    'a shell bug next to a $/ reference',
    `      - uses: $/actions/render-task-def\n      - run: echo $UNQUOTED\n`,
    'actionlint',
    /SC2086/,
  ],
  [
    'an unknown context property',
    `      - uses: $/actions/render-task-def\n        with:\n          x: \${{ github.nope }}\n`,
    'actionlint',
    /nope/,
  ],
  ['a $/ reference outside our actions/ directory', `      - uses: $/somewhere/else\n`, 'actionlint', /ref is missing/],
])('the configured tools still catch %s', (_name, steps, tool, finding) => {
  const file = '.github/workflows/probe.yml';
  writeFileSync(path.join(scratch, file), header + steps);
  const { code, output } = tool === 'zizmor' ? zizmor([file], scratch) : actionlint([file], scratch);
  expect(output).toMatch(finding);
  expect(code).not.toBe(0);
});

test('the probe header itself is clean, so each finding above comes from its step', () => {
  const file = '.github/workflows/probe.yml';
  writeFileSync(path.join(scratch, file), header + `      - run: echo fine\n`);
  expect(zizmor([file], scratch).code).toBe(0);
  expect(actionlint([file], scratch).code).toBe(0);
});
