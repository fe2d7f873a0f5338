// The live path against a real moto server: a family registered (with tags) is read by family, by family and
// revision, and by ARN; the manifest account comes from STS GetCallerIdentity.
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { ECSClient, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { REPO_ROOT, runBundle, startMoto, TEST_ACCOUNT, type Moto } from '@deploy-actions/testing';

/** stderr without the SDK's notice that it will need Node 22 (printed on Node 20 only, where CI runs us too). */
function realErrors(stderr: string): string {
  return stderr.replace(/\(node:\d+\) Warning: NodeVersionSupportWarning[\s\S]*?--trace-warnings[^\n]*\n/g, '');
}

let moto: Moto;
let arns: string[] = [];

beforeAll(async () => {
  moto = await startMoto();
  const ecs = new ECSClient({
    region: moto.env['AWS_REGION'] ?? 'eu-west-2',
    endpoint: moto.endpoint,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  arns = [];
  for (const image of ['busybox:1', 'busybox:2']) {
    const out = await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'learning-platform-api',
        networkMode: 'awsvpc',
        requiresCompatibilities: ['FARGATE'],
        cpu: '256',
        memory: '512',
        executionRoleArn: `arn:aws:iam::${TEST_ACCOUNT}:role/ecsTaskExecutionRole`,
        containerDefinitions: [{ name: 'api', image, essential: true, portMappings: [{ containerPort: 3000 }] }],
        tags: [
          { key: 'team', value: 'platform' },
          { key: 'service', value: 'api' },
        ],
      }),
    );
    arns.push(out.taskDefinition?.taskDefinitionArn ?? '');
  }
}, 90000);

afterAll(async () => {
  await moto.stop();
});

async function rendered(file: string | undefined): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(file ?? '', 'utf8')) as Record<string, unknown>;
}

test.each<[string, () => Record<string, string>, string]>([
  ['family (latest)', () => ({ 'task-definition-family': 'learning-platform-api' }), 'busybox:2'],
  [
    'family and revision',
    () => ({ 'task-definition-family': 'learning-platform-api', 'task-definition-revision': '1' }),
    'busybox:1',
  ],
  ['ARN', () => ({ 'task-definition-arn': arns[0] ?? '' }), 'busybox:1'],
])('reads the live definition by %s, tags included, read-only fields removed', async (_name, source, before) => {
  const result = await runBundle('render-task-def', {
    env: moto.env,
    inputs: { ...source(), image: 'repo/api:3', tags: 'deployed-by=ci' },
  });
  expect(realErrors(result.stderr)).toBe('');
  expect(result.code).toBe(0);
  const td = await rendered(result.outputs['task-definition']);
  for (const key of [
    'taskDefinitionArn',
    'revision',
    'status',
    'requiresAttributes',
    'compatibilities',
    'registeredAt',
  ]) {
    expect(td).not.toHaveProperty(key);
  }
  expect(td['tags']).toEqual([
    { key: 'team', value: 'platform' },
    { key: 'service', value: 'api' },
    { key: 'deployed-by', value: 'ci' },
  ]);
  expect(result.summary).toContain(`<code>${before}</code> → <code>api:3</code>`);
  expect(result.visible).toMatch(/::notice::task definition '.*': removed read-only fields .*taskDefinitionArn/);
});

test('manifest secrets take the account from STS GetCallerIdentity', async () => {
  const result = await runBundle('render-task-def', {
    env: moto.env,
    inputs: {
      'task-definition-family': 'learning-platform-api',
      'parameters-manifest': path.join(REPO_ROOT, 'examples/parameters.yml'),
      environment: 'production',
    },
  });
  expect(realErrors(result.stderr)).toBe('');
  expect(result.code).toBe(0);
  const td = await rendered(result.outputs['task-definition']);
  const [api] = td['containerDefinitions'] as { secrets: { name: string; valueFrom: string }[] }[];
  expect(api?.secrets.find((s) => s.name === 'REDIS_HOST')?.valueFrom).toBe(
    `arn:aws:ssm:eu-west-2:${TEST_ACCOUNT}:parameter/learning-platform/production/REDIS_HOST`,
  );
});

test('a family ECS does not know is an error naming the input', async () => {
  const result = await runBundle('render-task-def', {
    env: moto.env,
    inputs: { 'task-definition-family': 'learning-platfrom-api' },
  });
  expect(result.code).toBe(1);
  expect(result.visible).toMatch(
    /::error::render-task-def: input 'task-definition-family': ECS cannot find the task definition 'learning-platfrom-api'/,
  );
});
