// The bundle against a real moto server: registration (cleaned), the service update and its inputs, the
// previous revision output, and configuration errors raised before any AWS change. moto has no rollouts over
// time, so waiting is covered by the simulator tests.
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { everythingVisible, runBundle, startMoto, type Moto } from '@deploy-actions/testing';

/** jest's default 5 s is too short for a bundle run on a loaded 2-core machine. */
const LIMIT = 60_000;

let moto: Moto;
let ecs: ECSClient;
const cluster = 'learning-platform-cluster1';

const taskDefinition = (image: string): Record<string, unknown> => ({
  family: 'learning-platform-nginx',
  networkMode: 'awsvpc',
  requiresCompatibilities: ['FARGATE'],
  cpu: '256',
  memory: '512',
  executionRoleArn: 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole',
  containerDefinitions: [
    { name: 'nginx', image, essential: true, portMappings: [{ containerPort: 80, protocol: 'tcp' }] },
  ],
});

async function workspace(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'deploy-ws-'));
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
  return dir;
}

beforeAll(async () => {
  moto = await startMoto();
  ecs = new ECSClient({
    region: 'eu-west-2',
    endpoint: moto.endpoint,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  const first = await ecs.send(new RegisterTaskDefinitionCommand(taskDefinition('nginx:1.27') as never));
  await ecs.send(
    new CreateServiceCommand({
      cluster,
      serviceName: 'frontend',
      taskDefinition: first.taskDefinition?.taskDefinitionArn,
      desiredCount: 1,
    }),
  );
}, LIMIT);
afterAll(async () => {
  ecs?.destroy();
  await moto?.stop();
}, LIMIT);

const serviceTd = async (): Promise<string | undefined> =>
  (await ecs.send(new DescribeServicesCommand({ cluster, services: ['frontend'] }))).services?.[0]?.taskDefinition;

test(
  'registers the cleaned task definition (describe output with read-only fields) and updates the service',
  async () => {
    const described = {
      taskDefinition: {
        ...taskDefinition('nginx:1.28'),
        taskDefinitionArn: 'arn:aws:ecs:eu-west-2:123456789012:task-definition/learning-platform-nginx:9',
        revision: 9,
        status: 'ACTIVE',
        registeredAt: 1700000000,
        compatibilities: ['EC2', 'FARGATE'],
        requiresAttributes: [],
      },
    };
    const ws = await workspace({ 'td.json': JSON.stringify(described) });
    const before = await serviceTd();
    const run = await runBundle('deploy-service', {
      workspace: ws,
      env: moto.env,
      inputs: {
        'task-definition': 'td.json',
        service: 'frontend',
        cluster,
        'wait-for-service-stability': 'false',
        'desired-count': '2',
      },
    });
    expect(run.stderr).not.toMatch(/eval|require is not defined/);
    expect(run.code).toBe(0);
    expect(run.outputs['outcome']).toBe('succeeded');
    expect(run.outputs['previous-task-definition-arn']).toBe(before);
    expect(run.outputs['task-definition-arn']).toMatch(/task-definition\/learning-platform-nginx:2$/);
    expect(await serviceTd()).toBe(run.outputs['task-definition-arn']);
    const service = (await ecs.send(new DescribeServicesCommand({ cluster, services: ['frontend'] }))).services?.[0];
    expect(service?.desiredCount).toBe(2);
    const registered = await ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: run.outputs['task-definition-arn'] }),
    );
    expect(registered.taskDefinition?.containerDefinitions?.[0]?.image).toBe('nginx:1.28');
    expect(run.visible).toContain('removed read-only fields');
    expect(run.summary).toContain('rollout not followed');
  },
  LIMIT,
);

test(
  'without service it only registers (aws-actions register-only mode), keep-null-value-keys kept',
  async () => {
    const td: Record<string, unknown> = { ...taskDefinition('nginx:1.30'), taskRoleArn: '' };
    const containers = td['containerDefinitions'] as Record<string, unknown>[];
    containers[0] = { ...containers[0], user: '', workingDirectory: '' };
    const ws = await workspace({ 'td.json': JSON.stringify(td) });
    const before = await serviceTd();
    const run = await runBundle('deploy-service', {
      workspace: ws,
      env: moto.env,
      inputs: { 'task-definition': 'td.json', cluster, 'keep-null-value-keys': 'user' },
    });
    expect(run.code).toBe(0);
    expect(run.outputs['outcome']).toBe('succeeded');
    expect(run.outputs['task-definition-arn']).toMatch(/task-definition\/learning-platform-nginx:\d+$/);
    expect(run.outputs['run-task-arn']).toBe('');
    expect(run.outputs['previous-task-definition-arn']).toBe('');
    expect(run.visible).toContain('no service given, so nothing was deployed');
    expect(run.summary).toContain('✅ succeeded');
    expect(run.summary).not.toContain('| Service |');
    expect(await serviceTd()).toBe(before);
    const registered = await ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: run.outputs['task-definition-arn'] }),
    );
    expect(registered.taskDefinition?.containerDefinitions?.[0]?.image).toBe('nginx:1.30');
    // "" of a key named in keep-null-value-keys is sent; other "" fields mean "not set" and are left out.
    expect(registered.taskDefinition?.containerDefinitions?.[0]).toMatchObject({ user: '' });
    expect(registered.taskDefinition?.containerDefinitions?.[0]).not.toHaveProperty('workingDirectory');
    expect(registered.taskDefinition).not.toHaveProperty('taskRoleArn');
  },
  LIMIT,
);

test.each([
  {
    name: 'a service setting without a service',
    inputs: { 'task-definition': 'td.yaml', 'desired-count': '2' },
    message: /input 'desired-count': applies to a service, and no service is given — set service, or remove it/,
  },
  {
    name: 'fractional minutes are fine but text is not',
    inputs: { 'task-definition': 'td.yaml', service: 'frontend', 'wait-for-minutes': 'soon' },
    message: /input 'wait-for-minutes': is not a number/,
  },
  {
    name: 'run-task inputs without run-task',
    inputs: { 'task-definition': 'td.yaml', service: 'frontend', 'run-task-command': '["bin/rails","db:migrate"]' },
    message: /is set but run-task is false/,
  },
  {
    name: 'shell operators in the command',
    inputs: {
      'task-definition': 'td.yaml',
      service: 'frontend',
      'run-task': 'true',
      'run-task-command': 'rails db:migrate && echo ok',
    },
    message: /run-task-command.*shell operator/,
  },
  {
    name: 'missing file',
    inputs: { 'task-definition': 'nope.json', service: 'frontend' },
    message: /nope\.json' does not exist/,
  },
  {
    name: 'unknown service',
    inputs: { 'task-definition': 'td.yaml', service: 'no-such-service', cluster },
    message: /service 'no-such-service' not found/,
  },
])(
  'fails before any change: $name',
  async ({ inputs, message }) => {
    const ws = await workspace({
      'td.yaml': `family: learning-platform-nginx\nnetworkMode: awsvpc\nrequiresCompatibilities: [FARGATE]\ncpu: 256\nmemory: 512\ncontainerDefinitions:\n  - name: nginx\n    image: nginx:1.29\n`,
    });
    const familyBefore = (await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'learning-platform-nginx' })))
      .taskDefinitionArns?.length;
    const run = await runBundle('deploy-service', { workspace: ws, env: moto.env, inputs: { cluster, ...inputs } });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/::error::deploy-service: /);
    expect(run.stdout).toMatch(message);
    // Input errors stop before outputs; an AWS-side refusal still reports outcome=failed.
    expect(run.outputs['outcome']).toBe(inputs.service === 'no-such-service' ? 'failed' : undefined);
    const familyAfter = (await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'learning-platform-nginx' })))
      .taskDefinitionArns?.length;
    expect(familyAfter).toBe(familyBefore);
    expect(everythingVisible(run)).not.toMatch(/"\$metadata"|\{"__type"/);
  },
  LIMIT,
);
