// The in-process API the tests and the demo use: seeding, registry wiring, in-process calls, rule reset.
import { CreateRepositoryCommand, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { DescribeTargetGroupsCommand, DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { GetParametersByPathCommand } from '@aws-sdk/client-ssm';
import { type AwsSim, PLATFORM_SEED, startAwsSim } from '@deploy-actions/aws-sim';
import { type Clients, clients, destroy } from './helpers';

let sim: AwsSim;
let c: Clients;
beforeEach(async () => {
  sim = await startAwsSim();
  c = clients(sim.env, 1);
});
afterEach(async () => {
  destroy(c);
  await sim.stop();
});

test('seedPlatform() creates the platform of the seed document already steady', async () => {
  const seed = sim.seedPlatform();
  expect(seed.clusterArn).toBe('arn:aws:ecs:eu-west-2:123456789012:cluster/learning-platform-cluster1');
  const out = await c.ecs.send(
    new DescribeServicesCommand({
      cluster: PLATFORM_SEED.cluster,
      services: ['learning-platform-nginx', 'learning-platform-api'],
    }),
  );
  expect(
    out.services?.map((s) => [s.serviceName, s.runningCount, s.desiredCount, s.deployments?.[0]?.rolloutState]),
  ).toEqual([
    ['learning-platform-nginx', 2, 2, 'COMPLETED'],
    ['learning-platform-api', 1, 1, 'COMPLETED'],
  ]);
  expect(out.services?.[0]?.deploymentConfiguration?.deploymentCircuitBreaker).toEqual({
    enable: true,
    rollback: true,
  });
  expect(out.services?.[0]?.loadBalancers?.[0]).toMatchObject({ containerName: 'nginx', containerPort: 80 });
  const nginx = seed.services['learning-platform-nginx'];
  expect(nginx?.taskDefinitionArn).toBe('arn:aws:ecs:eu-west-2:123456789012:task-definition/learning-platform-nginx:1');
  const health = await c.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: nginx?.targetGroupArn }));
  expect(health.TargetHealthDescriptions?.map((t) => t.TargetHealth?.State)).toEqual(['healthy', 'healthy']);
  expect(seed.services['learning-platform-api']?.targetGroupArn).toBeUndefined();
});

test('seed parameters are readable through SSM, SecureStrings decrypted only on request', async () => {
  sim.seedPlatform({
    cluster: 'c',
    services: [],
    parameters: [
      { name: '/learning-platform/staging/HOST_NAME', value: 'staging.zanda360.com' },
      { name: '/learning-platform/staging/POSTGRES_PASSWORD', value: 'pw', type: 'SecureString' },
    ],
  });
  const sealed = await c.ssm.send(new GetParametersByPathCommand({ Path: '/learning-platform/staging' }));
  expect(sealed.Parameters?.map((p) => [p.Name, p.Type, p.Value === 'pw'])).toEqual([
    ['/learning-platform/staging/HOST_NAME', 'String', false],
    ['/learning-platform/staging/POSTGRES_PASSWORD', 'SecureString', false],
  ]);
  const open = await c.ssm.send(
    new GetParametersByPathCommand({ Path: '/learning-platform/staging', WithDecryption: true }),
  );
  expect(open.Parameters?.map((p) => p.Value)).toEqual(['staging.zanda360.com', 'pw']);
});

test('setRegistry points ECR authorization and repository URIs at a local registry', async () => {
  sim.setRegistry('http://127.0.0.1:5999', 'registry-pass');
  const token = await c.ecr.send(new GetAuthorizationTokenCommand({}));
  expect(token.authorizationData?.[0]?.proxyEndpoint).toBe('http://127.0.0.1:5999');
  expect(Buffer.from(token.authorizationData?.[0]?.authorizationToken ?? '', 'base64').toString()).toBe(
    'AWS:registry-pass',
  );
  const repo = await c.ecr.send(new CreateRepositoryCommand({ repositoryName: 'learning-platform/frontend' }));
  expect(repo.repository?.repositoryUri).toBe('127.0.0.1:5999/learning-platform/frontend');
});

test('in-process calls are not recorded; HTTP calls are', async () => {
  sim.seedPlatform();
  sim.call('ecs', 'DescribeServices', { cluster: PLATFORM_SEED.cluster, services: ['learning-platform-api'] });
  expect(sim.calls).toEqual([]);
  await c.ecs.send(
    new DescribeServicesCommand({ cluster: PLATFORM_SEED.cluster, services: ['learning-platform-api'] }),
  );
  expect(sim.calls).toEqual([
    {
      service: 'ecs',
      operation: 'DescribeServices',
      input: { cluster: PLATFORM_SEED.cluster, services: ['learning-platform-api'] },
    },
  ]);
});

test('an unknown operation is a typed error naming it', async () => {
  expect(() => sim.call('ecs', 'CreateTaskSet', {})).toThrow(/CreateTaskSet is not supported by the simulator/);
  const res = await fetch(sim.endpoint, {
    method: 'POST',
    headers: {
      'x-amz-target': 'AmazonEC2ContainerServiceV20141113.CreateTaskSet',
      'content-type': 'application/x-amz-json-1.1',
    },
    body: '{}',
  });
  expect(res.status).toBe(400);
  expect(await res.json()).toEqual({
    __type: 'UnknownOperationException',
    message: 'Operation CreateTaskSet is not supported by the simulator',
  });
});

test('an empty list in a query request (DescribeTargetGroups Names: []) means "no filter"', async () => {
  sim.seedPlatform();
  const out = await c.elb.send(new DescribeTargetGroupsCommand({ Names: [] }));
  expect(out.TargetGroups?.map((g) => g.TargetGroupName)).toEqual(['learning-platform-nginx-tg']);
});

test('managed EBS volumes: a volume configured at launch with a role; UpdateService keeps them on its deployment', async () => {
  sim.seedPlatform();
  const registered = sim.call('ecs', 'RegisterTaskDefinition', {
    family: 'learning-platform-nginx',
    networkMode: 'awsvpc',
    memory: '512',
    volumes: [{ name: 'ebs1', configuredAtLaunch: true }, { name: 'scratch' }],
    containerDefinitions: [{ name: 'nginx', image: 'nginx:1.29' }],
  });
  const arn = (registered['taskDefinition'] as Record<string, string>)['taskDefinitionArn'] ?? '';
  const update = (name: string, managedEBSVolume: Record<string, unknown>) => () =>
    sim.call('ecs', 'UpdateService', {
      cluster: PLATFORM_SEED.cluster,
      service: 'learning-platform-nginx',
      taskDefinition: arn,
      volumeConfigurations: [{ name, managedEBSVolume }],
    });
  const role = 'arn:aws:iam::123456789012:role/ecsInfrastructureRole';
  expect(update('scratch', { roleArn: role })).toThrow(/does not match a volume configured at launch/);
  expect(update('ebs1', { sizeInGiB: 30 })).toThrow(/roleArn must be specified/);
  update('ebs1', { roleArn: role, sizeInGiB: 30 })();
  const out = await c.ecs.send(
    new DescribeServicesCommand({ cluster: PLATFORM_SEED.cluster, services: ['learning-platform-nginx'] }),
  );
  expect(out.services?.[0]?.deployments?.[0]?.volumeConfigurations).toEqual([
    { name: 'ebs1', managedEBSVolume: { roleArn: role, sizeInGiB: 30 } },
  ]);
  expect(out.services?.[0]?.deployments?.[1]?.volumeConfigurations).toBeUndefined();
});

test('RunTask refuses an override for a container the task definition does not have, as ECS does', () => {
  sim.seedPlatform();
  expect(() =>
    sim.call('ecs', 'RunTask', {
      cluster: PLATFORM_SEED.cluster,
      taskDefinition: 'learning-platform-api:1',
      overrides: { containerOverrides: [{ name: 'web', command: ['x'] }] },
    }),
  ).toThrow('Override for container named web is not a container in the TaskDefinition.');
});
