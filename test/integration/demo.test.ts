// `npm run demo` end to end: runs scripts/demo.ts as a child process (as the README's first command does) and
// checks the state it read back from ECS, that its steps are the reusable workflows' steps, and that no
// seeded secret reaches its output. Also the Markdown → terminal rendering the demo prints summaries with.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from '@deploy-actions/testing';
import { runJob, type JobRecord } from '../../scripts/demo/jobs';
import { loadManifest } from '@deploy-actions/manifest';
import { MANIFEST_FILE, parameterValues, seededSecrets } from '../../scripts/demo/platform';
import { columns, renderMarkdown, wrapCell } from '../../scripts/demo/terminal';
import { actionSteps, loadWorkflow, parseWorkflow } from '../support/workflows';

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

/** Runs scripts/demo.ts as `npm run demo` does (tsx), returning its exit code, output and final state. */
async function runDemo(
  dir: string,
  extraEnv: Record<string, string> = {},
): Promise<{ code: number | null; output: string; state: DemoState }> {
  const stateFile = path.join(dir, 'state.json');
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...extraEnv };
  delete env['NODE_OPTIONS']; // jest's --experimental-vm-modules is not the demo's business
  const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve, reject) => {
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
  });
  const state = JSON.parse(
    await readFile(stateFile, 'utf8').catch(() => '{"problems":["no state file"]}'),
  ) as DemoState;
  return { code, output, state };
}

describe('npm run demo', () => {
  let dir: string;
  let code: number | null;
  let output: string;
  let state: DemoState;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'demo-test-'));
    ({ code, output, state } = await runDemo(dir));
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

  // Each environment has its own families: seeding registers revision 1 of each, the staging deploys and
  // the promotion make 2, the crash deploy registers api-staging:3 and the rollback puts staging back on :2.
  it.each([
    ['learning-platform-nginx-staging', 'learning-platform-nginx-staging:2', 'succeeded'],
    ['learning-platform-api-staging', 'learning-platform-api-staging:2', 'rolled-back'],
    ['learning-platform-nginx-production', 'learning-platform-nginx-production:2', 'succeeded'],
    ['learning-platform-api-production', 'learning-platform-api-production:2', 'succeeded'],
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
    const manifest = await loadManifest(MANIFEST_FILE);
    const secrets = seededSecrets(manifest);
    // Every secret parameter of the manifest, in both environments.
    expect(secrets.length).toBe(manifest.parameters.filter((p) => p.secret).length * 2);
    expect(secrets.length).toBeGreaterThan(0);
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

describe('the job runner the demo runs workflow steps with', () => {
  const workflow = parseWorkflow(
    'synthetic.yml',
    `
on:
  workflow_call:
    inputs:
      greeting: { type: string, default: hello }
jobs:
  one:
    name: Say \${{ inputs.greeting }}
    outputs:
      said: \${{ steps.say.outputs.text }}
    steps:
      - id: say
        name: Say it
        env:
          GREETING: \${{ inputs.greeting }}
        run: echo "text=$GREETING world" >> "$GITHUB_OUTPUT"
      - name: Only when it said goodbye
        if: steps.say.outputs.text == 'goodbye world'
        run: exit 1
      - id: fail
        name: Fail on purpose
        run: |
          echo "::error title=Broken::this step fails"
          exit 3
      - name: Skipped after a failure
        run: echo never
      - name: Runs on failure
        if: failure()
        run: echo cleaning up
  two:
    steps:
      - name: Something the demo cannot run
        uses: some/action@0123456789012345678901234567890123456789
      - id: deploy
        name: Deploy with a bad override
        uses: $/actions/deploy-service
        with:
          service: web
          task-definition: td.json
`,
  );
  const secret = 'FAKE-secret-value-123';
  let dir: string;
  const lines: string[] = [];
  const run = (job: string, overrides = {}): Promise<JobRecord> =>
    runJob({
      workflow,
      job,
      inputs: { greeting: `hi ${secret}` },
      vars: {},
      workspace: dir,
      repository: 'o/r',
      sha: '0'.repeat(40),
      simulate: () => undefined,
      overrides,
      secrets: [secret],
      print: (line) => lines.push(line),
    });

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'demo-jobs-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('evaluates env/if/outputs, stops after a failure, runs if: failure(), and masks secrets', async () => {
    const job = await run('one');
    expect(job.title).toBe(`Say hi ${secret}`);
    expect(job.steps.map((s) => [s.name, s.outcome])).toEqual([
      ['Say it', 'success'],
      ['Only when it said goodbye', 'skipped'],
      ['Fail on purpose', 'failure'],
      ['Skipped after a failure', 'skipped'],
      ['Runs on failure', 'success'],
    ]);
    expect(job.result).toBe('failure');
    expect(job.outputs).toEqual({ said: 'hi *** world' });
    expect(job.steps[2]?.log).toContain('this step fails');
    expect(lines.join('\n')).not.toContain(secret);
    expect(lines).toContain(
      "    ○ Only when it said goodbye (skipped: if: steps.say.outputs.text == 'goodbye world' is false)",
    );
    expect(lines).toContain('    ○ Skipped after a failure (skipped: an earlier step failed)');
    expect(lines).toContain('      error: this step fails');
  });

  it('fails a step it has no stand-in for, and an override of an input the action does not declare', async () => {
    const job = await run('two', {
      deploy: { inputs: { 'no-such-input': 'x' }, why: 'test' },
    });
    expect(job.steps[0]?.outcome).toBe('failure');
    expect(job.steps[0]?.log).toContain("no stand-in for 'some/action@");
    // The first failure skips the rest, as on the runner.
    expect(job.steps[1]?.outcome).toBe('skipped');
    const alone = await runJob({
      workflow: { ...workflow, jobs: { two: { steps: workflow.jobs['two']?.steps?.slice(1) ?? [] } } },
      job: 'two',
      inputs: {},
      vars: {},
      workspace: dir,
      repository: 'o/r',
      sha: '0'.repeat(40),
      simulate: () => undefined,
      overrides: { deploy: { inputs: { 'no-such-input': 'x' }, why: 'test' } },
      secrets: [],
      print: () => undefined,
    });
    expect(alone.steps[0]?.outcome).toBe('failure');
    expect(alone.steps[0]?.log).toBe(
      'the demo overrides no-such-input, which actions/deploy-service/action.yml does not declare',
    );
  });
});

// The demo stands in for deploy.yml's "Find what to deploy" (it calls the AWS CLI, which a fresh machine may
// not have). Where the CLI is installed, the same demo runs the script itself and must end the same way.
const awsCli = spawnSync('aws', ['--version'], { encoding: 'utf8' }).status === 0;
if (!awsCli) console.warn('aws CLI not on PATH: skipping the demo run with DEMO_AWS_CLI=1');
(awsCli ? describe : describe.skip)(
  'npm run demo with DEMO_AWS_CLI=1 (the real script instead of its stand-in)',
  () => {
    let dir: string;
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('ends in the same state', async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'demo-cli-test-'));
      const { code, output, state } = await runDemo(dir, { DEMO_AWS_CLI: '1' });
      expect({ code, problems: state.problems }).toEqual({ code: 0, problems: [] });
      expect(output.match(/✓ Find what to deploy {2}run: bash/g)).toHaveLength(2);
      expect(state.services.map((s) => [s.service, s.taskDefinition.split('/').pop(), s.outcome]).sort()).toEqual([
        ['learning-platform-api-production', 'learning-platform-api-production:2', 'succeeded'],
        ['learning-platform-api-staging', 'learning-platform-api-staging:2', 'rolled-back'],
        ['learning-platform-nginx-production', 'learning-platform-nginx-production:2', 'succeeded'],
        ['learning-platform-nginx-staging', 'learning-platform-nginx-staging:2', 'succeeded'],
      ]);
    }, 110000);
  },
);
