// infra.yml's scripts, run as the runner runs them, with the real AWS CLI against a real moto server: the
// request check, the upload and change set (create, then update), the summary, the execution. moto reports
// no Replacement and no FAILED stack events and never says "no changes", so those three paths run against
// a stand-in `aws` that answers with recorded-shape JSON (the only fake here), to test what the scripts make
// of AWS's answers.
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { jest } from '@jest/globals';
import { CloudFormationClient, CreateStackCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { exampleParameters } from '@deploy-actions/infra';
import { REPO_ROOT, startMoto, type Moto } from '@deploy-actions/testing';
import { loadWorkflow, runScriptStep } from '../support/workflows';
import type { Value } from '../support/expressions';
import { CERTIFICATE_DOMAINS, clientConfig, templateJson } from '../support/platform-stack';
import { ACMClient, RequestCertificateCommand } from '@aws-sdk/client-acm';

// Every aws CLI call is a Python process (about a second on a shared machine).
jest.setTimeout(120_000);

const workflow = loadWorkflow('.github/workflows/infra.yml');
const STACK = 'learning-platform';
let moto: Moto;
let repo: string;
let bucket: string;

const vars = (overrides: Record<string, string> = {}) => ({
  AWS_INFRA_PLAN_ROLE_ARN: 'arn:aws:iam::123456789012:role/learning-platform-infra-plan',
  AWS_INFRA_APPLY_ROLE_ARN: 'arn:aws:iam::123456789012:role/learning-platform-infra-apply',
  CLOUDFORMATION_ROLE_ARN: 'arn:aws:iam::123456789012:role/learning-platform-cloudformation',
  TEMPLATE_BUCKET: bucket,
  ...overrides,
});
const inputs = (overrides: Record<string, string> = {}) => ({
  'stack-name': STACK,
  // moto's YAML reader misreads `!GetAtt X.A.B`: it gets the template as the JSON CloudFormation parses.
  template: 'infra/platform.json',
  parameters: 'infra/parameters.json',
  'aws-region': 'eu-west-2',
  ...overrides,
});
const cliEnv = (extraPath?: string) => ({
  ...moto.env,
  AWS_DEFAULT_REGION: 'eu-west-2',
  AWS_PAGER: '',
  PATH: [extraPath, path.join(REPO_ROOT, '.venv/bin'), process.env['PATH'] ?? ''].filter(Boolean).join(':'),
});
function step(job: string, id: string, contexts: Record<string, Value>, extraPath?: string) {
  return runScriptStep(
    workflow,
    job,
    id,
    { contexts: { github: { run_id: '77', run_attempt: '1', sha: 'c0ffee' }, ...contexts } },
    { cwd: repo, processEnv: cliEnv(extraPath) },
  );
}

beforeAll(async () => {
  moto = await startMoto();
  const config = clientConfig(moto);
  const cfn = new CloudFormationClient(config);
  // The bootstrap stack makes the template bucket (as an administrator would, once).
  await cfn.send(
    new CreateStackCommand({
      StackName: 'learning-platform-bootstrap',
      TemplateBody: templateJson('bootstrap'),
      Parameters: [{ ParameterKey: 'CreateGitHubOidcProvider', ParameterValue: 'false' }],
      Capabilities: ['CAPABILITY_NAMED_IAM'],
    }),
  );
  const outputs = (await cfn.send(new DescribeStacksCommand({ StackName: 'learning-platform-bootstrap' }))).Stacks?.[0]
    ?.Outputs;
  bucket = outputs?.find((o) => o.OutputKey === 'TemplateBucketName')?.OutputValue ?? '';
  expect(bucket).toBe('learning-platform-templates-123456789012-eu-west-2');
  const acm = new ACMClient(config);
  const certificates: string[] = [];
  for (const d of CERTIFICATE_DOMAINS) {
    certificates.push((await acm.send(new RequestCertificateCommand({ DomainName: d }))).CertificateArn ?? '');
  }
  repo = mkdtempSync(path.join(tmpdir(), 'infra-repo-'));
  mkdirSync(path.join(repo, 'infra'));
  writeFileSync(path.join(repo, 'infra/platform.json'), templateJson('platform'));
  const parameters = { ...exampleParameters(REPO_ROOT, 'platform'), CertificateArns: certificates.join(',') };
  writeFileSync(
    path.join(repo, 'infra/parameters.json'),
    JSON.stringify(
      Object.entries(parameters).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue })),
    ),
  );
}, 180_000);
afterAll(async () => {
  await moto?.stop();
  if (repo) rmSync(repo, { recursive: true, force: true });
});

describe('Check the request', () => {
  test('accepts the stack, its files and the environment’s variables', async () => {
    const run = await step('plan', 'check', { inputs: inputs(), vars: vars() });
    expect([run.code, run.stdout]).toEqual([0, '']);
  });
  test.each([
    [{ 'stack-name': '1-bad name' }, {}, 'stack-name must start with a letter'],
    [{ template: 'infra/nope.yml' }, {}, 'template: no file at that path'],
    [{ parameters: 'infra/missing.json' }, {}, 'copy infra/example-parameters.json'],
    [{ parameters: 'infra/platform.json' }, {}, 'expected a JSON list of'],
    [{}, { TEMPLATE_BUCKET: '' }, 'set the TEMPLATE_BUCKET variable on the infra-plan environment'],
  ])('refuses %j %j', async (given, overrides, message) => {
    const run = await step('plan', 'check', { inputs: inputs(given), vars: vars(overrides) });
    expect(run.code).not.toBe(0);
    expect(run.stdout).toContain(`::error title=Cannot plan::`);
    expect(run.stdout).toContain(message);
  });
});

describe('plan and apply against moto', () => {
  const plan = () => step('plan', 'change-set', { inputs: inputs(), vars: vars() });
  const show = (arn: string) =>
    step('plan', 'Show the change set', {
      inputs: inputs(),
      steps: { 'change-set': { outputs: { 'change-set': arn, 'has-changes': 'true' } } },
    });
  const apply = (arn: string) =>
    step('apply', 'execute', {
      inputs: inputs(),
      needs: { plan: { outputs: { 'change-set': arn, 'has-changes': 'true' } } },
    });

  test('a new stack: the template goes through S3, the change set lists what is added, apply creates it', async () => {
    const run = await plan();
    expect([run.code, run.stderr]).toEqual([0, '']);
    expect(run.outputs['has-changes']).toBe('true');
    expect(run.outputs['change-set']).toMatch(/^arn:aws:cloudformation:eu-west-2:123456789012:changeSet\/infra-77-1\//);
    const summary = (await show(run.outputs['change-set'] ?? '')).summary;
    expect(summary).toContain('## Change set for stack `learning-platform`');
    expect(summary).toMatch(/\*\*\d{2,} to add, 0 to modify, 0 to replace, 0 to remove\.\*\*/);
    expect(summary).toContain('| ➕ add | `StagingDatabase` | AWS::RDS::DBInstance |');
    expect(summary).not.toContain('[!CAUTION]');
    const applied = await apply(run.outputs['change-set'] ?? '');
    expect([applied.code, applied.outputs['outcome']]).toEqual([0, 'applied']);
    expect(applied.summary).toContain('Applied to `learning-platform`: CREATE_COMPLETE');
  });

  test('an update: the changed resources are listed as modified', async () => {
    // moto compares templates, not resolved parameters: the change is made in the template.
    const file = path.join(repo, 'infra/platform.json');
    const original = readFileSync(file, 'utf8');
    const changed = JSON.parse(original) as { Resources: Record<string, { Properties: Record<string, unknown> }> };
    const group = changed.Resources['StagingTargetGroup'];
    if (group !== undefined) group.Properties['HealthCheckIntervalSeconds'] = 30;
    writeFileSync(file, JSON.stringify(changed));
    try {
      const run = await plan();
      expect([run.code, run.stderr]).toEqual([0, '']);
      const summary = (await show(run.outputs['change-set'] ?? '')).summary;
      expect(summary).toMatch(/0 to add, [1-9]\d* to modify/);
      expect(summary).toContain('| ✏️ modify | `StagingTargetGroup` | AWS::ElasticLoadBalancingV2::TargetGroup |');
    } finally {
      writeFileSync(file, original);
    }
  });
});

/** A stand-in `aws` answering from canned JSON files, recording every call. */
function standIn(answers: Record<string, unknown>, fail: string[] = []): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'aws-stand-in-'));
  for (const [call, answer] of Object.entries(answers))
    writeFileSync(path.join(dir, `${call}.json`), JSON.stringify(answer));
  const script = [
    '#!/usr/bin/env bash',
    `echo "$*" >> ${JSON.stringify(path.join(dir, 'calls.log'))}`,
    'call="$2"; [ "$2" = wait ] && call="wait-$3"',
    ...fail.map((c) => `[ "$call" = ${JSON.stringify(c)} ] && exit 255`),
    `f=${JSON.stringify(dir)}/"$call".json`,
    '[ -f "$f" ] || exit 0',
    'for a in "$@"; do [ "$a" = text ] && { tr -d \'"\' < "$f"; exit 0; }; done',
    'cat "$f"',
  ].join('\n');
  writeFileSync(path.join(dir, 'aws'), script);
  chmodSync(path.join(dir, 'aws'), 0o755);
  return dir;
}

describe('what the scripts make of answers moto cannot give', () => {
  test('replacing a database or removing a bucket is called out; so is resetting an ECS service', async () => {
    const dir = standIn({
      'describe-change-set': {
        Changes: [
          {
            ResourceChange: {
              Action: 'Modify',
              LogicalResourceId: 'ProductionDatabase',
              ResourceType: 'AWS::RDS::DBInstance',
              Replacement: 'True',
              Scope: ['Properties'],
            },
          },
          {
            ResourceChange: {
              Action: 'Remove',
              LogicalResourceId: 'StagingUploadsBucket',
              ResourceType: 'AWS::S3::Bucket',
            },
          },
          {
            ResourceChange: {
              Action: 'Modify',
              LogicalResourceId: 'StagingApiService',
              ResourceType: 'AWS::ECS::Service',
              Replacement: 'False',
              Scope: ['Properties'],
            },
          },
          {
            ResourceChange: {
              Action: 'Modify',
              LogicalResourceId: 'StagingTargetGroup',
              ResourceType: 'AWS::ElasticLoadBalancingV2::TargetGroup',
              Replacement: 'Conditional',
            },
          },
        ],
      },
    });
    const run = await step(
      'plan',
      'Show the change set',
      {
        inputs: inputs(),
        steps: {
          'change-set': {
            outputs: { 'change-set': 'arn:aws:cloudformation:eu-west-2:123456789012:changeSet/infra-1/abc' },
          },
        },
      },
      dir,
    );
    expect([run.code, run.stderr]).toEqual([0, '']);
    expect(run.summary).toContain('**0 to add, 1 to modify, 2 to replace, 1 to remove.**');
    expect(run.summary).toMatch(
      /\[!CAUTION\]\n> Replaces or removes stateful resources .*`ProductionDatabase` \(AWS::RDS::DBInstance\), `StagingUploadsBucket` \(AWS::S3::Bucket\)/,
    );
    expect(run.summary).toContain('| **♻️ replace** ⚠️ | `ProductionDatabase` |');
    expect(run.summary).toContain('| ♻️ may replace | `StagingTargetGroup` |');
    expect(run.summary).toMatch(/\[!WARNING\]\n> Changes an ECS service or first task definition: `StagingApiService`/);
    rmSync(dir, { recursive: true, force: true });
  });

  test('no changes: the change set is deleted and apply is skipped', async () => {
    const dir = standIn(
      {
        'create-change-set': 'arn:aws:cloudformation:eu-west-2:123456789012:changeSet/infra-77-1/abc',
        'describe-change-set':
          "The submitted information didn't contain changes. Submit different information to create a change set.",
      },
      ['wait-change-set-create-complete', 'describe-stacks'],
    );
    const run = await step('plan', 'change-set', { inputs: inputs(), vars: vars() }, dir);
    expect([run.code, run.outputs['has-changes'], run.outputs['change-set']]).toEqual([0, 'false', undefined]);
    expect(run.summary).toContain('No changes');
    expect(readFileSync(path.join(dir, 'calls.log'), 'utf8')).toContain('cloudformation delete-change-set');
    expect(workflow.jobs['apply']?.if).toBe("needs.plan.outputs.has-changes == 'true'");
    rmSync(dir, { recursive: true, force: true });
  });

  test('a failed apply names the first failed resource and why, with the rest in the summary', async () => {
    const event = (t: string, id: string, status: string, reason?: string) => ({
      Timestamp: t,
      LogicalResourceId: id,
      ResourceType: id === STACK ? 'AWS::CloudFormation::Stack' : 'AWS::ECS::Service',
      ResourceStatus: status,
      ...(reason !== undefined ? { ResourceStatusReason: reason } : {}),
    });
    // Newest first, as DescribeStackEvents returns them; the first event is from an earlier run.
    const dir = standIn({
      'describe-stacks': 'UPDATE_ROLLBACK_COMPLETE',
      'describe-stack-events': {
        StackEvents: [
          event('2026-12-08T10:05:00.000000+00:00', STACK, 'UPDATE_ROLLBACK_COMPLETE'),
          event(
            '2026-12-08T10:04:00.000000+00:00',
            'StagingNginxService',
            'UPDATE_FAILED',
            'Resource update cancelled',
          ),
          event(
            '2026-12-08T10:03:00.000000+00:00',
            'StagingApiService',
            'UPDATE_FAILED',
            'Invalid request provided: the | pipe and ECS said no',
          ),
          event('2026-12-08T10:02:00.000000+00:00', 'StagingApiService', 'UPDATE_IN_PROGRESS'),
          event('2026-12-07T09:00:00.000000+00:00', 'OldThing', 'CREATE_FAILED', 'an earlier run'),
        ],
      },
    });
    const run = await step(
      'apply',
      'Explain the failure',
      { inputs: inputs(), steps: { execute: { outputs: { started: '2026-12-08T10:00:00', outcome: 'failed' } } } },
      dir,
    );
    expect(run.code).not.toBe(0);
    const errors = run.stdout.split('\n').filter((l) => l.startsWith('::error'));
    expect(errors).toEqual([
      '::error title=Stack change failed::StagingApiService (AWS::ECS::Service) UPDATE_FAILED: Invalid request provided: the | pipe and ECS said no',
    ]);
    expect(run.stdout).not.toContain('an earlier run');
    expect(run.summary).toContain('## Stack `learning-platform` failed: UPDATE_ROLLBACK_COMPLETE');
    expect(run.summary).toContain('the \\| pipe');
    expect(run.summary).toContain('`StagingNginxService`');
    rmSync(dir, { recursive: true, force: true });
  });
});

test('the plan and apply jobs run in their environments (apply: the one with reviewers)', () => {
  expect(workflow.jobs['plan']?.environment).toEqual({ name: 'infra-plan' });
  expect(workflow.jobs['apply']?.environment).toEqual({ name: 'infra' });
  expect(workflow.jobs['apply']?.needs).toBe('plan');
});
