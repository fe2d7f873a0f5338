// Each rollout scenario end to end through the SDK: what a deploy tool polling the simulator would see.
import { GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  DescribeTasksCommand,
  ListServiceDeploymentsCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  UpdateServiceCommand,
  type Task,
} from '@aws-sdk/client-ecs';
import { DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { type AwsSim, type ManualClock, type ScenarioName, manualClock, startAwsSim } from '@deploy-actions/aws-sim';
import { type Clients, clients, destroy, follow } from './helpers';

const CLUSTER = 'learning-platform-cluster1';
const SERVICE = 'learning-platform-nginx';

let sim: AwsSim;
let clock: ManualClock;
let c: Clients;
let seed: ReturnType<AwsSim['seedPlatform']>;

async function start(breaker = { enable: true, rollback: true }): Promise<void> {
  clock = manualClock();
  sim = await startAwsSim({ clock });
  c = clients(sim.env);
  seed = sim.seedPlatform({
    cluster: CLUSTER,
    services: [
      {
        name: SERVICE,
        image: 'nginx:1.27',
        containerName: 'nginx',
        containerPort: 80,
        desiredCount: 2,
        targetGroup: 'nginx-tg',
        circuitBreaker: breaker,
      },
      {
        name: 'api',
        image: 'busybox:latest',
        containerName: 'api',
        containerPort: 8080,
        desiredCount: 1,
        circuitBreaker: breaker,
      },
    ],
  });
}

afterEach(async () => {
  destroy(c);
  await sim.stop();
});

const step = async (): Promise<void> => {
  clock.advance(5_000);
};

async function deploy(service: string, image: string, container = 'nginx'): Promise<string> {
  const td = await c.ecs.send(
    new RegisterTaskDefinitionCommand({
      family: service,
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      containerDefinitions: [
        {
          name: container,
          image,
          essential: true,
          logConfiguration: {
            logDriver: 'awslogs',
            options: {
              'awslogs-group': `/ecs/${service}`,
              'awslogs-region': 'eu-west-2',
              'awslogs-stream-prefix': 'ecs',
            },
          },
        },
      ],
    }),
  );
  const arn = td.taskDefinition?.taskDefinitionArn ?? '';
  await c.ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service, taskDefinition: arn }));
  return arn;
}

async function stoppedTasks(family: string): Promise<Task[]> {
  const list = await c.ecs.send(new ListTasksCommand({ cluster: CLUSTER, desiredStatus: 'STOPPED', family }));
  if ((list.taskArns ?? []).length === 0) return [];
  const out = await c.ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: list.taskArns }));
  return out.tasks ?? [];
}

async function logLines(service: string, container: string, task: Task): Promise<string[]> {
  const id = task.taskArn?.split('/').at(-1) ?? '';
  const out = await c.logs.send(
    new GetLogEventsCommand({
      logGroupName: `/ecs/${service}`,
      logStreamName: `ecs/${container}/${id}`,
      startFromHead: true,
    }),
  );
  return (out.events ?? []).map((e) => e.message ?? '');
}

test('healthy rollout: new tasks start, targets turn healthy, old tasks drain, deployment COMPLETED', async () => {
  await start();
  const before = seed.services[SERVICE]?.taskDefinitionArn;
  const arn = await deploy(SERVICE, 'nginx:1.28');
  const { service, events } = await follow(c.ecs, CLUSTER, SERVICE, step);
  expect(service.taskDefinition).toBe(arn);
  expect(service.deployments).toHaveLength(1);
  expect(service.deployments?.[0]).toMatchObject({
    status: 'PRIMARY',
    taskDefinition: arn,
    rolloutState: 'COMPLETED',
    runningCount: 2,
    desiredCount: 2,
    failedTasks: 0,
  });
  expect(service.runningCount).toBe(2);
  const messages = events.join('\n');
  expect(messages).toMatch(/has started 2 tasks: \(task [0-9a-f]{32}\) \(task [0-9a-f]{32}\)\./);
  expect(messages).toMatch(/registered 2 targets in \(target-group arn:aws:elasticloadbalancing:/);
  expect(messages).toContain('has begun draining connections on 2 tasks.');
  expect(messages).toMatch(/has stopped 2 running tasks/);
  expect(events.at(-1)).toBe(`(service ${SERVICE}) has reached a steady state.`);
  // Targets: exactly the two new tasks' IPs, healthy.
  const health = await c.elb.send(
    new DescribeTargetHealthCommand({ TargetGroupArn: seed.services[SERVICE]?.targetGroupArn }),
  );
  expect(health.TargetHealthDescriptions?.map((t) => t.TargetHealth?.State)).toEqual(['healthy', 'healthy']);
  const running = await c.ecs.send(new ListTasksCommand({ cluster: CLUSTER, serviceName: SERVICE }));
  const tasks = (await c.ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: running.taskArns }))).tasks ?? [];
  expect(tasks.map((t) => t.taskDefinitionArn)).toEqual([arn, arn]);
  const ips = tasks.map((t) => t.attachments?.[0]?.details?.find((d) => d.name === 'privateIPv4Address')?.value).sort();
  expect(health.TargetHealthDescriptions?.map((t) => t.Target?.Id).sort()).toEqual(ips);
  // The old revision's tasks were stopped by the scheduler.
  const old = (await stoppedTasks(SERVICE)).filter((t) => t.taskDefinitionArn === before);
  expect(old).toHaveLength(2);
  expect(old[0]?.stoppedReason).toMatch(/^Scaling activity initiated by \(deployment ecs-svc\/\d{19}\)$/);
  // The service-deployments API agrees.
  const list = await c.ecs.send(new ListServiceDeploymentsCommand({ cluster: CLUSTER, service: SERVICE }));
  expect(list.serviceDeployments?.[0]?.status).toBe('SUCCESSFUL');
  // The new tasks logged their start to the awslogs stream <prefix>/<container>/<task-id>.
  expect((await logLines(SERVICE, 'nginx', tasks[0]!)).join('\n')).toContain('start worker processes');
});

test('the service-deployments API follows a rollout in progress: target and source revisions with task counts', async () => {
  await start();
  const before = seed.services[SERVICE]?.taskDefinitionArn;
  const arn = await deploy(SERVICE, 'nginx:1.28');
  // Step until the new tasks run (targets still in their first health checks).
  await follow(c.ecs, CLUSTER, SERVICE, step, (s) => s.deployments?.[0]?.runningCount === 2);
  const list = await c.ecs.send(
    new ListServiceDeploymentsCommand({ cluster: CLUSTER, service: SERVICE, status: ['IN_PROGRESS'] }),
  );
  expect(list.serviceDeployments).toHaveLength(1);
  const arnOf = list.serviceDeployments?.[0]?.serviceDeploymentArn ?? '';
  expect(arnOf).toMatch(
    /^arn:aws:ecs:eu-west-2:123456789012:service-deployment\/learning-platform-cluster1\/learning-platform-nginx\/\w+$/,
  );
  const d = await c.ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arnOf, `${arnOf}x`] }));
  expect(d.failures).toEqual([{ arn: `${arnOf}x`, reason: 'MISSING' }]);
  const sd = d.serviceDeployments?.[0];
  expect(sd).toMatchObject({
    status: 'IN_PROGRESS',
    targetServiceRevision: { requestedTaskCount: 2, runningTaskCount: 2, pendingTaskCount: 0 },
    sourceServiceRevisions: [{ runningTaskCount: 2 }],
    deploymentCircuitBreaker: { status: 'MONITORING', failureCount: 0, threshold: 3 },
  });
  // The revisions name the task definitions: the target is ours, the source what ran before.
  const revisions = await c.ecs.send(
    new DescribeServiceRevisionsCommand({
      serviceRevisionArns: [sd?.targetServiceRevision?.arn ?? '', sd?.sourceServiceRevisions?.[0]?.arn ?? ''],
    }),
  );
  expect(revisions.serviceRevisions?.map((r) => r.taskDefinition)).toEqual([arn, before]);
  expect(revisions.serviceRevisions?.[0]?.containerImages).toEqual([{ containerName: 'nginx', image: 'nginx:1.28' }]);
});

interface FailureCase {
  scenario: ScenarioName;
  breaker: { enable: boolean; rollback: boolean };
  stoppedReason: RegExp;
  stopCode: string;
  exitCode: number | undefined;
  containerReason?: RegExp;
  event: RegExp;
  logs: RegExp | undefined;
}

const failures: FailureCase[] = [
  {
    scenario: 'crash',
    breaker: { enable: true, rollback: true },
    stoppedReason: /^Essential container in task exited$/,
    stopCode: 'EssentialContainerExited',
    exitCode: 1,
    event: /deployment failed: tasks failed to start\./,
    logs: /host not found in upstream/,
  },
  {
    scenario: 'pull-failure',
    breaker: { enable: true, rollback: true },
    stoppedReason:
      /^CannotPullContainerError: pull image manifest has been retried 7 time\(s\): failed to resolve ref nginx:bad/,
    stopCode: 'TaskFailedToStart',
    exitCode: undefined,
    containerReason: /^CannotPullContainerError/,
    event: /deployment failed: tasks failed to start\./,
    logs: undefined, // the container never started, so it logged nothing (as in AWS)
  },
  {
    scenario: 'unhealthy',
    breaker: { enable: true, rollback: true },
    stoppedReason:
      /^Task failed ELB health checks in \(target-group arn:aws:elasticloadbalancing:eu-west-2:123456789012:targetgroup\/nginx-tg\/[0-9a-f]{16}\)$/,
    stopCode: 'ServiceSchedulerInitiated',
    exitCode: 0,
    event:
      /\(task [0-9a-f]{32}\) \(port 80\) is unhealthy in \(target-group arn:.*\) due to \(reason Health checks failed with these codes: \[502\]\)\./,
    logs: /"GET \/health HTTP\/1.1" 502/,
  },
  {
    // The scenario forces the circuit breaker with rollback on, whatever the service says.
    scenario: 'rollback',
    breaker: { enable: false, rollback: false },
    stoppedReason: /^Essential container in task exited$/,
    stopCode: 'EssentialContainerExited',
    exitCode: 1,
    event: /rolling back to deployment ecs-svc\/\d{19}\./,
    logs: /host not found in upstream/,
  },
];

test.each(failures)('$scenario: the circuit breaker fails the deployment and ECS rolls back', async (f) => {
  await start(f.breaker);
  sim.setScenario({ image: 'bad' }, f.scenario);
  const before = seed.services[SERVICE]?.taskDefinitionArn;
  const arn = await deploy(SERVICE, `nginx:bad-${f.scenario}`);
  const { service, events } = await follow(c.ecs, CLUSTER, SERVICE, step);
  // Rolled back: the PRIMARY deployment runs the previous task definition again, COMPLETED.
  expect(service.taskDefinition).toBe(before);
  expect(service.deployments?.[0]).toMatchObject({
    taskDefinition: before,
    rolloutState: 'COMPLETED',
    runningCount: 2,
  });
  expect(service.deployments?.[0]?.rolloutStateReason).toMatch(/^ECS deployment ecs-svc\/\d{19} completed\.$/);
  const messages = events.join('\n');
  expect(messages).toMatch(f.event);
  expect(messages).toMatch(/\(deployment ecs-svc\/\d{19}\) deployment failed: tasks failed to start\./);
  expect(messages).toMatch(/rolling back to deployment ecs-svc\/\d{19}\./);
  // The new revision's tasks stopped with the scenario's reasons.
  const failed = (await stoppedTasks(SERVICE)).filter((t) => t.taskDefinitionArn === arn);
  expect(failed.length).toBeGreaterThanOrEqual(3);
  for (const t of failed) {
    expect(t.stoppedReason).toMatch(f.stoppedReason);
    expect(t.stopCode).toBe(f.stopCode);
    expect(t.containers?.[0]?.exitCode).toBe(f.exitCode);
    if (f.containerReason) expect(t.containers?.[0]?.reason).toMatch(f.containerReason);
  }
  if (f.logs) expect((await logLines(SERVICE, 'nginx', failed[0]!)).join('\n')).toMatch(f.logs);
  else
    await expect(logLines(SERVICE, 'nginx', failed[0]!)).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  // The service deployment reports the rollback.
  const list = await c.ecs.send(new ListServiceDeploymentsCommand({ cluster: CLUSTER, service: SERVICE }));
  const latest = list.serviceDeployments?.[0];
  expect(latest?.status).toBe('ROLLBACK_SUCCESSFUL');
  const described = await c.ecs.send(
    new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [latest?.serviceDeploymentArn ?? ''] }),
  );
  expect(described.serviceDeployments?.[0]).toMatchObject({
    status: 'ROLLBACK_SUCCESSFUL',
    deploymentCircuitBreaker: { status: 'TRIGGERED', threshold: 3 },
    rollback: { reason: 'ECS deployment circuit breaker: tasks failed to start.' },
  });
});

test('unhealthy without a load balancer: container health checks fail, ECS replaces the task, then rolls back', async () => {
  await start();
  sim.setScenario({ image: 'sick' }, 'unhealthy');
  const arn = await deploy('api', 'busybox:sick', 'api');
  const { service } = await follow(c.ecs, CLUSTER, 'api', step);
  expect(service.taskDefinition).toBe(seed.services['api']?.taskDefinitionArn);
  const failed = (await stoppedTasks('api')).filter((t) => t.taskDefinitionArn === arn);
  expect(failed.length).toBeGreaterThanOrEqual(3);
  expect(failed[0]).toMatchObject({
    stoppedReason: 'Task failed container health checks',
    stopCode: 'ServiceSchedulerInitiated',
  });
  expect(failed[0]?.containers?.[0]?.exitCode).toBe(137);
});

test('StopTask on a service task: it stops with the given reason and the service replaces it', async () => {
  await start();
  const listed = await c.ecs.send(new ListTasksCommand({ cluster: CLUSTER, serviceName: 'api' }));
  const victim = listed.taskArns?.[0] ?? '';
  const stopped = await c.ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: victim, reason: 'on-call restart' }));
  expect(stopped.task).toMatchObject({ desiredStatus: 'STOPPED', lastStatus: 'RUNNING' });
  const { service, events } = await follow(
    c.ecs,
    CLUSTER,
    'api',
    step,
    (s) => s.runningCount === 1 && s.pendingCount === 0 && (s.events?.length ?? 0) > 2,
  );
  expect(service.deployments).toHaveLength(1);
  expect(events.join('\n')).toMatch(/has started 1 tasks: \(task [0-9a-f]{32}\)\./);
  const task = (await c.ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [victim] }))).tasks?.[0];
  expect(task).toMatchObject({ lastStatus: 'STOPPED', stoppedReason: 'on-call restart', stopCode: 'UserInitiated' });
  const running = await c.ecs.send(new ListTasksCommand({ cluster: CLUSTER, serviceName: 'api' }));
  expect(running.taskArns).toHaveLength(1);
  expect(running.taskArns).not.toContain(victim);
});

test.each([
  { from: 2, to: 3 },
  { from: 2, to: 1 },
])('UpdateService desiredCount $from -> $to scales the deployment without a new one', async ({ to }) => {
  await start();
  await c.ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: SERVICE, desiredCount: to }));
  const { service } = await follow(c.ecs, CLUSTER, SERVICE, step, (s) => s.runningCount === to && s.pendingCount === 0);
  expect(service.deployments).toHaveLength(1);
  expect(service.deployments?.[0]).toMatchObject({ rolloutState: 'COMPLETED', desiredCount: to, runningCount: to });
  const health = await c.elb.send(
    new DescribeTargetHealthCommand({ TargetGroupArn: seed.services[SERVICE]?.targetGroupArn }),
  );
  // Let draining targets (scale-in) go, then every remaining target is a healthy running task.
  for (let i = 0; i < 20; i++) clock.advance(5_000);
  const settled = await c.elb.send(
    new DescribeTargetHealthCommand({ TargetGroupArn: seed.services[SERVICE]?.targetGroupArn }),
  );
  expect(health.TargetHealthDescriptions?.length).toBeGreaterThanOrEqual(to);
  expect(settled.TargetHealthDescriptions?.map((t) => t.TargetHealth?.State)).toEqual(
    Array<string>(to).fill('healthy'),
  );
});

test('crash without a circuit breaker: ECS keeps replacing tasks, the deployment stays IN_PROGRESS', async () => {
  await start({ enable: false, rollback: false });
  sim.setScenario({ service: SERVICE }, 'crash');
  const arn = await deploy(SERVICE, 'nginx:1.28');
  const { service } = await follow(c.ecs, CLUSTER, SERVICE, step, (s) => (s.deployments?.[0]?.failedTasks ?? 0) >= 8);
  expect(service.taskDefinition).toBe(arn);
  expect(service.deployments?.[0]).toMatchObject({ status: 'PRIMARY', rolloutState: 'IN_PROGRESS' });
  // The old deployment keeps serving meanwhile.
  expect(service.deployments?.[1]).toMatchObject({ status: 'ACTIVE', runningCount: 2 });
});

test('circuit breaker without rollback: the deployment is FAILED and stays PRIMARY', async () => {
  await start({ enable: true, rollback: false });
  sim.setScenario({ image: 'bad' }, 'crash');
  const arn = await deploy(SERVICE, 'nginx:bad');
  const { service } = await follow(c.ecs, CLUSTER, SERVICE, step, (s) => s.deployments?.[0]?.rolloutState === 'FAILED');
  expect(service.deployments?.[0]).toMatchObject({
    taskDefinition: arn,
    rolloutState: 'FAILED',
    rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.',
  });
  const list = await c.ecs.send(new ListServiceDeploymentsCommand({ cluster: CLUSTER, service: SERVICE }));
  expect(list.serviceDeployments?.[0]?.status).toBe('STOPPED');
});

test('slow: tasks stay PENDING far longer than any deploy waits', async () => {
  await start();
  sim.setScenario({ image: 'slow' }, 'slow');
  const arn = await deploy(SERVICE, 'nginx:slow');
  // Two simulated hours later the deployment is still in progress with its tasks pending.
  for (let i = 0; i < 24; i++) clock.advance(300_000);
  const { service } = await follow(c.ecs, CLUSTER, SERVICE, step, () => true);
  expect(service.deployments?.[0]).toMatchObject({
    taskDefinition: arn,
    rolloutState: 'IN_PROGRESS',
    pendingCount: 2,
    runningCount: 0,
  });
});

test('scenario rules: per service, per image substring, newest rule wins', async () => {
  await start();
  sim.setScenario({ service: 'api' }, 'crash');
  sim.setScenario({ image: 'fixed' }, 'healthy');
  // A rule for another service does not apply.
  const nginx = await deploy(SERVICE, 'nginx:1.28');
  expect((await follow(c.ecs, CLUSTER, SERVICE, step)).service.taskDefinition).toBe(nginx);
  // The newer image rule wins over the older service rule.
  const fixed = await deploy('api', 'busybox:fixed', 'api');
  const { service } = await follow(c.ecs, CLUSTER, 'api', step);
  expect(service.taskDefinition).toBe(fixed);
  expect(service.deployments?.[0]?.rolloutState).toBe('COMPLETED');
});

test('a service whose every revision crashes: the rollback fails too and ECS stops there', async () => {
  await start();
  sim.setScenario({ service: 'api' }, 'crash');
  const before = seed.services['api']?.taskDefinitionArn;
  await deploy('api', 'busybox:broken', 'api');
  const { service } = await follow(
    c.ecs,
    CLUSTER,
    'api',
    step,
    (s) => (s.deployments ?? []).filter((d) => d.rolloutState === 'FAILED').length === 2,
  );
  expect(service.deployments?.[0]).toMatchObject({ taskDefinition: before, rolloutState: 'FAILED' });
  expect(service.deployments?.[0]?.rolloutStateReason).toBe('ECS deployment circuit breaker: tasks failed to start.');
  const list = await c.ecs.send(new ListServiceDeploymentsCommand({ cluster: CLUSTER, service: 'api' }));
  expect(list.serviceDeployments?.[0]?.status).toBe('ROLLBACK_FAILED');
});

test.each([
  { scenario: 'healthy' as const, image: 'busybox:migrate', exitCode: 0, line: /AddIndexes: migrated/ },
  { scenario: 'crash' as const, image: 'busybox:crash', exitCode: 1, line: /ActiveRecord::ConnectionNotEstablished/ },
])(
  'one-off task ($scenario): runs the command override, stops with exit code $exitCode',
  async ({ scenario, image, exitCode, line }) => {
    await start();
    sim.setScenario({ image: 'crash' }, 'crash');
    const td = await c.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: `migrate-${scenario}`,
        networkMode: 'awsvpc',
        cpu: '256',
        memory: '512',
        containerDefinitions: [
          {
            name: 'api',
            image,
            logConfiguration: {
              logDriver: 'awslogs',
              options: { 'awslogs-group': '/ecs/api', 'awslogs-stream-prefix': 'ecs' },
            },
          },
        ],
      }),
    );
    const run = await c.ecs.send(
      new RunTaskCommand({
        cluster: CLUSTER,
        taskDefinition: td.taskDefinition?.taskDefinitionArn,
        launchType: 'FARGATE',
        networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-0abc'] } },
        overrides: { containerOverrides: [{ name: 'api', command: ['bin/rails', 'db:migrate'] }] },
      }),
    );
    const taskArn = run.tasks?.[0]?.taskArn ?? '';
    expect(run.tasks?.[0]?.lastStatus).toBe('PROVISIONING');
    let task: Task | undefined;
    for (let i = 0; i < 40 && task?.lastStatus !== 'STOPPED'; i++) {
      clock.advance(5_000);
      task = (await c.ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [taskArn] }))).tasks?.[0];
    }
    expect(task).toMatchObject({
      lastStatus: 'STOPPED',
      stopCode: 'EssentialContainerExited',
      stoppedReason: 'Essential container in task exited',
    });
    expect(task?.containers?.[0]?.exitCode).toBe(exitCode);
    expect(task?.overrides?.containerOverrides?.[0]?.command).toEqual(['bin/rails', 'db:migrate']);
    const lines = (await logLines('api', 'api', task!)).join('\n');
    expect(lines).toContain('bin/rails db:migrate');
    expect(lines).toMatch(line);
  },
);

test('at the default time scale (1 simulated minute per 100 ms) a healthy rollout settles while a client polls in real time', async () => {
  sim = await startAwsSim();
  c = clients(sim.env);
  seed = sim.seedPlatform();
  const service = 'learning-platform-nginx';
  const before = sim.now();
  const td = await c.ecs.send(
    new RegisterTaskDefinitionCommand({
      family: service,
      networkMode: 'awsvpc',
      cpu: '256',
      memory: '512',
      containerDefinitions: [{ name: 'nginx', image: 'nginx:1.28', essential: true }],
    }),
  );
  await c.ecs.send(
    new UpdateServiceCommand({ cluster: CLUSTER, service, taskDefinition: td.taskDefinition?.taskDefinitionArn }),
  );
  const realSleep = () => new Promise<void>((r) => setTimeout(r, 25));
  const { service: svc, events } = await follow(c.ecs, CLUSTER, service, realSleep);
  expect(svc.deployments?.[0]).toMatchObject({
    taskDefinition: td.taskDefinition?.taskDefinitionArn,
    rolloutState: 'COMPLETED',
  });
  expect(events.at(-1)).toBe(`(service ${service}) has reached a steady state.`);
  // Simulated time moved on by (at least) the rollout's simulated duration: launch, pull, health checks, draining.
  expect(sim.now() - before).toBeGreaterThanOrEqual(95_000);
});
