// aws-actions' inputs read by deploy-service: each one is taken with their shape and meaning, or refused with
// what to do instead, before any AWS call (these tests make none).
import type { TaskDefinition } from '@aws-sdk/client-ecs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { inputVariable, Runner, runnerIO, type ActionIO } from '@deploy-actions/core';
import { memoryIO } from '@deploy-actions/testing';
import { readOptions } from '../../src/options';

const TD = {
  family: 'learning-platform-api',
  networkMode: 'awsvpc',
  requiresCompatibilities: ['FARGATE'],
  cpu: '256',
  memory: '512',
  volumes: [{ name: 'ebs1', configuredAtLaunch: true }, { name: 'scratch' }],
  containerDefinitions: [
    { name: 'api', image: 'busybox:latest', essential: true, user: '' },
    { name: 'worker', image: 'busybox:latest', essential: false },
  ],
};
const BRIDGE: TaskDefinition = {
  family: 'batch',
  networkMode: 'bridge',
  containerDefinitions: [{ name: 'job', image: 'busybox', memory: 128 }],
};
const ROLE = 'arn:aws:iam::123456789012:role/ecsInfrastructureRole';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'deploy-aws-actions-'));
  await writeFile(path.join(dir, 'td.json'), JSON.stringify(TD));
  await writeFile(path.join(dir, 'bridge.json'), JSON.stringify(BRIDGE));
});

/** The runner's contract for the inputs: INPUT_ + the upper-cased name, as a workflow's `with:` becomes. */
function runner(inputs: Record<string, string>): ActionIO {
  const env: NodeJS.ProcessEnv = { GITHUB_WORKSPACE: dir };
  for (const [name, value] of Object.entries(inputs)) env[inputVariable(name)] = value;
  return runnerIO(env, undefined, new Runner(env, () => undefined));
}
const read = (inputs: Record<string, string>) =>
  readOptions(runner({ 'task-definition': 'td.json', service: 'api', ...inputs }));
const withoutService = (inputs: Record<string, string>) =>
  readOptions(runner({ 'task-definition': 'td.json', ...inputs }));

test('run-task-container-overrides: their JSON array, as RunTask takes it; secret-looking values masked', async () => {
  const overrides = [
    {
      name: 'api',
      command: ['bin/rails', 'db:migrate'],
      environment: [{ name: 'DATABASE_PASSWORD', value: 'override-secret-0123' }],
      memory: 1024,
    },
  ];
  const io = memoryIO(
    {
      'task-definition': 'td.json',
      service: 'api',
      'run-task': 'true',
      'run-task-container-overrides': JSON.stringify(overrides),
    },
    { GITHUB_WORKSPACE: dir },
  );
  const { deploy, secrets } = await readOptions(io);
  expect(deploy.runTask?.containerOverrides).toEqual(overrides);
  expect(deploy.runTask?.command).toBeUndefined();
  expect(io.secrets).toContain('override-secret-0123');
  expect(secrets).toContain('override-secret-0123');
});

test('launch, tags, managed tags, a public IP for the service network, no waiting, EBS volumes', async () => {
  const { deploy } = await read({
    'run-task': 'true',
    'run-task-launch-type': 'EC2',
    'run-task-tags': '[{"key": "project", "value": "myproject"}]',
    'enable-ecs-managed-tags': 'true',
    'run-task-assign-public-IP': 'ENABLED',
    'wait-for-task-stopped': 'false',
    'run-task-managed-ebs-volume-name': 'ebs1',
    'run-task-managed-ebs-volume': `{"filesystemType": "xfs", "roleArn": "${ROLE}", "encrypted": false, "sizeInGiB": 30}`,
    'service-managed-ebs-volume-name': 'ebs1',
    'service-managed-ebs-volume': `{"sizeInGiB": "30", "volumeType": "gp3", "encrypted": true, "roleArn": "${ROLE}"}`,
  });
  expect(deploy.runTask).toMatchObject({
    launch: { launchType: 'EC2' },
    tags: [{ key: 'project', value: 'myproject' }],
    enableEcsManagedTags: true,
    assignPublicIp: 'ENABLED',
    network: undefined,
    wait: false,
    volume: {
      name: 'ebs1',
      managedEBSVolume: { filesystemType: 'xfs', roleArn: ROLE, encrypted: false, sizeInGiB: 30 },
    },
  });
  expect(deploy.enableEcsManagedTags).toBe(true);
  expect(deploy.serviceVolume).toEqual({
    name: 'ebs1',
    managedEBSVolume: { sizeInGiB: 30, volumeType: 'gp3', encrypted: true, roleArn: ROLE },
  });
});

test('capacity provider strategy; keep-null-value-keys keeps "" of the named keys', async () => {
  const { deploy } = await read({
    'run-task': 'true',
    'run-task-capacity-provider-strategy': '[{"capacityProvider": "FARGATE_SPOT", "weight": 1, "base": 0}]',
    'keep-null-value-keys': 'user, command',
  });
  expect(deploy.runTask?.launch).toEqual({
    capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1, base: 0 }],
  });
  const registered = 'register' in deploy.revision ? deploy.revision.register : undefined;
  expect(registered?.containerDefinitions?.[0]?.user).toBe('');
  const { deploy: plain } = await read({});
  const cleaned = 'register' in plain.revision ? plain.revision.register : undefined;
  expect(cleaned?.containerDefinitions?.[0]).not.toHaveProperty('user');
});

test('without service: register-only, and the one-off task with its own network and launch', async () => {
  const only = await withoutService({});
  expect(only.deploy.service).toBeUndefined();
  const task = await withoutService({
    'run-task': 'true',
    'run-task-subnets': 'subnet-1',
    'run-task-security-groups': 'sg-1',
  });
  expect(task.deploy.runTask?.network?.awsvpcConfiguration).toEqual({
    subnets: ['subnet-1'],
    securityGroups: ['sg-1'],
    assignPublicIp: 'DISABLED',
  });
  const bridge = await withoutService({
    'task-definition': 'bridge.json',
    'run-task': 'true',
    'run-task-launch-type': 'EC2',
  });
  expect(bridge.deploy.runTask?.launch).toEqual({ launchType: 'EC2' });
  // An existing revision with a one-off task: checked against the inputs once it is described.
  const existing = await readOptions(
    memoryIO(
      { 'task-definition-arn': 'batch:3', 'run-task': 'true', 'run-task-container': 'nope' },
      { GITHUB_WORKSPACE: dir },
    ),
  );
  expect(() => existing.deploy.checkRevision?.({ ...BRIDGE, taskDefinitionArn: 'arn' })).toThrow(
    "input 'run-task-container': names no container of the task definition — use one of: job",
  );
});

const RUN = { 'run-task': 'true' };
test.each<[string, Record<string, string>, RegExp]>([
  [
    'overrides together with our command',
    { ...RUN, 'run-task-container-overrides': '[{"name": "api"}]', 'run-task-command': 'bin/rails db:migrate' },
    /input 'run-task-container-overrides': is set together with 'run-task-command' — give the command in one of them/,
  ],
  [
    'an override for a container the task definition does not have',
    { ...RUN, 'run-task-container-overrides': '[{"name": "web", "command": ["x"]}]' },
    /input 'run-task-container-overrides' at \[0\]\.name: names no container of the task definition — use one of: api, worker/,
  ],
  [
    'an override without a name',
    { ...RUN, 'run-task-container-overrides': '[{"command": ["x"]}]' },
    /input 'run-task-container-overrides' at \[0\]: has no 'name'/,
  ],
  [
    'an override field ECS does not take',
    { ...RUN, 'run-task-container-overrides': '[{"name": "api", "entryPoint": ["sh"]}]' },
    /input 'run-task-container-overrides' at \[0\]\.entryPoint: is not a field ECS knows/,
  ],
  [
    'overrides that are not JSON (located, not quoted)',
    { ...RUN, 'run-task-container-overrides': "[{name: 'api'}]" },
    /input 'run-task-container-overrides': is not valid JSON \(unexpected character at line 1, column 3\)/,
  ],
  [
    'a launch type with a capacity provider strategy',
    {
      ...RUN,
      'run-task-launch-type': 'FARGATE',
      'run-task-capacity-provider-strategy': '[{"capacityProvider": "FARGATE"}]',
    },
    /input 'run-task-launch-type': is set together with 'run-task-capacity-provider-strategy' — ECS takes one of them/,
  ],
  [
    'a launch type ECS does not have',
    { ...RUN, 'run-task-launch-type': 'SPOT' },
    /input 'run-task-launch-type': is not a launch type — use one of: EC2, EXTERNAL, FARGATE, MANAGED_INSTANCES/,
  ],
  [
    "a tag with ECS's reserved prefix",
    { ...RUN, 'run-task-tags': '[{"key": "aws:team", "value": "x"}]' },
    /input 'run-task-tags' at \[0\]\.key: uses the reserved prefix 'aws:'/,
  ],
  [
    'a tag without a key',
    { ...RUN, 'run-task-tags': '[{"value": "x"}]' },
    /input 'run-task-tags' at \[0\]: has no 'key'/,
  ],
  [
    'tags given as an object',
    { ...RUN, 'run-task-tags': '{"project": "x"}' },
    /input 'run-task-tags': must be a list, not an object/,
  ],
  ['run-task-tags without run-task', { 'run-task-tags': '[]' }, /input 'run-task-tags': is set but run-task is false/],
  [
    'run-task-assign-public-IP (their case) without run-task',
    { 'run-task-assign-public-IP': 'ENABLED' },
    /input 'run-task-assign-public-ip': is set but run-task is false/,
  ],
  [
    'a volume name without its configuration',
    { 'service-managed-ebs-volume-name': 'ebs1' },
    /input 'service-managed-ebs-volume': is required with 'service-managed-ebs-volume-name'/,
  ],
  [
    'a volume configuration without its name',
    { 'service-managed-ebs-volume': `{"roleArn": "${ROLE}"}` },
    /input 'service-managed-ebs-volume-name': is required with 'service-managed-ebs-volume'/,
  ],
  [
    'a volume without the role ECS needs',
    { 'service-managed-ebs-volume-name': 'ebs1', 'service-managed-ebs-volume': '{"sizeInGiB": 30}' },
    /input 'service-managed-ebs-volume': has no 'roleArn'/,
  ],
  [
    'a volume the task definition does not configure at launch',
    { 'service-managed-ebs-volume-name': 'scratch', 'service-managed-ebs-volume': `{"roleArn": "${ROLE}"}` },
    /input 'service-managed-ebs-volume-name': 'scratch' is not a volume the task definition configures at launch — use one of: ebs1/,
  ],
  [
    'subnets for a task that is not awsvpc',
    { 'task-definition': 'bridge.json', ...RUN, 'run-task-subnets': 'subnet-1' },
    /input 'run-task-subnets': the task definition's network mode is bridge/,
  ],
])('refused: %s', async (_name, inputs, message) => {
  await expect(read(inputs)).rejects.toThrow(message);
});

test.each<[string, Record<string, string>, RegExp]>([
  ['desired-count', { 'desired-count': '2' }, /input 'desired-count': applies to a service, and no service is given/],
  ['keep-revisions', { 'keep-revisions': '5' }, /input 'keep-revisions': applies to a service/],
  ['force-new-deployment', { 'force-new-deployment': 'true' }, /input 'force-new-deployment': applies to a service/],
  [
    'a service volume',
    { 'service-managed-ebs-volume-name': 'ebs1', 'service-managed-ebs-volume': `{"roleArn": "${ROLE}"}` },
    /input 'service-managed-ebs-volume-name': applies to a service/,
  ],
  [
    'a GitHub deployment',
    { environment: 'staging', 'github-token': 't' },
    /input 'environment': records a deployment of a service/,
  ],
  [
    'managed tags with nothing to tag',
    { 'enable-ecs-managed-tags': 'true' },
    /input 'enable-ecs-managed-tags': applies to a service/,
  ],
  [
    'an awsvpc one-off task without subnets',
    RUN,
    /input 'run-task-subnets': is required without a service: the task uses awsvpc networking/,
  ],
  [
    'an existing revision with nothing to do',
    { 'task-definition': '', 'task-definition-arn': 'batch:3' },
    /input 'service': is required with 'task-definition-arn' unless run-task is true/,
  ],
  [
    'keep-null-value-keys with an existing revision',
    {
      'task-definition': '',
      'task-definition-arn': 'batch:3',
      'keep-null-value-keys': 'user',
      ...RUN,
      'run-task-subnets': 's',
    },
    /input 'keep-null-value-keys': applies to a task definition file/,
  ],
])('without service, refused: %s', async (_name, inputs, message) => {
  await expect(withoutService(inputs)).rejects.toThrow(message);
});
