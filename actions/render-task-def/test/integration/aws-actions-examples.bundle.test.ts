// The usage examples of aws-actions/amazon-ecs-render-task-definition's README at v1.9.0 (commit 138c24f), run
// against our bundle as the runner runs it: each works with the same meaning, or is refused before any AWS call
// with a message saying what to use instead.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runBundle } from '@deploy-actions/testing';

/** A task definition with the `web` and `app` containers their examples name. */
const TD = {
  family: 'sample',
  networkMode: 'awsvpc',
  requiresCompatibilities: ['FARGATE'],
  cpu: '256',
  memory: '512',
  executionRoleArn: 'ecsTaskExecutionRole',
  containerDefinitions: [
    { name: 'web', image: 'placeholder', essential: true, portMappings: [{ containerPort: 80 }] },
    { name: 'app', image: 'placeholder', essential: true },
  ],
};

interface Container {
  name: string;
  image: string;
  environment?: unknown[];
  secrets?: unknown[];
  dockerLabels?: Record<string, string>;
  logConfiguration?: { logDriver: string; options: Record<string, string> };
}

let workspace: string;
beforeAll(async () => {
  workspace = await mkdtemp(path.join(tmpdir(), 'aws-actions-examples-'));
  await writeFile(path.join(workspace, 'task-definition.json'), JSON.stringify(TD));
});

async function containers(file: string | undefined): Promise<Container[]> {
  return (JSON.parse(await readFile(file ?? '', 'utf8')) as { containerDefinitions: Container[] }).containerDefinitions;
}

test('example 1 as written (file, arn, family and revision at once) is refused naming the inputs, before any AWS call', async () => {
  const result = await runBundle('render-task-def', {
    workspace,
    inputs: {
      'task-definition': 'task-definition.json',
      'task-definition-arn': 'task-definition-arn',
      'task-definition-family': 'task-definition-family-name',
      'task-definition-revision': 'task-definition-revision',
      'container-name': 'web',
      image: 'amazon/amazon-ecs-sample:latest',
      'environment-variables': 'LOG_LEVEL=info',
      secrets: 'SECRET_KEY=arn:aws:ssm:region:0123456789:parameter/secret',
    },
  });
  expect(result.code).not.toBe(0);
  expect(result.stdout).toContain(
    "inputs 'task-definition' and 'task-definition-family' and 'task-definition-arn': more than one task definition source is given — set exactly one",
  );
});

test('example 1 with the source their action used (the file): image, variable and secret for web', async () => {
  const result = await runBundle('render-task-def', {
    workspace,
    inputs: {
      'task-definition': 'task-definition.json',
      'container-name': 'web',
      image: 'amazon/amazon-ecs-sample:latest',
      'environment-variables': 'LOG_LEVEL=info',
      secrets: 'SECRET_KEY=arn:aws:ssm:region:0123456789:parameter/secret',
    },
  });
  expect(result.code).toBe(0);
  const [web] = await containers(result.outputs['task-definition']);
  expect(web).toMatchObject({
    image: 'amazon/amazon-ecs-sample:latest',
    environment: [{ name: 'LOG_LEVEL', value: 'info' }],
    secrets: [{ name: 'SECRET_KEY', valueFrom: 'arn:aws:ssm:region:0123456789:parameter/secret' }],
  });
});

test('example 2: two chained steps for two containers', async () => {
  const first = await runBundle('render-task-def', {
    workspace,
    inputs: {
      'task-definition': 'task-definition.json',
      'container-name': 'web',
      image: 'amazon/amazon-ecs-sample-1:latest',
      'environment-variables': 'LOG_LEVEL=info\nENVIRONMENT=prod\n',
      'docker-labels': 'SERVICE=service\nVERSION=version\n',
      secrets:
        'SECRET_KEY=arn:aws:ssm:region:0123456789:parameter/secret\nSECOND_SECRET_KEY=arn:aws:secretsmanager:us-east-1:0123456789:secret:secretName\n',
    },
  });
  expect(first.code).toBe(0);
  const second = await runBundle('render-task-def', {
    workspace,
    inputs: {
      'task-definition': first.outputs['task-definition'] ?? '',
      'container-name': 'app',
      image: 'amazon/amazon-ecs-sample-2:latest',
    },
  });
  expect(second.code).toBe(0);
  const [web, app] = await containers(second.outputs['task-definition']);
  expect(web).toMatchObject({
    image: 'amazon/amazon-ecs-sample-1:latest',
    environment: [
      { name: 'LOG_LEVEL', value: 'info' },
      { name: 'ENVIRONMENT', value: 'prod' },
    ],
    dockerLabels: { SERVICE: 'service', VERSION: 'version' },
  });
  expect(web?.secrets).toHaveLength(2);
  expect(app?.image).toBe('amazon/amazon-ecs-sample-2:latest');
});

test('example 3: log driver and options', async () => {
  const result = await runBundle('render-task-def', {
    workspace,
    inputs: {
      'task-definition': 'task-definition.json',
      'container-name': 'web',
      image: 'amazon/amazon-ecs-sample:latest',
      'log-configuration-log-driver': 'awslogs',
      'log-configuration-options':
        'awslogs-create-group=true\nawslogs-group=/ecs/web\nawslogs-region=us-east-1\nawslogs-stream-prefix=ecs\n',
    },
  });
  expect(result.code).toBe(0);
  const [web] = await containers(result.outputs['task-definition']);
  expect(web?.logConfiguration).toEqual({
    logDriver: 'awslogs',
    options: {
      'awslogs-create-group': 'true',
      'awslogs-group': '/ecs/web',
      'awslogs-region': 'us-east-1',
      'awslogs-stream-prefix': 'ecs',
    },
  });
});

test.each([
  [
    'an input it does not declare (a typo)',
    { 'container-nme': 'web' },
    "input 'container-nme': is not an input of render-task-def — did you mean 'container-name'?",
  ],
  [
    'an empty image with container-name',
    { 'container-name': 'web', image: '' },
    "input 'image': is empty, but container-name is set",
  ],
])('refuses %s before reading anything', async (_name, extra, message) => {
  const result = await runBundle('render-task-def', {
    workspace,
    inputs: { 'task-definition': 'task-definition.json', ...extra },
  });
  expect(result.code).not.toBe(0);
  expect(result.stdout).toContain(message);
});
