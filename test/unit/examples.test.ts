// The example task definitions match the platform (its services and 17 parameters) and pass render-task-def's
// own cleaning and validation; the API's secrets are exactly the manifest's 17 parameters as SSM ARNs; the
// frontend's per-environment nginx settings pass the nginx configuration's validation and are covered by the
// load balancer's certificates of that environment.
import * as path from 'node:path';
import type { ContainerDefinition } from '@aws-sdk/client-ecs';
import { PLATFORM_PARAMETERS, REPO_ROOT } from '@deploy-actions/testing';
import { cleanTaskDefinition, loadTaskDefinitionFile, validateTaskDefinition } from '@deploy-actions/taskdef';
import { certificateCovers, loadManifest, parameterArn, parameterName, parametersFor } from '@deploy-actions/manifest';
import { DEFAULTS, ENV, resolveOptions } from '@deploy-actions/nginx-config';
import { loadWorkflow } from '../support/workflows';

const FRONTEND = 'examples/frontend/.aws/learning-platform-nginx-task-definition.json';
const API = 'examples/api/.aws/learning-platform-api-task-definition.json';
const MANIFEST = path.join(REPO_ROOT, 'examples/parameters.yml');

async function load(file: string) {
  const cleaned = cleanTaskDefinition(await loadTaskDefinitionFile(path.join(REPO_ROOT, file)), file);
  return cleaned;
}

function container(containers: ContainerDefinition[] | undefined, name: string): ContainerDefinition {
  const found = containers?.find((c) => c.name === name);
  if (found === undefined) throw new Error(`no container ${name}`);
  return found;
}

describe.each([FRONTEND, API])('%s', (file) => {
  test('is clean (no read-only or unknown keys) and valid for render-task-def', async () => {
    const cleaned = await load(file);
    expect({ removed: cleaned.removed, unknown: cleaned.unknown }).toEqual({ removed: [], unknown: [] });
    expect(() => validateTaskDefinition(cleaned.taskDefinition, file)).not.toThrow();
    expect(cleaned.taskDefinition).toMatchObject({ requiresCompatibilities: ['FARGATE'], networkMode: 'awsvpc' });
  });
});

test('frontend: one nginx container, HTTP on the port nginx listens on, for the target group', async () => {
  const { taskDefinition } = await load(FRONTEND);
  expect(taskDefinition.family).toBe('learning-platform-nginx-production');
  const nginx = container(taskDefinition.containerDefinitions, 'nginx');
  expect(nginx.essential).toBe(true);
  expect(nginx.portMappings).toEqual([
    expect.objectContaining({
      containerPort: Number(DEFAULTS.listen),
      hostPort: Number(DEFAULTS.listen),
      protocol: 'tcp',
    }),
  ]);
  expect(nginx.healthCheck?.command?.join(' ')).toContain(DEFAULTS.healthPath);
  expect(nginx.logConfiguration?.logDriver).toBe('awslogs');
});

test('api: busybox serving HTTP, with the 17 platform parameters as secrets from Parameter Store', async () => {
  const { taskDefinition } = await load(API);
  const manifest = await loadManifest(MANIFEST);
  const api = container(taskDefinition.containerDefinitions, manifest.container ?? 'api');
  expect(api.image).toBe('busybox:latest');
  expect(api.portMappings?.[0]).toMatchObject({ containerPort: 3000, hostPort: 3000 });
  expect(taskDefinition.executionRoleArn).toMatch(/^arn:aws:iam::\d{12}:role\//);
  const names = (api.secrets ?? []).map((s) => s.name);
  expect([...names].sort()).toEqual([...PLATFORM_PARAMETERS].sort());
  expect(
    parametersFor(manifest, 'production')
      .map((p) => p.name)
      .sort(),
  ).toEqual([...PLATFORM_PARAMETERS].sort());
  for (const secret of api.secrets ?? []) {
    const name = parameterName(manifest, 'production', secret.name ?? '');
    expect(secret.valueFrom).toBe(parameterArn('eu-west-2', '123456789012', name));
  }
  // Nothing of the manifest is also a plain variable (that would put a secret in clear text).
  for (const variable of api.environment ?? []) expect(PLATFORM_PARAMETERS).not.toContain(variable.name);
});

describe.each(['staging', 'production'])('frontend example, %s', (environment) => {
  test('nginx settings are valid and the server names are covered by the certificates', async () => {
    const workflow = loadWorkflow('examples/frontend/.github/workflows/deploy.yml');
    const job = Object.values(workflow.jobs).find((j) => j.with?.['environment'] === environment);
    const variables = job?.with?.['environment-variables'];
    const lines = (typeof variables === 'string' ? variables : '').split('\n').filter((l) => l.trim() !== '');
    const perEnvironment = Object.fromEntries(
      lines.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    const { taskDefinition } = await load(FRONTEND);
    const fromFile = Object.fromEntries(
      (container(taskDefinition.containerDefinitions, 'nginx').environment ?? []).map((e) => [
        e.name ?? '',
        e.value ?? '',
      ]),
    );
    const env: Record<string, string> = { ...fromFile, ...perEnvironment };
    const serverNames = (env[ENV.serverNames] ?? '').split(/\s+/).filter(Boolean);
    expect(serverNames.length).toBeGreaterThan(0);
    expect(() =>
      resolveOptions({
        serverNames,
        apiPath: env[ENV.apiPath] ?? '',
        apiUpstream: env[ENV.apiUpstream] ?? '',
        realIpFrom: env[ENV.realIpFrom] ?? '',
        clientMaxBodySize: env[ENV.clientMaxBodySize] ?? '',
      }),
    ).not.toThrow();
    const manifest = await loadManifest(MANIFEST);
    const certificates = manifest.environments.get(environment)?.certificates ?? [];
    expect(certificates.length).toBeGreaterThan(0);
    for (const name of serverNames)
      expect([name, certificates.some((c) => certificateCovers(c, name))]).toEqual([name, true]);
    const url = new URL(typeof job?.with?.['environment-url'] === 'string' ? job.with['environment-url'] : '');
    expect(certificates.some((c) => certificateCovers(c, url.hostname))).toBe(true);
  });
});
