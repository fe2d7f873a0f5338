// The one-off task's RunTask request, exactly as sent, for every launch/network/override combination; not
// waiting; and the phases that carry aws-actions' inputs (the service's EBS volume, register-only mode).
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListServiceDeploymentsCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  UpdateServiceCommand,
  type Service,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ConfigError } from '@deploy-actions/core';
import { memoryIO } from '@deploy-actions/testing';
import { mockClient } from 'aws-sdk-client-mock';
import { deployService } from '../../src/deploy';
import type { DeployDeps } from '../../src/deps';
import type { DeployOptions, RunTaskSpec } from '../../src/options';
import { runOneOffTask, runTaskRequest, type RunTaskOptions } from '../../src/run-task';
import { registerOnly } from '../../src/standalone';
import { dep, fakeClock, OURS } from './fixtures';

const creds = { region: 'eu-west-2', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } };
const ecs = new ECSClient(creds);
const ecsMock = mockClient(ecs);
const ROLE = 'arn:aws:iam::123456789012:role/ecsInfrastructureRole';
const TASK = 'arn:aws:ecs:eu-west-2:123456789012:task/c/0123456789abcdef';

const TD: TaskDefinition = {
  taskDefinitionArn: OURS,
  family: 'web',
  networkMode: 'awsvpc',
  containerDefinitions: [
    { name: 'side', image: 'envoy', essential: false },
    { name: 'web', image: 'nginx', essential: true },
  ],
};
const SERVICE: Service = {
  serviceName: 'web',
  status: 'ACTIVE',
  capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }],
  platformVersion: '1.4.0',
  networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'], assignPublicIp: 'DISABLED' } },
  deployments: [dep({ id: 'ecs-svc/1', taskDefinition: 'arn:aws:ecs:eu-west-2:123456789012:task-definition/web:7' })],
};

function deps(): { deps: DeployDeps; io: ReturnType<typeof memoryIO> } {
  ecsMock.reset();
  const io = memoryIO({});
  return {
    io,
    deps: {
      ecs,
      elb: new ElasticLoadBalancingV2Client(creds),
      logs: () => new CloudWatchLogsClient(creds),
      clock: fakeClock(),
      log: io.log,
      redact: (t) => t,
    },
  };
}

const options = (spec: Partial<RunTaskSpec>, service: Service | undefined): RunTaskOptions => ({
  cluster: 'c',
  taskDefinition: TD,
  spec: { startedBy: 'deploy-actions', wait: true, ...spec },
  service,
  deadline: 60_000,
  waitMinutes: 1,
  pollMs: 1000,
  logLines: 5,
});

test.each<[string, Partial<RunTaskSpec>, Service | undefined, Record<string, unknown>]>([
  [
    "the service's capacity providers, platform and network; the command on the first essential container",
    { command: ['bin/rails', 'db:migrate'] },
    SERVICE,
    {
      capacityProviderStrategy: SERVICE.capacityProviderStrategy,
      platformVersion: '1.4.0',
      networkConfiguration: SERVICE.networkConfiguration,
      overrides: { containerOverrides: [{ name: 'web', command: ['bin/rails', 'db:migrate'] }] },
    },
  ],
  [
    'a launch type of its own: no capacity providers, no platform version of the service',
    { launch: { launchType: 'EC2' } },
    SERVICE,
    { launchType: 'EC2', networkConfiguration: SERVICE.networkConfiguration },
  ],
  [
    'a strategy of its own',
    { launch: { capacityProviderStrategy: [{ capacityProvider: 'FARGATE', base: 1 }] } },
    SERVICE,
    {
      capacityProviderStrategy: [{ capacityProvider: 'FARGATE', base: 1 }],
      networkConfiguration: SERVICE.networkConfiguration,
    },
  ],
  [
    "a public IP on the service's network",
    { assignPublicIp: 'ENABLED' },
    SERVICE,
    {
      capacityProviderStrategy: SERVICE.capacityProviderStrategy,
      platformVersion: '1.4.0',
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'], assignPublicIp: 'ENABLED' } },
    },
  ],
  [
    'without a service: FARGATE and the given network; their overrides, tags, managed tags and volume as given',
    {
      network: { awsvpcConfiguration: { subnets: ['subnet-9'], assignPublicIp: 'DISABLED' } },
      containerOverrides: [
        { name: 'side', command: ['true'] },
        { name: 'web', environment: [{ name: 'A', value: '' }] },
      ],
      tags: [{ key: 'project', value: 'myproject' }],
      enableEcsManagedTags: true,
      volume: { name: 'ebs1', managedEBSVolume: { roleArn: ROLE, sizeInGiB: 30, filesystemType: 'xfs' } },
    },
    undefined,
    {
      launchType: 'FARGATE',
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-9'], assignPublicIp: 'DISABLED' } },
      overrides: {
        containerOverrides: [
          { name: 'side', command: ['true'] },
          { name: 'web', environment: [{ name: 'A', value: '' }] },
        ],
      },
      tags: [{ key: 'project', value: 'myproject' }],
      enableECSManagedTags: true,
      volumeConfigurations: [
        { name: 'ebs1', managedEBSVolume: { roleArn: ROLE, sizeInGiB: 30, filesystemType: 'xfs' } },
      ],
    },
  ],
])('RunTask: %s', (_name, spec, service, expected) => {
  expect(runTaskRequest(options(spec, service))).toEqual({
    cluster: 'c',
    taskDefinition: OURS,
    count: 1,
    startedBy: 'deploy-actions',
    ...expected,
  });
});

test('a public IP setting with no awsvpc network to apply it to is refused before RunTask', () => {
  expect(() =>
    runTaskRequest(options({ assignPublicIp: 'ENABLED' }, { ...SERVICE, networkConfiguration: undefined })),
  ).toThrow(/needs an awsvpc network configuration/);
});

test('wait false: started and reported, never described or waited for', async () => {
  const { deps: d, io } = deps();
  ecsMock.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK, lastStatus: 'PROVISIONING' }] });
  const ran = await runOneOffTask(d, options({ wait: false }, SERVICE));
  expect(ran).toEqual({ taskArn: TASK, waited: false, report: [expect.stringMatching(/not waiting for it to stop/)] });
  expect(ecsMock.commandCalls(DescribeTasksCommand)).toHaveLength(0);
  expect(io.lines.join('\n')).toContain('its exit code is not checked');
});

test('a container given a command that never ran fails the task even when not essential', async () => {
  const { deps: d } = deps();
  ecsMock.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK, lastStatus: 'PROVISIONING' }] });
  ecsMock.on(DescribeTasksCommand).resolves({
    tasks: [{ taskArn: TASK, lastStatus: 'STOPPED', containers: [{ name: 'web', exitCode: 0 }, { name: 'side' }] }],
  });
  const spec = { containerOverrides: [{ name: 'side', command: ['bin/migrate'] }] };
  await expect(
    runOneOffTask(d, { ...options(spec, SERVICE), untouched: 'the service was not updated' }),
  ).rejects.toThrow(/side has no exit code; .*the service was not updated$/);
});

const service = (over: Partial<Service> = {}): Service => ({
  ...SERVICE,
  deployments: [
    dep({
      id: 'ecs-svc/1',
      taskDefinition: 'arn:aws:ecs:eu-west-2:123456789012:task-definition/web:7',
      rolloutState: 'COMPLETED',
      runningCount: 2,
      pendingCount: 0,
    }),
  ],
  ...over,
});

const deployOptions = (over: Partial<DeployOptions>): DeployOptions => ({
  cluster: 'c',
  service: 'web',
  region: 'eu-west-2',
  revision: { register: { family: 'web', containerDefinitions: TD.containerDefinitions ?? [] } },
  wait: true,
  waitMinutes: 1,
  pollSeconds: 1,
  waitUntil: { kind: 'completed' },
  forceNewDeployment: false,
  rollback: true,
  logLines: 5,
  ...over,
});

test('the service-managed EBS volume goes into UpdateService (and nothing about volumes when none is given)', async () => {
  for (const volume of [{ name: 'ebs1', managedEBSVolume: { roleArn: ROLE, sizeInGiB: 30 } }, undefined]) {
    const { deps: d } = deps();
    ecsMock.on(DescribeServicesCommand).resolves({ services: [service()] });
    ecsMock.on(RegisterTaskDefinitionCommand).resolves({ taskDefinition: TD });
    ecsMock.on(UpdateServiceCommand).resolves({ service: service() });
    const r = await deployService(d, deployOptions({ wait: false, serviceVolume: volume }));
    expect(r.outcome).toBe('succeeded');
    const input = ecsMock.commandCalls(UpdateServiceCommand)[0]?.args[0].input;
    if (volume) expect(input?.volumeConfigurations).toEqual([volume]);
    else expect(input).not.toHaveProperty('volumeConfigurations');
  }
});

test('an existing revision that does not fit the inputs is refused before any task or update', async () => {
  const { deps: d } = deps();
  ecsMock.on(DescribeServicesCommand).resolves({ services: [service()] });
  ecsMock.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: { ...TD, status: 'ACTIVE' } });
  const checked: string[] = [];
  const run = deployService(
    d,
    deployOptions({
      revision: { existing: 'web:8' },
      runTask: { startedBy: 'x', wait: true, container: 'api' },
      checkRevision: (td) => {
        checked.push(td.taskDefinitionArn ?? '');
        throw new ConfigError("input 'run-task-container'", 'names no container of the task definition');
      },
    }),
  );
  await expect(run).rejects.toThrow("input 'run-task-container'");
  expect(checked).toEqual([OURS]);
  expect(ecsMock.commandCalls(RunTaskCommand)).toHaveLength(0);
  expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(0);
});

test('register-only: registers, runs the one-off task, touches no service', async () => {
  const { deps: d } = deps();
  ecsMock.on(RegisterTaskDefinitionCommand).resolves({ taskDefinition: TD });
  ecsMock.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK, lastStatus: 'PROVISIONING' }] });
  ecsMock.on(DescribeTasksCommand).resolves({
    tasks: [
      {
        taskArn: TASK,
        lastStatus: 'STOPPED',
        containers: [
          { name: 'web', exitCode: 0 },
          { name: 'side', exitCode: 0 },
        ],
      },
    ],
  });
  const base = {
    cluster: 'c',
    region: 'eu-west-2',
    revision: { register: { family: 'web', containerDefinitions: TD.containerDefinitions ?? [] } },
    waitMinutes: 1,
    pollSeconds: 1,
    logLines: 0,
  };
  const only = await registerOnly(d, base);
  expect(only).toMatchObject({
    outcome: 'succeeded',
    taskDefinitionArn: OURS,
    registered: true,
    runTaskArn: undefined,
  });
  expect(only.message).toBe('registered web:8; no service given, so nothing was deployed');
  expect(ecsMock.commandCalls(RunTaskCommand)).toHaveLength(0);

  const network = { awsvpcConfiguration: { subnets: ['subnet-9'] } };
  const ran = await registerOnly(d, { ...base, runTask: { startedBy: 'GitHub-Actions', wait: true, network } });
  expect(ran).toMatchObject({ outcome: 'succeeded', runTaskArn: TASK });
  expect(ran.message).toMatch(/registered web:8 and ran a one-off task from it \(it exited 0\)/);
  expect(ecsMock.commandCalls(RunTaskCommand)[0]?.args[0].input).toMatchObject({
    launchType: 'FARGATE',
    networkConfiguration: network,
  });
  expect(ecsMock.commandCalls(DescribeServicesCommand)).toHaveLength(0);
  expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(0);

  ecsMock.on(DescribeTasksCommand).resolves({
    tasks: [
      {
        taskArn: TASK,
        lastStatus: 'STOPPED',
        stoppedReason: 'Essential container in task exited',
        containers: [{ name: 'web', exitCode: 3 }],
      },
    ],
  });
  const failed = await registerOnly(d, { ...base, runTask: { startedBy: 'x', wait: true, network } });
  expect(failed).toMatchObject({ outcome: 'failed', cause: 'run-task', runTaskArn: TASK });
  expect(failed.message).toMatch(/failed \(web exited 3; Essential container in task exited\)$/);
});

test('a rollback by UpdateService puts back the EBS volume the previous revision ran with', async () => {
  const { deps: d } = deps();
  const PREV = 'arn:aws:ecs:eu-west-2:123456789012:task-definition/web:7';
  const before = { name: 'ebs1', managedEBSVolume: { roleArn: ROLE, sizeInGiB: 20 } };
  const ours = { name: 'ebs1', managedEBSVolume: { roleArn: ROLE, sizeInGiB: 500 } };
  const complete = { rolloutState: 'COMPLETED' as const, runningCount: 2, pendingCount: 0 };
  const previous = dep({ id: 'ecs-svc/1', taskDefinition: PREV, ...complete, volumeConfigurations: [before] });
  let phase: 'before' | 'failed' | 'back' = 'before';
  const now = (): Service => {
    if (phase === 'before') return service({ deployments: [previous] });
    if (phase === 'back') return service({ deployments: [{ ...previous, id: 'ecs-svc/3' }] });
    const failed = dep({ rolloutState: 'FAILED', rolloutStateReason: 'tasks failed to start', failedTasks: 3 });
    return service({ deployments: [failed, { ...previous, status: 'ACTIVE' }] });
  };
  const notHere = Object.assign(new Error('not here'), { name: 'UnknownOperationException' });
  ecsMock.on(ListServiceDeploymentsCommand).rejects(notHere);
  ecsMock.on(DescribeServicesCommand).callsFake(() => ({ services: [now()] }));
  ecsMock.on(RegisterTaskDefinitionCommand).resolves({ taskDefinition: TD });
  ecsMock.on(ListTasksCommand).resolves({ taskArns: [] });
  ecsMock.on(UpdateServiceCommand).callsFake((input: { taskDefinition?: string }) => {
    phase = input.taskDefinition === PREV ? 'back' : 'failed';
    return { service: now() };
  });
  const r = await deployService(d, deployOptions({ serviceVolume: ours }));
  expect(r.outcome).toBe('rolled-back');
  const updates = ecsMock.commandCalls(UpdateServiceCommand).map((c) => c.args[0].input);
  expect(updates.map((u) => [u.taskDefinition, u.volumeConfigurations])).toEqual([
    [OURS, [ours]],
    [PREV, [before]],
  ]);
});
