// Runs the committed bundle exactly as the runner does (INPUT_* with hyphens, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY,
// RUNNER_TEMP, GITHUB_WORKSPACE) on JSON and YAML files; CI runs this under Node 24 and Node 20.
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { everythingVisible, REPO_ROOT, runBundle } from '@deploy-actions/testing';

/** stderr without the SDK's notice that it will need Node 22 (printed on Node 20 only, where CI runs us too). */
function realErrors(stderr: string): string {
  return stderr.replace(/\(node:\d+\) Warning: NodeVersionSupportWarning[\s\S]*?--trace-warnings[^\n]*\n/g, '');
}

const TD = {
  family: 'learning-platform-nginx',
  taskDefinitionArn: 'arn:aws:ecs:eu-west-2:123456789012:task-definition/learning-platform-nginx:12',
  revision: 12,
  status: 'ACTIVE',
  networkMode: 'awsvpc',
  requiresCompatibilities: ['FARGATE'],
  cpu: '512',
  memory: '1024',
  executionRoleArn: 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole',
  containerDefinitions: [
    {
      name: 'nginx',
      image: 'nginx:1.27',
      essential: true,
      portMappings: [{ containerPort: 80, hostPort: 80, protocol: 'tcp' }],
      environment: [{ name: 'UPSTREAM', value: 'http://localhost:3000' }],
    },
    { name: 'api', image: 'busybox:latest', essential: true, portMappings: [{ containerPort: 3000 }], imagee: 'typo' },
  ],
};

const YAML = `# The API task, as YAML (numbers where the API wants strings are converted)
family: learning-platform-api
networkMode: awsvpc
requiresCompatibilities: [FARGATE]
cpu: 256
memory: 512
executionRoleArn: arn:aws:iam::123456789012:role/ecsTaskExecutionRole
containerDefinitions:
  - name: api
    image: busybox:latest
    essential: true
    portMappings:
      - containerPort: 3000
    environment:
      - name: RAILS_ENV
        value: production
      - name: POSTGRES_HOST
        value: db.internal
`;

let workspace: string;
beforeAll(async () => {
  workspace = await mkdtemp(path.join(tmpdir(), 'render-bundle-'));
  await mkdir(path.join(workspace, '.aws'));
  await writeFile(
    path.join(workspace, '.aws/learning-platform-nginx-task-definition.json'),
    JSON.stringify(TD, null, 2),
  );
  await writeFile(path.join(workspace, '.aws/api.yml'), YAML);
  await writeFile(path.join(workspace, '.aws/bad.json'), JSON.stringify({ ...TD, cpu: '256', memory: '4096' }));
});

async function renderedFile(file: string | undefined): Promise<Record<string, unknown>> {
  expect(file).toBeDefined();
  return JSON.parse(await readFile(file ?? '', 'utf8')) as Record<string, unknown>;
}

test('JSON: images per container, read-only fields removed, unknown key warned, outputs and summary', async () => {
  const result = await runBundle('render-task-def', {
    workspace,
    inputs: {
      'task-definition': '.aws/learning-platform-nginx-task-definition.json',
      images: 'nginx=123456789012.dkr.ecr.eu-west-2.amazonaws.com/web@sha256:0123abcd\napi=repo/api:42',
      'container-name': 'nginx',
      'environment-variables': 'API_TOKEN=tok-9f8e7d6c5b=4a\nUPSTREAM=http://127.0.0.1:3000',
      'log-configuration-log-driver': 'awslogs',
      'aws-region': 'eu-west-2',
      'docker-labels': 'com.example.sha=abc',
      command: `nginx -g 'daemon off;'`,
      tags: 'team=web',
    },
  });
  expect(realErrors(result.stderr)).toBe('');
  expect(result.code).toBe(0);
  expect(result.outputs['task-definition']).toMatch(
    new RegExp(`^${result.runnerTemp}/task-definition-learning-platform-nginx-[0-9a-f]{8}\\.json$`),
  );
  expect(result.outputs['family']).toBe('learning-platform-nginx');
  const td = await renderedFile(result.outputs['task-definition']);
  expect(td).not.toHaveProperty('taskDefinitionArn');
  expect(td).not.toHaveProperty('revision');
  expect(td['tags']).toEqual([{ key: 'team', value: 'web' }]);
  const [nginx, api] = td['containerDefinitions'] as Record<string, unknown>[];
  expect(nginx).toMatchObject({
    image: '123456789012.dkr.ecr.eu-west-2.amazonaws.com/web@sha256:0123abcd',
    command: ['nginx', '-g', 'daemon off;'],
    environment: [
      { name: 'UPSTREAM', value: 'http://127.0.0.1:3000' },
      { name: 'API_TOKEN', value: 'tok-9f8e7d6c5b=4a' },
    ],
    logConfiguration: {
      logDriver: 'awslogs',
      options: {
        'awslogs-group': '/ecs/learning-platform-nginx',
        'awslogs-stream-prefix': 'ecs',
        'awslogs-region': 'eu-west-2',
      },
    },
    dockerLabels: { 'com.example.sha': 'abc' },
  });
  expect(api).toEqual({ name: 'api', image: 'repo/api:42', essential: true, portMappings: [{ containerPort: 3000 }] });
  expect(result.visible).toContain('::notice::');
  expect(result.visible).toContain("containerDefinitions[1].imagee (did you mean 'image'?)");
  const changes = JSON.parse(result.outputs['changes'] ?? '[]') as {
    container?: string;
    field: string;
    name?: string;
  }[];
  expect(changes).toContainEqual({ container: 'nginx', field: 'environment', action: 'added', name: 'API_TOKEN' });
  expect(changes).toContainEqual({ container: 'nginx', field: 'environment', action: 'changed', name: 'UPSTREAM' });
  expect(result.summary).toContain('<code>busybox:latest</code> → <code>api:42</code>');
  expect(result.summary).toContain('API\\_TOKEN');
  // Environment values are never shown: not in the log, outputs or summary.
  expect(everythingVisible(result)).not.toMatch(/tok-9f8e7d6c5b|127\.0\.0\.1:3000/);
});

test('YAML: one container needs no container-name; manifest secrets with an explicit account', async () => {
  const result = await runBundle('render-task-def', {
    workspace,
    inputs: {
      'task-definition': '.aws/api.yml',
      image: 'repo/api:43',
      'parameters-manifest': path.join(REPO_ROOT, 'examples/parameters.yml'),
      environment: 'staging',
      'aws-region': 'eu-west-2',
      'aws-account-id': '123456789012',
    },
  });
  expect(realErrors(result.stderr)).toBe('');
  expect(result.code).toBe(0);
  const td = await renderedFile(result.outputs['task-definition']);
  expect(td).toMatchObject({ family: 'learning-platform-api', cpu: '256', memory: '512' });
  const [api] = td['containerDefinitions'] as { image: string; secrets: unknown[]; environment: unknown[] }[];
  expect(api?.image).toBe('repo/api:43');
  expect(api?.secrets).toHaveLength(17);
  expect(api?.secrets).toContainEqual({
    name: 'SMTP_PASSWORD',
    valueFrom: 'arn:aws:ssm:eu-west-2:123456789012:parameter/learning-platform/staging/SMTP_PASSWORD',
  });
  expect(api?.environment).toEqual([{ name: 'RAILS_ENV', value: 'production' }]);
  expect(result.summary).toMatch(/\\\+RAILS\\_MASTER\\_KEY/);
});

test.each<[string, Record<string, string>, string]>([
  [
    'Fargate size in the file',
    { 'task-definition': '.aws/bad.json' },
    '4096 MiB is not allowed with cpu 256 on Fargate',
  ],
  [
    'unknown container',
    { 'task-definition': '.aws/api.yml', images: 'web=x' },
    "input 'images': there is no container 'web' in the task definition — the containers are: api",
  ],
  [
    'two sources',
    { 'task-definition': '.aws/api.yml', 'task-definition-family': 'x' },
    'more than one task definition source',
  ],
  ['command with a pipe', { 'task-definition': '.aws/api.yml', command: 'a | b' }, "shell operator '|'"],
])('fails once, named and prefixed: %s', async (_name, inputs, message) => {
  const result = await runBundle('render-task-def', { workspace, inputs });
  expect(result.code).toBe(1);
  const errors = result.visible.split('\n').filter((l) => l.startsWith('::error::'));
  expect(errors).toHaveLength(1);
  expect(errors[0]).toContain('render-task-def: ');
  expect(errors[0]).toContain(message);
  expect(result.outputs).toEqual({});
});
