// The workflows keep their contract with the actions and with each other (see checkWorkflowContract), pin
// every third-party action, take our actions from their own commit, and deploy production from the digest
// staging ran. The checker itself is proven on synthetic workflows that break each rule.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '@deploy-actions/testing';
import {
  actionSteps,
  checkWorkflowContract,
  inputsWithDefaults,
  loadWorkflow,
  localAction,
  localWorkflow,
  needsOf,
  parseWorkflow,
  stepInputs,
  workflowFiles,
  type ActionMetadata,
  type ContractSources,
  type Workflow,
} from '../support/workflows';
import { condition } from '../support/expressions';

const files = workflowFiles();
const reusable = ['deploy-frontend.yml', 'deploy-api.yml', 'deploy.yml'].map((f) => `.github/workflows/${f}`);

test('the suite ships its workflows and the example callers', () => {
  for (const f of [...reusable, '.github/workflows/release.yml', '.github/workflows/ci.yml'])
    expect(files).toContain(f);
  expect(files.filter((f) => f.startsWith('examples/')).length).toBeGreaterThanOrEqual(3);
});

describe.each(files)('%s', (file) => {
  const workflow = loadWorkflow(file);
  const text = readFileSync(path.join(REPO_ROOT, file), 'utf8');

  test('keeps the contract with our actions, its inputs, steps and needs', () => {
    expect(checkWorkflowContract(workflow)).toEqual([]);
  });

  test('pins every third-party action to a full commit SHA with its version', () => {
    const uses = [...text.matchAll(/^\s*(?:-\s+)?uses:\s*(\S+)(.*)$/gm)].map((m) => ({
      ref: m[1] ?? '',
      rest: m[2] ?? '',
    }));
    for (const { ref, rest } of uses) {
      if (ref.startsWith('$/') || localWorkflow(ref) !== undefined || localAction(ref) !== undefined) continue;
      expect(`${ref}${rest}`).toMatch(/^[\w.-]+\/[\w.-]+(\/[\w./-]+)?@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
    }
  });

  test('grants nothing by default and gives every job its own permissions', () => {
    expect(workflow.permissions).toEqual({});
    for (const [id, job] of Object.entries(workflow.jobs)) expect([id, job.permissions]).not.toEqual([id, undefined]);
  });

  test('passes untrusted values to scripts only through env', () => {
    for (const [id, job] of Object.entries(workflow.jobs)) {
      for (const step of job.steps ?? []) {
        if (step.run !== undefined) expect([id, step.run]).not.toEqual([id, expect.stringContaining('${{')]);
      }
    }
  });
});

test('each third-party action is pinned to one commit across all workflows', () => {
  const pins = new Map<string, Set<string>>();
  for (const file of files) {
    const text = readFileSync(path.join(REPO_ROOT, file), 'utf8');
    for (const m of text.matchAll(/uses:\s*([\w.-]+\/[\w.-]+)[\w./-]*@([0-9a-f]{40}) # (v[\d.]+)/g)) {
      const set = pins.get(m[1] ?? '') ?? new Set<string>();
      set.add(`${m[2]} ${m[3]}`);
      pins.set(m[1] ?? '', set);
    }
  }
  expect([...pins.keys()].sort()).toEqual([
    'actions/checkout',
    'actions/download-artifact',
    'actions/setup-go',
    'actions/setup-node',
    'actions/upload-artifact',
    'aws-actions/configure-aws-credentials',
  ]);
  for (const [action, versions] of pins) expect([action, versions.size]).toEqual([action, 1]);
});

describe.each(reusable)('%s takes our actions from its own commit', (file) => {
  const steps = actionSteps(loadWorkflow(file));
  test('through the self-repository syntax $/actions/<name>', () => {
    expect(steps.length).toBeGreaterThan(0);
    const workflow = loadWorkflow(file);
    for (const s of steps) expect(workflow.jobs[s.job]?.steps?.[s.index]?.uses).toBe(`$/actions/${s.action}`);
  });
});

test.each([
  ['.github/workflows/deploy-frontend.yml', 'deploy', 'deploy-frontend-${{ inputs.environment }}'],
  ['.github/workflows/deploy-api.yml', 'deploy', 'deploy-api-${{ inputs.environment }}'],
  ['.github/workflows/deploy.yml', 'deploy', 'deploy-${{ matrix.service }}-${{ inputs.environment }}'],
])('%s serialises deploys per service and environment and never cancels one', (file, job, group) => {
  const spec = loadWorkflow(file).jobs[job];
  expect(spec?.concurrency).toEqual({ group, 'cancel-in-progress': false });
  expect(spec?.environment).toMatchObject({ name: '${{ inputs.environment }}' });
});

test.each([
  ['examples/frontend/.github/workflows/deploy.yml', 'deploy-frontend.yml'],
  ['examples/api/.github/workflows/deploy.yml', 'deploy-api.yml'],
])('%s: staging on push, production deploys the image staging ran', (file, called) => {
  const workflow = loadWorkflow(file);
  expect(workflow.on).toEqual({ push: { branches: ['main'] } });
  const staging = workflow.jobs['staging'];
  const production = workflow.jobs['production'];
  expect(staging?.uses).toMatch(new RegExp(`/\\.github/workflows/${called.replace('.', '\\.')}@`));
  expect(production?.uses).toBe(staging?.uses);
  expect(staging?.with?.['environment']).toBe('staging');
  expect(production?.with?.['environment']).toBe('production');
  expect(needsOf(production ?? {})).toContain('staging');
  // Either the staging job's image output, or the very same expression staging deployed.
  const image = production?.with?.['image'];
  expect([`\${{ needs.staging.outputs.image }}`, staging?.with?.['image']]).toContain(image);
  expect(image).toMatch(/^\$\{\{ needs\.\w+\.outputs\.image \}\}$/);
});

describe('the demo can take its steps from the workflows', () => {
  test('deploy-api: render, verify, deploy, evaluated like the runner does', () => {
    const workflow = loadWorkflow('.github/workflows/deploy-api.yml');
    const steps = actionSteps(workflow, 'deploy');
    expect(steps.map((s) => s.action)).toEqual(['render-task-def', 'verify-params', 'deploy-service']);
    const inputs = inputsWithDefaults(workflow, {
      environment: 'staging',
      service: 'learning-platform-api-staging',
      image: 'registry.example/api@sha256:' + 'a'.repeat(64),
      'migration-command': '["bin/rails","db:migrate"]',
    });
    const context = {
      contexts: {
        inputs,
        steps: {
          render: { outputs: { 'task-definition': '/tmp/rendered.json' } },
          // The script that gives the rendered file the environment's family.
          family: { outputs: { 'task-definition': '/tmp/rendered.staging.json' } },
        },
        vars: {},
      },
    };
    const [render, verify, deploy] = steps.map((s) => stepInputs(s, context));
    expect(render).toMatchObject({
      'task-definition': '.aws/learning-platform-api-task-definition.json',
      image: 'registry.example/api@sha256:' + 'a'.repeat(64),
      environment: 'staging',
    });
    expect(verify).toMatchObject({ environment: 'staging', 'task-definitions': '/tmp/rendered.staging.json' });
    expect(deploy).toMatchObject({
      'task-definition': '/tmp/rendered.staging.json',
      cluster: 'learning-platform-cluster1',
    });
    expect(deploy?.['run-task']).toBe('true');
  });

  test('inputsWithDefaults refuses an input the workflow does not declare', () => {
    expect(() => inputsWithDefaults(loadWorkflow('.github/workflows/deploy-api.yml'), { nope: 'x' })).toThrow(/nope/);
  });
});

// --- the checker on purpose-built broken workflows ---------------------------------------------------------

const fakeAction: ActionMetadata = {
  name: 'deploy-service',
  inputs: { 'task-definition': { required: true }, service: { required: true }, cluster: { default: 'c' } },
  outputs: { outcome: {} },
};
const called = parseWorkflow(
  '.github/workflows/called.yml',
  `on:\n  workflow_call:\n    inputs:\n      environment: {type: string, required: true}\n      image: {type: string, default: ''}\n    outputs:\n      image: {value: '\${{ jobs.d.outputs.image }}'}\njobs:\n  d:\n    runs-on: x\n    outputs: {image: x}\n    steps: []\n`,
);
const sources: ContractSources = {
  action: (name) => (name === 'deploy-service' ? fakeAction : undefined),
  workflow: (file) => (file === called.file ? called : undefined),
};
const wrap = (jobs: string): Workflow =>
  parseWorkflow('w.yml', `on:\n  workflow_dispatch:\n    inputs:\n      environment: {type: string}\njobs:\n${jobs}`);
const goodStep = `      - id: d\n        uses: $/actions/deploy-service\n        with: {task-definition: t, service: s}\n`;

test.each([
  [
    'a valid workflow',
    `  a:\n    steps:\n${goodStep}      - run: echo "\${OUTCOME}"\n        env: {OUTCOME: '\${{ steps.d.outputs.outcome }}'}\n`,
    [],
  ],
  [
    'an unknown input',
    `  a:\n    steps:\n      - uses: $/actions/deploy-service\n        with: {task-definition: t, service: s, servcie: x}\n`,
    ['with.servcie is not an input of actions/deploy-service'],
  ],
  [
    'a missing required input',
    `  a:\n    steps:\n      - uses: $/actions/deploy-service\n        with: {task-definition: t}\n`,
    ["required input 'service' of actions/deploy-service is not given"],
  ],
  [
    'an action without action.yml',
    `  a:\n    steps:\n      - uses: $/actions/nope\n`,
    ['uses actions/nope, which has no action.yml'],
  ],
  [
    'an output the action lacks',
    `  a:\n    steps:\n${goodStep}      - run: echo "\${X}"\n        env: {X: '\${{ steps.d.outputs.outcom }}'}\n`,
    ['steps.d.outputs.outcom is not an output of actions/deploy-service'],
  ],
  [
    'a later step',
    `  a:\n    steps:\n      - run: echo "\${X}"\n        env: {X: '\${{ steps.d.outputs.outcome }}'}\n${goodStep}`,
    ['steps.d is not an earlier step of this job'],
  ],
  [
    'a run step output never written',
    `  a:\n    steps:\n      - id: r\n        run: echo hi\n      - run: echo "\${X}"\n        env: {X: '\${{ steps.r.outputs.thing }}'}\n`,
    ["never writes 'thing='"],
  ],
  [
    'an unknown workflow input',
    `  a:\n    if: inputs.enviroment == 'x'\n    steps: []\n`,
    ['inputs.enviroment is not an input of this workflow'],
  ],
  [
    'needs without the job in needs',
    `  a:\n    outputs: {x: y}\n    steps: []\n  b:\n    if: needs.a.outputs.x\n    steps: []\n`,
    ['needs.a is not in jobs.b.needs'],
  ],
  [
    'a needs output not declared',
    `  a:\n    outputs: {x: y}\n    steps: []\n  b:\n    needs: a\n    if: needs.a.outputs.z\n    steps: []\n`,
    ["needs.a.outputs.z is not an output of job 'a'"],
  ],
  [
    'a called workflow input that does not exist',
    `  a:\n    uses: ./.github/workflows/called.yml\n    with: {environment: e, imgae: x}\n`,
    ['with.imgae is not an input of .github/workflows/called.yml'],
  ],
  [
    'a called workflow without its required input',
    `  a:\n    uses: eLearning-Plus/deploy-actions/.github/workflows/called.yml@v1\n    with: {image: x}\n`,
    ["required input 'environment' of .github/workflows/called.yml is not given"],
  ],
  [
    'a called workflow output that does not exist',
    `  a:\n    uses: ./.github/workflows/called.yml\n    with: {environment: e}\n  b:\n    needs: [a]\n    if: needs.a.outputs.digest\n    steps: []\n`,
    ["needs.a.outputs.digest is not an output of job 'a'"],
  ],
  [
    'a called workflow that does not exist',
    `  a:\n    uses: ./.github/workflows/missing.yml\n`,
    ['calls .github/workflows/missing.yml, which does not exist'],
  ],
  [
    'needs of a job that does not exist',
    `  a:\n    needs: ghost\n    steps: []\n`,
    ["needs 'ghost', which is not a job of this workflow"],
  ],
])('the checker on %s', (_name, jobs, expected) => {
  const problems = checkWorkflowContract(wrap(jobs), sources);
  expect(problems).toHaveLength(expected.length);
  expected.forEach((message, i) => expect(problems[i]).toContain(message));
});

test('the checker reads jobs.<id>.outputs in workflow_call outputs', () => {
  const broken = parseWorkflow(
    'w.yml',
    `on:\n  workflow_call:\n    outputs:\n      x: {value: '\${{ jobs.a.outputs.y }}'}\njobs:\n  a:\n    outputs: {z: q}\n    steps: []\n`,
  );
  expect(checkWorkflowContract(broken, sources)).toEqual([
    expect.stringContaining("jobs.a.outputs.y is not an output of job 'a'"),
  ]);
  expect(checkWorkflowContract(called, sources)).toEqual([]);
});

test.each([
  ['$/actions/render-task-def', 'render-task-def'],
  ['./actions/deploy-service', 'deploy-service'],
  ['eLearning-Plus/deploy-actions/actions/verify-params@v1', 'verify-params'],
  ['elearning-plus/Deploy-Actions/actions/verify-params@0123456789012345678901234567890123456789', 'verify-params'],
  ['aws-actions/amazon-ecs-deploy-task-definition@v2', undefined],
  ['someone/deploy-actions/actions/verify-params@v1', undefined],
])('localAction(%s)', (uses, expected) => {
  expect(localAction(uses)).toBe(expected);
});

describe('deploy.yml: a rollback deploys the named revision itself, never a rendered copy', () => {
  const workflow = loadWorkflow('.github/workflows/deploy.yml');
  const steps = actionSteps(workflow, 'deploy');
  const render = steps.find((s) => s.id === 'render');
  const deployStep = steps.find((s) => s.action === 'deploy-service');
  const context = (source: string, rendered: Record<string, string>) => ({
    contexts: {
      inputs: inputsWithDefaults(workflow, { service: 'api', environment: 'production', source }),
      steps: {
        names: {
          outputs: {
            cluster: 'learning-platform-cluster1',
            service: 'learning-platform-api-production',
            container: 'api',
          },
        },
        source: { outputs: { image: '', 'task-definition-arn': 'learning-platform-api:41' } },
        render: { outputs: rendered },
      },
      vars: {},
    },
  });

  test('the only render-task-def step is skipped for a rollback', () => {
    expect(steps.filter((s) => s.action === 'render-task-def')).toEqual([render]);
    expect(condition(render?.if, context('rollback', {}))).toBe(false);
    expect(condition(render?.if, context('image', {}))).toBe(true);
  });

  test('rollback: deploy-service gets task-definition-arn (deployed as it is) and no task-definition', () => {
    const inputs = deployStep ? stepInputs(deployStep, context('rollback', {})) : {};
    expect(inputs['task-definition-arn']).toBe('learning-platform-api:41');
    expect(inputs['task-definition']).toBe('');
  });

  test.each(['image', 'promote-staging'])(
    '%s: deploy-service registers the rendered file, no task-definition-arn',
    (source) => {
      const inputs = deployStep
        ? stepInputs(deployStep, context(source, { 'task-definition': '/tmp/rendered.json' }))
        : {};
      expect(inputs['task-definition']).toBe('/tmp/rendered.json');
      expect(inputs['task-definition-arn']).toBe('');
    },
  );
});
