// A full deploy of both example repositories to both environments, as IAM sees it: each example caller's
// inputs go through its reusable workflow, render-task-def (the bundle) and the family step render the task
// definition exactly as a run would, and every AWS call of that deploy — registration, iam:PassRole of the
// very roles the rendered task definition names, the migration task, the service update and its follow-up,
// the log lines, the parameters verify-params reads, the image push — is evaluated against the deploy role
// of that environment (all allowed) and of the other environment (every environment-scoped one denied).
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { jest } from '@jest/globals';
import { REPO_ROOT, runBundle, startMoto, type Moto } from '@deploy-actions/testing';
import { exampleResolver, roleNamed, templateRoles, text, type Json } from '@deploy-actions/infra';
import type { Value } from '../support/expressions';
import { interpolate } from '../support/expressions';
import { actionSteps, inputsWithDefaults, loadWorkflow, runScriptStep, stepInputs } from '../support/workflows';
import {
  ARN,
  CALLS,
  CLUSTER_ARN,
  ECR_PUSH,
  ENVIRONMENTS,
  decide,
  decryptThroughSsm,
  documents,
  other,
  passRole,
  type AwsCall,
  type EnvironmentName,
} from '../support/iam';

jest.setTimeout(60_000);

const DIGEST = `sha256:${'ab'.repeat(32)}`;
const roles = templateRoles(exampleResolver(REPO_ROOT));
let moto: Moto;
let workspace: string;

beforeAll(async () => {
  moto = await startMoto();
  workspace = mkdtempSync(path.join(tmpdir(), 'iam-deploy-'));
  for (const repo of ['frontend', 'api'])
    cpSync(path.join(REPO_ROOT, 'examples', repo, '.aws'), path.join(workspace, repo, '.aws'), { recursive: true });
  cpSync(path.join(REPO_ROOT, 'examples/parameters.yml'), path.join(workspace, 'api/.aws/parameters.yml'));
}, 90_000);
afterAll(async () => {
  await moto?.stop();
  if (workspace) rmSync(workspace, { recursive: true, force: true });
});

interface TaskDefinition {
  family: string;
  executionRoleArn?: string;
  taskRoleArn?: string;
  tags?: unknown[];
  containerDefinitions: {
    name: string;
    secrets?: { valueFrom: string }[];
    logConfiguration?: { options?: Record<string, string> };
  }[];
}

/** The caller's `with:` for one environment, evaluated (the promoted image is a digest, as staging's output). */
function callerInputs(repo: 'frontend' | 'api', env: EnvironmentName) {
  const caller = loadWorkflow(`examples/${repo}/.github/workflows/deploy.yml`);
  const job = Object.values(caller.jobs).find((j) => j.with?.['environment'] === env);
  if (job?.uses === undefined) throw new Error(`examples/${repo}: no ${env} job`);
  const image = `123456789012.dkr.ecr.eu-west-2.amazonaws.com/learning-platform-${repo === 'api' ? 'api' : 'nginx'}@${DIGEST}`;
  const needs = { image: { outputs: { image } }, staging: { outputs: { image } } };
  const given = Object.fromEntries(
    Object.entries(job.with ?? {}).map(([k, v]) => [
      k,
      typeof v === 'string' ? interpolate(v, { contexts: { needs } }) : (v as Value),
    ]),
  );
  return {
    given,
    image,
    file: repo === 'frontend' ? '.github/workflows/deploy-frontend.yml' : '.github/workflows/deploy-api.yml',
  };
}

/** Renders the task definition as the reusable workflow's deploy job would, with its family step. */
async function renderLikeTheWorkflow(repo: 'frontend' | 'api', env: EnvironmentName) {
  const { given, image, file } = callerInputs(repo, env);
  const workflow = loadWorkflow(file);
  const inputs = inputsWithDefaults(workflow, given);
  const steps: Record<string, Value> = { 'build-image': { outputs: { image } } };
  const contexts = { contexts: { inputs, steps, vars: {}, runner: { temp: workspace } } };
  const render = actionSteps(workflow, 'deploy').find((s) => s.id === 'render');
  if (render === undefined) throw new Error(`${file}: no render step`);
  const run = await runBundle('render-task-def', {
    inputs: stepInputs(render, contexts),
    env: moto.env,
    workspace: path.join(workspace, repo),
  });
  expect([run.code, run.code === 0 ? '' : run.visible.slice(-1200)]).toEqual([0, '']);
  steps['render'] = { outputs: run.outputs };
  const family = await runScriptStep(workflow, 'deploy', 'family', contexts, { cwd: path.join(workspace, repo) });
  expect([family.code, family.stderr]).toEqual([0, '']);
  const td = JSON.parse(readFileSync(family.outputs['task-definition'] ?? '', 'utf8')) as TaskDefinition;
  return { td, inputs };
}

/** Every authorisation a full deploy of this task definition to this service makes. */
function deployCalls(repo: 'frontend' | 'api', td: TaskDefinition, inputs: Record<string, Value>): AwsCall[] {
  const service = text(inputs['service']);
  const cluster = { 'ecs:cluster': CLUSTER_ARN };
  const calls: AwsCall[] = [
    { action: 'ecs:RegisterTaskDefinition', resource: ARN.taskDefinition(td.family) },
    ...(td.tags?.length
      ? [
          {
            action: 'ecs:TagResource',
            resource: ARN.taskDefinition(td.family),
            context: { 'ecs:CreateAction': 'RegisterTaskDefinition' },
          },
        ]
      : []),
    ...[td.executionRoleArn, td.taskRoleArn].filter((r): r is string => r !== undefined && r !== '').map(passRole),
    ...['ecs:DescribeServices', 'ecs:UpdateService', 'ecs:ListServiceDeployments'].map((action) => ({
      action,
      resource: ARN.service(service),
      context: cluster,
    })),
    ...['ecs:DescribeServiceDeployments', 'ecs:StopServiceDeployment'].map((action) => ({
      action,
      resource: ARN.serviceDeployment(service),
      context: cluster,
    })),
    { action: 'ecs:DescribeServiceRevisions', resource: ARN.serviceRevision(service), context: cluster },
    { action: 'ecs:DescribeTasks', resource: ARN.task(), context: cluster },
    { action: 'ecs:ListTasks', resource: '*', context: cluster },
    { action: 'elasticloadbalancing:DescribeTargetHealth', resource: '*' },
    { action: 'cloudwatch:DescribeAlarms', resource: ARN.alarm(service) },
    ...td.containerDefinitions.map((c) => ({
      action: 'logs:GetLogEvents',
      resource: ARN.logStream(c.logConfiguration?.options?.['awslogs-group'] ?? ''),
    })),
  ];
  if (inputs['migration-command'] !== '' && inputs['migration-command'] !== undefined) {
    calls.push({ action: 'ecs:RunTask', resource: ARN.taskDefinition(td.family), context: cluster });
  }
  for (const secret of td.containerDefinitions.flatMap((c) => c.secrets ?? [])) {
    calls.push({ action: 'ssm:GetParameters', resource: secret.valueFrom }, decryptThroughSsm(secret.valueFrom));
  }
  if (repo === 'frontend' && inputs['image'] === '') {
    calls.push(
      { action: 'ecr:GetAuthorizationToken', resource: '*' },
      ...ECR_PUSH.map((action) => ({ action, resource: ARN.repository(text(inputs['ecr-repository'] as Json)) })),
    );
  }
  return calls;
}

const accountWide = (call: AwsCall) => CALLS[call.action]?.scope === 'account';

describe.each((['frontend', 'api'] as const).flatMap((repo) => ENVIRONMENTS.map((env) => [repo, env] as const)))(
  'examples/%s deploying to %s',
  (repo, env) => {
    test('every call is allowed for this environment’s deploy role and denied for the other’s', async () => {
      const { td, inputs } = await renderLikeTheWorkflow(repo, env);
      // The rendered task definition is this environment's: its family, roles and log groups.
      expect(td.family).toBe(`learning-platform-${repo === 'api' ? 'api' : 'nginx'}-${env}`);
      expect(td.executionRoleArn).toBe(`arn:aws:iam::123456789012:role/learning-platform-ecs-task-execution-${env}`);
      if (repo === 'api')
        expect(td.taskRoleArn).toBe(`arn:aws:iam::123456789012:role/learning-platform-api-task-${env}`);
      const calls = deployCalls(repo, td, inputs);
      expect(calls.filter((c) => c.action === 'iam:PassRole')).toHaveLength(repo === 'api' ? 2 : 1);
      const own = documents(roleNamed(roles, `learning-platform-deploy-${env}`));
      const theirs = documents(roleNamed(roles, `learning-platform-deploy-${other(env)}`));
      for (const call of calls) {
        expect([call.action, call.resource, await decide(own, call)]).toEqual([call.action, call.resource, 'Allowed']);
        if (accountWide(call)) continue;
        // The one read across environments, on purpose: production's promotion reads what staging runs.
        if (env === 'staging' && call.action === 'ecs:DescribeServices') continue;
        expect([call.action, call.resource, await decide(theirs, call)]).toEqual([
          call.action,
          call.resource,
          'ImplicitlyDenied',
        ]);
      }
    });
  },
);
