// Every YAML usage example of aws-actions/amazon-ecs-deploy-task-definition's README at v2.6.3 (commit c465972,
// https://github.com/aws-actions/amazon-ecs-deploy-task-definition/blob/v2.6.3/README.md), run against our
// bundle as the runner runs it, against the rollout simulator: each works with the same effect in ECS, or is
// refused before any AWS call with a message saying what to use instead. Their `with:` inputs are kept as
// written (placeholders such as <account-id> filled in); only our poll interval is shortened for the test.
import { startAwsSim, type AwsSim } from '@deploy-actions/aws-sim';
import { runBundle, type RunResult } from '@deploy-actions/testing';
import { callCounts, workspace } from './helpers';

const LIMIT = 60_000;
const CLUSTER = 'my-cluster';
const SERVICE = 'my-service';
const ROLE = 'arn:aws:iam::123456789012:role/ebs-role';
type Obj = Record<string, unknown>;

/** The task definition their examples deploy: the `my-container` they render, and the volume their EBS note shows. */
const TD = {
  family: SERVICE,
  networkMode: 'awsvpc',
  requiresCompatibilities: ['FARGATE'],
  cpu: '256',
  memory: '512',
  executionRoleArn: 'ecsTaskExecutionRole',
  volumes: [{ name: 'ebs1', configuredAtLaunch: true }],
  containerDefinitions: [
    {
      name: 'my-container',
      image: 'nginx:1.27',
      essential: true,
      portMappings: [{ containerPort: 80 }],
      logConfiguration: {
        logDriver: 'awslogs',
        options: { 'awslogs-group': '/ecs/my-service', 'awslogs-region': 'eu-west-2', 'awslogs-stream-prefix': 'ecs' },
      },
    },
  ],
};

let sim: AwsSim;
beforeAll(async () => {
  sim = await startAwsSim({ timeScale: 600 });
  sim.seedPlatform({
    cluster: CLUSTER,
    services: [
      { name: SERVICE, image: 'nginx:1.27', containerName: 'my-container', targetGroup: 'my-tg', desiredCount: 2 },
    ],
  });
}, LIMIT);
afterAll(async () => {
  await sim?.stop();
}, LIMIT);

interface Ran {
  readonly run: RunResult;
  /** The requests the run sent, by operation, as the simulator received them. */
  readonly sent: (operation: string) => Obj[];
  readonly from: number;
}

async function example(inputs: Record<string, string>, files: Record<string, string> = {}): Promise<Ran> {
  const ws = await workspace({ 'task-definition.json': JSON.stringify(TD), ...files });
  const from = sim.calls.length;
  const run = await runBundle('deploy-service', {
    workspace: ws,
    env: sim.env,
    inputs: { 'poll-interval-seconds': '0.05', ...inputs },
  });
  const sent = (operation: string): Obj[] =>
    sim.calls
      .slice(from)
      .filter((c) => c.operation === operation)
      .map((c) => c.input);
  return { run, sent, from };
}

function service(): Obj {
  const out = sim.call('ecs', 'DescribeServices', { cluster: CLUSTER, services: [SERVICE] });
  return (out['services'] as Obj[])[0] ?? {};
}

const DEPLOY = { 'task-definition': 'task-definition.json', service: SERVICE, cluster: CLUSTER };

test(
  'Usage: deploys and waits for our deployment to complete',
  async () => {
    const { run, from } = await example({ ...DEPLOY, 'wait-for-service-stability': 'true' });
    expect([run.code, run.outputs['outcome']]).toEqual([0, 'succeeded']);
    expect(service()['taskDefinition']).toBe(run.outputs['task-definition-arn']);
    expect(callCounts(sim, from)['DescribeServiceDeployments']).toBeGreaterThan(0);
  },
  LIMIT,
);

test(
  'Task definition file: the describe-task-definition download deploys, its read-only fields stripped',
  async () => {
    const described = sim.call('ecs', 'DescribeTaskDefinition', { taskDefinition: SERVICE })['taskDefinition'];
    const { run, sent } = await example(
      { ...DEPLOY, 'wait-for-service-stability': 'true' },
      { 'task-definition.json': JSON.stringify(described) },
    );
    expect([run.code, run.outputs['outcome']]).toEqual([0, 'succeeded']);
    expect(run.visible).toMatch(/removed read-only fields: .*taskDefinitionArn/);
    expect(sent('RegisterTaskDefinition')[0]).not.toHaveProperty('revision');
  },
  LIMIT,
);

test(
  'Task definition container image values: render (our render-task-def, same inputs) then deploy',
  async () => {
    const ws = await workspace({ 'task-definition.json': JSON.stringify(TD) });
    const image = '123456789012.dkr.ecr.us-east-2.amazonaws.com/my-ecr-repo:0123abc';
    const render = await runBundle('render-task-def', {
      workspace: ws,
      inputs: { 'task-definition': 'task-definition.json', 'container-name': 'my-container', image },
    });
    expect(render.code).toBe(0);
    const deploy = await runBundle('deploy-service', {
      workspace: ws,
      env: sim.env,
      inputs: {
        'task-definition': render.outputs['task-definition'] ?? '',
        service: SERVICE,
        cluster: CLUSTER,
        'wait-for-service-stability': 'true',
        'poll-interval-seconds': '0.05',
      },
    });
    expect([deploy.code, deploy.outputs['outcome']]).toEqual([0, 'succeeded']);
    const td = sim.call('ecs', 'DescribeTaskDefinition', { taskDefinition: String(service()['taskDefinition']) });
    expect((td['taskDefinition'] as { containerDefinitions: Obj[] }).containerDefinitions[0]?.['image']).toBe(image);
  },
  LIMIT,
);

test.each<[string, Record<string, string>, Obj]>([
  ['Tags: ECS-managed tags for the service', { 'enable-ecs-managed-tags': 'true' }, { enableECSManagedTags: true }],
  ['Tags: propagate the service’s tags', { 'propagate-tags': 'SERVICE' }, { propagateTags: 'SERVICE' }],
])(
  '%s',
  async (_name, inputs, effect) => {
    const { run, sent } = await example({ ...DEPLOY, 'wait-for-service-stability': 'true', ...inputs });
    expect([run.code, run.outputs['outcome']]).toEqual([0, 'succeeded']);
    expect(sent('UpdateService')[0]).toMatchObject(effect);
    expect(service()).toMatchObject(effect);
  },
  LIMIT,
);

test(
  'EBS Volume Configuration, services: the service-managed volume goes to UpdateService and onto the deployment',
  async () => {
    const volume = { sizeInGiB: 30, volumeType: 'gp3', encrypted: true, roleArn: ROLE };
    const { run, sent } = await example({
      ...DEPLOY,
      'wait-for-service-stability': 'true',
      'service-managed-ebs-volume-name': 'ebs1',
      'service-managed-ebs-volume': JSON.stringify(volume),
    });
    expect([run.code, run.outputs['outcome']]).toEqual([0, 'succeeded']);
    const expected = [{ name: 'ebs1', managedEBSVolume: volume }];
    expect(sent('UpdateService')[0]?.['volumeConfigurations']).toEqual(expected);
    expect((service()['deployments'] as Obj[])[0]?.['volumeConfigurations']).toEqual(expected);
  },
  LIMIT,
);

test(
  'EBS Volume Configuration, standalone tasks: no service, an EC2 task with its managed volume, nothing deployed',
  async () => {
    // Their example launches on EC2 without a network configuration: an EC2 task definition in bridge mode.
    const ec2 = {
      family: 'my-batch',
      networkMode: 'bridge',
      volumes: [{ name: 'ebs1', configuredAtLaunch: true }],
      containerDefinitions: [{ name: 'job', image: 'busybox:1.36', essential: true, memory: 128 }],
    };
    const volume = { filesystemType: 'xfs', roleArn: ROLE, encrypted: false, sizeInGiB: 30 };
    const { run, sent } = await example(
      {
        'task-definition': 'task-definition.json',
        cluster: CLUSTER,
        'run-task': 'true',
        'run-task-launch-type': 'EC2',
        'run-task-managed-ebs-volume-name': 'ebs1',
        'run-task-managed-ebs-volume': JSON.stringify(volume),
      },
      { 'task-definition.json': JSON.stringify(ec2) },
    );
    expect([run.code, run.outputs['outcome']]).toEqual([0, 'succeeded']);
    expect(sent('RunTask')).toEqual([
      expect.objectContaining({
        launchType: 'EC2',
        volumeConfigurations: [{ name: 'ebs1', managedEBSVolume: volume }],
      }),
    ]);
    expect(sent('RunTask')[0]).not.toHaveProperty('networkConfiguration');
    expect(JSON.parse(run.outputs['run-task-arn'] ?? '')).toEqual([expect.stringMatching(/:task\/my-cluster\//)]);
    expect(sent('DescribeServices')).toEqual([]);
    expect(sent('UpdateService')).toEqual([]);
  },
  LIMIT,
);

test(
  'Running Tasks: the one-off task runs and exits 0 before the service is updated',
  async () => {
    const { run, from } = await example({
      ...DEPLOY,
      'wait-for-service-stability': 'true',
      'run-task': 'true',
      'wait-for-task-stopped': 'true',
    });
    expect([run.code, run.outputs['outcome']]).toEqual([0, 'succeeded']);
    const order = sim.calls.slice(from).map((c) => c.operation);
    expect(order.indexOf('RunTask')).toBeLessThan(order.indexOf('UpdateService'));
    expect(JSON.parse(run.outputs['run-task-arn'] ?? '')).toHaveLength(1);
    expect(run.visible).toMatch(/one-off task \w+: STOPPED/);
  },
  LIMIT,
);

test(
  'Running Tasks, tags: custom and ECS-managed tags on the task',
  async () => {
    const { run, sent } = await example({
      ...DEPLOY,
      'wait-for-service-stability': 'true',
      'run-task': 'true',
      'enable-ecs-managed-tags': 'true',
      'run-task-tags': '[{"key": "project", "value": "myproject"}]',
      'wait-for-task-stopped': 'true',
    });
    expect([run.code, run.outputs['outcome']]).toEqual([0, 'succeeded']);
    expect(sent('RunTask')[0]).toMatchObject({
      tags: [{ key: 'project', value: 'myproject' }],
      enableECSManagedTags: true,
    });
    const [arn = ''] = JSON.parse(run.outputs['run-task-arn'] ?? '[]') as string[];
    const task = (
      sim.call('ecs', 'DescribeTasks', { cluster: CLUSTER, tasks: [arn], include: ['TAGS'] })['tasks'] as Obj[]
    )[0];
    expect(task?.['tags']).toEqual([
      { key: 'project', value: 'myproject' },
      { key: 'aws:ecs:clusterName', value: CLUSTER },
    ]);
  },
  LIMIT,
);

test(
  'Preserving Empty Values with keep-null-value-keys: the named keys keep their empty values',
  async () => {
    const td = {
      ...TD,
      placementConstraints: [],
      containerDefinitions: [{ ...TD.containerDefinitions[0], command: [], user: '' }],
    };
    const { run, sent } = await example(
      { ...DEPLOY, 'keep-null-value-keys': 'tag,command,placementConstraints', 'wait-for-service-stability': 'true' },
      { 'task-definition.json': JSON.stringify(td) },
    );
    expect([run.code, run.outputs['outcome']]).toEqual([0, 'succeeded']);
    const registered = sent('RegisterTaskDefinition')[0] as {
      placementConstraints: unknown;
      containerDefinitions: Obj[];
    };
    expect(registered.placementConstraints).toEqual([]);
    expect(registered.containerDefinitions[0]?.['command']).toEqual([]);
    // Not named: "" means "not set" (theirs removes it too).
    expect(registered.containerDefinitions[0]).not.toHaveProperty('user');
  },
  LIMIT,
);

test.each<[string, Record<string, string>, string]>([
  [
    'AWS CodeDeploy Support',
    {
      'codedeploy-appspec': 'appspec.json',
      'codedeploy-application': 'my-codedeploy-application',
      'codedeploy-deployment-group': 'my-codedeploy-deployment-group',
    },
    "input 'codedeploy-appspec': is not an input of deploy-service — deploy-service does not start CodeDeploy deployments (a CODE_DEPLOY service is refused): move the service to ECS's own blue/green (deployment controller ECS, deploymentConfiguration.strategy BLUE_GREEN, LINEAR or CANARY)",
  ],
  [
    'Polling Configuration',
    { 'wait-max-delay-seconds': '15' },
    "input 'wait-max-delay-seconds': is not an input of deploy-service — use poll-interval-seconds: deploy-service polls at that fixed interval (default 5), never backing off",
  ],
  [
    'Retries',
    { 'max-retries': '5' },
    "input 'max-retries': is not an input of deploy-service — remove it: deploy-service retries throttling, 5xx and network errors itself, with back-off, until each phase's deadline (wait-for-minutes)",
  ],
])(
  '%s: refused before any AWS call, saying what to use instead',
  async (_name, inputs, message) => {
    const { run, from } = await example({ ...DEPLOY, 'wait-for-service-stability': 'true', ...inputs });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(message);
    expect(sim.calls.length).toBe(from);
  },
  LIMIT,
);

test(
  'their run-task-container-overrides (a migration) runs the command they give, not the image’s own',
  async () => {
    const overrides = [{ name: 'my-container', command: ['bin/rails', 'db:migrate'] }];
    const { run, sent } = await example({
      ...DEPLOY,
      'run-task': 'true',
      'wait-for-task-stopped': 'true',
      'run-task-container-overrides': JSON.stringify(overrides),
      // Their action.yml spells it in upper case; the runner makes it our input.
      'run-task-assign-public-IP': 'ENABLED',
    });
    expect([run.code, run.outputs['outcome']]).toEqual([0, 'succeeded']);
    expect(sent('RunTask')[0]).toMatchObject({
      overrides: { containerOverrides: overrides },
      networkConfiguration: { awsvpcConfiguration: { assignPublicIp: 'ENABLED' } },
    });
    expect(run.visible).toContain('+ bin/rails db:migrate');
  },
  LIMIT,
);

test(
  'wait-for-task-stopped: false (their default) only starts the task, then updates the service',
  async () => {
    const { run, sent } = await example({
      ...DEPLOY,
      'wait-for-service-stability': 'true',
      'run-task': 'true',
      'wait-for-task-stopped': 'false',
    });
    expect([run.code, run.outputs['outcome']]).toEqual([0, 'succeeded']);
    const [arn = ''] = JSON.parse(run.outputs['run-task-arn'] ?? '[]') as string[];
    expect(sent('DescribeTasks').filter((d) => (d['tasks'] as string[]).includes(arn))).toEqual([]);
    expect(run.visible).toContain('not waiting for it to stop (its exit code is not checked)');
    expect(sent('UpdateService')).toHaveLength(1);
  },
  LIMIT,
);
