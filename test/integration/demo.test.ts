// `npm run demo` end to end: runs scripts/demo.ts as a child process (as the README's first command does) and
// checks the state it read back from ECS, that its steps are the reusable workflows' steps, and that no
// seeded secret reaches its output. Also the Markdown → terminal rendering the demo prints summaries with.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from '@deploy-actions/testing';
import { parameterValues, seededSecrets } from '../../scripts/demo/platform';
import { columns, renderMarkdown, wrapCell } from '../../scripts/demo/terminal';
import { actionSteps, loadWorkflow } from '../support/workflows';

interface ServiceState {
  service: string;
  environment: string;
  kind: string;
  taskDefinition: string;
  revision: number;
  image: string;
  rolloutState: string;
  runningCount: number;
  desiredCount: number;
  outcome: string;
}

interface DemoState {
  ok: boolean;
  problems: string[];
  services: ServiceState[];
  crash: { outcome: string; diagnosis: string; rolledBackTo: string; before: string };
  stagingApiTaskDefinition: string;
}

describe('npm run demo', () => {
  let dir: string;
  let code: number | null;
  let output: string;
  let state: DemoState;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'demo-test-'));
    const stateFile = path.join(dir, 'state.json');
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
    delete env['NODE_OPTIONS']; // jest's --experimental-vm-modules is not the demo's business
    ({ code, output } = await new Promise<{ code: number | null; output: string }>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [path.join(REPO_ROOT, 'node_modules/tsx/dist/cli.mjs'), 'scripts/demo.ts', '--state-file', stateFile],
        { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      child.on('error', reject);
      child.on('close', (c) => resolve({ code: c, output: out }));
    }));
    state = JSON.parse(await readFile(stateFile, 'utf8')) as DemoState;
  }, 110000);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const service = (name: string): ServiceState => {
    const found = state.services.find((s) => s.service === name);
    if (found === undefined) throw new Error(`${name} is not in the demo's final state`);
    return found;
  };

  it('exits 0 with no problems', () => {
    expect({ code, problems: state.problems }).toEqual({ code: 0, problems: [] });
    expect(state.ok).toBe(true);
    expect(output).toContain('every step went as it should');
  });

  // Seeding registers revision 1 (staging) and 2 (production) of each family; staging deploys make 3,
  // the promotion makes 4, the crash deploy registers api:5 and the rollback puts staging back on api:3.
  it.each([
    ['learning-platform-nginx-staging', 'learning-platform-nginx:3', 'succeeded'],
    ['learning-platform-api-staging', 'learning-platform-api:3', 'rolled-back'],
    ['learning-platform-nginx-production', 'learning-platform-nginx:4', 'succeeded'],
    ['learning-platform-api-production', 'learning-platform-api:4', 'succeeded'],
  ])('%s runs %s, settled, last deploy %s', (name, revision, outcome) => {
    const s = service(name);
    expect(s.taskDefinition.endsWith(`task-definition/${revision}`)).toBe(true);
    expect(s.outcome).toBe(outcome);
    expect(s.rolloutState).toBe('COMPLETED');
    expect(s.runningCount).toBe(s.desiredCount);
    expect(s.image).toMatch(/^127\.0\.0\.1:\d+\/learning-platform-(nginx|api)@sha256:[0-9a-f]{64}$/);
  });

  it.each([['nginx'], ['api']])('production %s runs exactly the digest staging runs', (kind) => {
    const staging = service(`learning-platform-${kind}-staging`);
    const production = service(`learning-platform-${kind}-production`);
    expect(production.image).toBe(staging.image);
    expect(production.taskDefinition).not.toBe(staging.taskDefinition);
  });

  it('rolls the crashing deploy back to what ran before and shows why it failed', () => {
    expect(state.crash.outcome).toBe('rolled-back');
    expect(state.crash.rolledBackTo).toBe(state.crash.before);
    expect(state.crash.before).toBe(state.stagingApiTaskDefinition);
    expect(state.crash.diagnosis).toMatch(/exit code 1/);
    expect(state.crash.diagnosis).toContain('Essential container in task exited');
    expect(output).toMatch(/circuit breaker/);
    expect(output).toContain('✗ Deploy the service');
  });

  it.each([
    ['.github/workflows/deploy-frontend.yml'],
    ['.github/workflows/deploy-api.yml'],
    ['.github/workflows/deploy.yml'],
  ])('runs the steps of %s that use our actions, under their names in the workflow', (file) => {
    const steps = actionSteps(loadWorkflow(file)).filter((s) => s.name !== undefined);
    expect(steps.length).toBeGreaterThan(1);
    for (const step of steps) {
      // Every step ran (✓/✗) or was skipped by its own `if:` (○); the demo never renames or drops one.
      expect(output).toMatch(new RegExp(`[✓✗○] ${step.name!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    }
    expect(output).toContain(`${file} → jobs.`);
  });

  it('never prints a seeded secret value', async () => {
    const secrets = await seededSecrets();
    expect(secrets.length).toBe(12); // 6 secret parameters × 2 environments
    for (const secret of secrets) expect(output).not.toContain(secret);
    // Sanity: the output is real, and it does name the secret parameters.
    expect(output).toContain('POSTGRES_PASSWORD');
    expect(parameterValues('staging')['POSTGRES_PASSWORD']).toMatch(/FAKE/);
  });
});

describe('summaries rendered for the terminal', () => {
  it.each([
    [
      'heading and escaped text',
      '### deploy\\-service: done\n\nA &lt;b&gt; &amp; c\n',
      ['  deploy-service: done', '', '  A <b> & c'],
    ],
    [
      'key/value table without header',
      '| | |\n| --- | --- |\n| Service | <code>api</code> |\n| Outcome | rolled\\-back |\n',
      ['  Service  api', '  Outcome  rolled-back'],
    ],
    [
      'table with header, pipe entity and <br>',
      '| Name | Value |\n| --- | --- |\n| a&#124;b | x<br>y |\n',
      ['  Name  Value', '  ----  -----', '  a|b   x / y'],
    ],
    ['list items', '- one\n- two\n', ['  • one', '  • two']],
    ['digests shortened', `image@sha256:${'a'.repeat(64)}`, [`  image@sha256:${'a'.repeat(12)}…`]],
  ])('%s', (_, markdown, lines) => {
    expect(renderMarkdown(markdown)).toEqual(lines);
  });

  it.each([
    ['short', 10, ['short']],
    ['one two three four', 9, ['one two', 'three', 'four']],
    ['abcdefghijkl', 5, ['abcde', 'fghij', 'kl']],
  ])('wraps %p at %p', (text, max, lines) => {
    expect(wrapCell(text, max)).toEqual(lines);
  });

  it('keeps wrapped cells in their column', () => {
    expect(
      columns(
        [
          ['k', 'aaa bbb'],
          ['key', 'c'],
        ],
        false,
        '',
        3,
      ),
    ).toEqual(['k    aaa', '     bbb', 'key  c']);
  });
});
