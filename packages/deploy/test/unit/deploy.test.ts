import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  DeregisterTaskDefinitionCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListServiceDeploymentsCommand,
  ListServicesCommand,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopServiceDeploymentCommand,
  UpdateServiceCommand,
  type Service,
  type ServiceDeployment,
  type Deployment,
  type RegisterTaskDefinitionCommandInput,
  type Task,
} from '@aws-sdk/client-ecs';
import { DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { redact } from '@deploy-actions/core';
import { memoryIO } from '@deploy-actions/testing';
import { mockClient } from 'aws-sdk-client-mock';
import { deployService } from '../../src/deploy';
import type { DeployOptions } from '../../src/options';
import type { DeployDeps } from '../../src/deps';
import { deploySummary } from '../../src/summary';
import { ARN, dep, fakeClock, OURS, PREV, prevDep } from './fixtures';

const TG = 'arn:aws:elasticloadbalancing:eu-west-2:123456789012:targetgroup/web/abc';
const SECRET = 'hunter2-very-secret-value';

let eventId = 0;
const svc = (deployments: Deployment[], events: string[] = [], over: Partial<Service> = {}): Service => ({
  serviceName: 'web',
  status: 'ACTIVE',
  desiredCount: 2,
  runningCount: 2,
  taskDefinition: deployments[0]?.taskDefinition,
  launchType: 'FARGATE',
  networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'], securityGroups: ['sg-1'] } },
  loadBalancers: [{ targetGroupArn: TG, containerName: 'web', containerPort: 80 }],
  deployments,
  events: events.map((message) => ({
    id: `e${++eventId}`,
    message,
    createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, eventId)),
  })),
  ...over,
});

const ecs = new ECSClient({ region: 'eu-west-2', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
const elb = new ElasticLoadBalancingV2Client({
  region: 'eu-west-2',
  credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
});
const logs = new CloudWatchLogsClient({ region: 'eu-west-2', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
const ecsMock = mockClient(ecs);
const elbMock = mockClient(elb);
const logsMock = mockClient(logs);

function setup(): { deps: DeployDeps; io: ReturnType<typeof memoryIO>; clock: ReturnType<typeof fakeClock> } {
  ecsMock.reset();
  elbMock.reset();
  logsMock.reset();
  const io = memoryIO({});
  const clock = fakeClock();
  ecsMock.on(RegisterTaskDefinitionCommand).resolves({
    taskDefinition: {
      taskDefinitionArn: OURS,
      family: 'web',
      revision: 8,
      containerDefinitions: taskDefinition.containerDefinitions ?? [],
    },
  });
  const notHere = Object.assign(new Error('not here'), { name: 'UnknownOperationException' });
  ecsMock.on(ListServiceDeploymentsCommand).rejects(notHere);
  ecsMock.on(DescribeServiceDeploymentsCommand).rejects(notHere);
  ecsMock.on(UpdateServiceCommand).callsFake((input: { taskDefinition?: string }) => ({
    service: svc([
      dep({
        taskDefinition: input.taskDefinition ?? OURS,
        id: input.taskDefinition === PREV ? 'ecs-svc/9' : 'ecs-svc/2',
      }),
      prevDep({ status: 'ACTIVE' }),
    ]),
  }));
  const running: Task[] = [1, 2].map((n) => ({
    taskArn: `arn:aws:ecs:eu-west-2:123456789012:task/c/t${n}`,
    taskDefinitionArn: OURS,
    lastStatus: 'RUNNING',
    attachments: [{ details: [{ name: 'privateIPv4Address', value: `10.0.0.${n}` }] }],
  }));
  ecsMock
    .on(ListTasksCommand, { desiredStatus: 'RUNNING' })
    .resolves({ taskArns: running.map((t) => t.taskArn ?? '') });
  ecsMock.on(DescribeTasksCommand).resolves({ tasks: running });
  elbMock.on(DescribeTargetHealthCommand).resolves({
    TargetHealthDescriptions: [1, 2].map((n) => ({
      Target: { Id: `10.0.0.${n}`, Port: 80 },
      TargetHealth: { State: 'healthy' },
    })),
  });
  const deps: DeployDeps = { ecs, elb, logs: () => logs, clock, log: io.log, redact: (t) => redact(t, [SECRET]) };
  return { deps, io, clock };
}

const taskDefinition: RegisterTaskDefinitionCommandInput = {
  family: 'web',
  containerDefinitions: [
    {
      name: 'web',
      image: 'nginx:1.29',
      essential: true,
      logConfiguration: {
        logDriver: 'awslogs',
        options: { 'awslogs-group': '/ecs/web', 'awslogs-region': 'eu-west-2', 'awslogs-stream-prefix': 'ecs' },
      },
    },
  ],
};
const options: DeployOptions = {
  cluster: 'c',
  service: 'web',
  region: 'eu-west-2',
  revision: { register: taskDefinition },
  wait: true,
  waitMinutes: 1,
  pollSeconds: 2,
  waitUntil: { kind: 'completed' },
  forceNewDeployment: false,
  rollback: true,
  logLines: 5,
};

/** DescribeServices answers in order; the last answer repeats. */
function describeSequence(services: Service[]): void {
  let i = 0;
  ecsMock.on(DescribeServicesCommand).callsFake(() => ({ services: [services[Math.min(i++, services.length - 1)]] }));
}

test('healthy rollout: succeeds only after COMPLETED, running == desired and healthy targets; events printed once', async () => {
  const { deps, io, clock } = setup();
  describeSequence([
    svc([prevDep()], ['old event']),
    svc([dep({}), prevDep({ status: 'ACTIVE' })], ['has started 2 tasks']),
    svc([dep({ runningCount: 2, pendingCount: 0 }), prevDep({ status: 'ACTIVE' })]),
    svc([dep({ rolloutState: 'COMPLETED', runningCount: 2, pendingCount: 0 })], ['has reached a steady state.']),
  ]);
  const r = await deployService(deps, options);
  expect(r.outcome).toBe('succeeded');
  expect(r.previousTaskDefinitionArn).toBe(PREV);
  expect(r.taskDefinitionArn).toBe(OURS);
  expect(r.deploymentId).toBe('ecs-svc/2');
  expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(1);
  expect(clock.sleeps).toEqual([2000, 2000]);
  expect(io.lines.filter((l) => l.includes('has started 2 tasks'))).toHaveLength(1);
  expect(io.lines.join('\n')).not.toContain('old event');
  expect(r.events.map((e) => e.replace(/^\S+ /, ''))).toEqual(['has started 2 tasks', 'has reached a steady state.']);
});

test('unhealthy targets keep it waiting until the deadline, then it rolls back', async () => {
  const { deps, clock } = setup();
  elbMock.on(DescribeTargetHealthCommand).resolves({
    TargetHealthDescriptions: [
      {
        Target: { Id: '10.0.0.1', Port: 80 },
        TargetHealth: {
          State: 'unhealthy',
          Reason: 'Target.FailedHealthChecks',
          Description: 'Health checks failed with these codes: [502]',
        },
      },
    ],
  });
  let call = 0;
  ecsMock.on(DescribeServicesCommand).callsFake(() => {
    call++;
    if (call === 1) return { services: [svc([prevDep()])] };
    // After the rollback update, the previous revision is PRIMARY and settled.
    if (ecsMock.commandCalls(UpdateServiceCommand).length === 2)
      return { services: [svc([prevDep({ id: 'ecs-svc/9' })], [], {})] };
    return { services: [svc([dep({ rolloutState: 'COMPLETED', runningCount: 2, pendingCount: 0 })])] };
  });
  elbMock.on(DescribeTargetHealthCommand).callsFake(() => {
    const rolledBack = ecsMock.commandCalls(UpdateServiceCommand).length === 2;
    return {
      TargetHealthDescriptions: [1, 2].map((n) => ({
        Target: { Id: `10.0.0.${n}`, Port: 80 },
        TargetHealth: rolledBack
          ? { State: 'healthy' }
          : { State: 'unhealthy', Reason: 'Target.FailedHealthChecks', Description: 'codes: [502]' },
      })),
    };
  });
  ecsMock.on(DescribeTasksCommand).callsFake((input: { tasks?: string[] }) => ({
    tasks: (input.tasks ?? []).map((arn, n) => ({
      taskArn: arn,
      taskDefinitionArn: ecsMock.commandCalls(UpdateServiceCommand).length === 2 ? PREV : OURS,
      lastStatus: 'RUNNING',
      attachments: [{ details: [{ name: 'privateIPv4Address', value: `10.0.0.${n + 1}` }] }],
    })),
  }));
  const r = await deployService(deps, { ...options, waitMinutes: 0.1 });
  expect(r.outcome).toBe('rolled-back');
  expect(r.cause).toBe('timeout');
  expect(r.message).toMatch(
    /did not finish within 0.1 minute\(s\) \(last state: targets not healthy: task t1 \(10.0.0.1\) in web\/abc: unhealthy Target.FailedHealthChecks/,
  );
  expect(r.message).toMatch(/rolled back to web:7/);
  expect(ecsMock.commandCalls(UpdateServiceCommand)[1]?.args[0].input.taskDefinition).toBe(PREV);
  expect(Math.max(...clock.sleeps)).toBeLessThanOrEqual(2000);
});

test('circuit breaker rollback is a failure with the stopped tasks, exit codes and masked log lines; no second update', async () => {
  const { deps, io } = setup();
  const breakerOn = { deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } } };
  describeSequence([
    svc([prevDep()], [], breakerOn),
    svc(
      [dep({ failedTasks: 2 }), prevDep({ status: 'ACTIVE' })],
      ['(task t9) failed container health checks.'],
      breakerOn,
    ),
    svc(
      [
        prevDep({
          id: 'ecs-svc/3',
          rolloutState: 'IN_PROGRESS',
          rolloutStateReason: 'ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/1',
        }),
      ],
      ['deployment failed: tasks failed to start.'],
      breakerOn,
    ),
    svc([prevDep({ id: 'ecs-svc/3' })], ['has reached a steady state.'], breakerOn),
  ]);
  const t9 = 'arn:aws:ecs:eu-west-2:123456789012:task/c/t9';
  ecsMock.on(ListTasksCommand, { desiredStatus: 'STOPPED' }).resolves({ taskArns: [t9] });
  ecsMock.on(DescribeTasksCommand).callsFake((input: { tasks?: string[] }) => ({
    tasks: input.tasks?.includes(t9)
      ? [
          {
            taskArn: t9,
            taskDefinitionArn: OURS,
            startedBy: 'ecs-svc/2',
            lastStatus: 'STOPPED',
            stopCode: 'EssentialContainerExited',
            stoppedReason: 'Essential container in task exited',
            containers: [{ name: 'web', exitCode: 1, reason: 'OutOfMemoryError: no' }],
          },
        ]
      : [1, 2].map((n) => ({
          taskDefinitionArn: PREV,
          lastStatus: 'RUNNING',
          attachments: [{ details: [{ name: 'privateIPv4Address', value: `10.0.0.${n}` }] }],
        })),
  }));
  logsMock.on(GetLogEventsCommand).resolves({
    events: [{ message: 'booting' }, { message: `DATABASE_PASSWORD=${SECRET} rejected` }, { message: 'exit 1\n' }],
  });
  const r = await deployService(deps, { ...options, pollSeconds: 0.5 });
  expect(r.outcome).toBe('rolled-back');
  expect(r.cause).toBe('circuit-breaker');
  // The cause first: the crashed container and its reason, for the one task that stopped.
  expect(r.message.split('\n')[0]).toBe('container web exited 1: OutOfMemoryError: no (1 of 1 task)');
  expect(r.message).toMatch(
    /ECS rolled the service back to web:7 .*; rolled back to web:7, which runs again \(ECS rolled it back\)/,
  );
  expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(1);
  const report = r.report.join('\n');
  expect(report).toContain('1 task stopped [EssentialContainerExited]: Essential container in task exited — t9');
  expect(report).toContain('container web: exit code 1 — OutOfMemoryError: no');
  expect(report).toContain('/ecs/web ecs/web/t9');
  expect(report).toContain('| exit 1');
  const everything = [io.lines.join('\n'), report, r.message, deploySummary(r, { cluster: 'c', service: 'web' })].join(
    '\n',
  );
  expect(everything).not.toContain(SECRET);
  expect(everything).toContain('DATABASE_PASSWORD=*** rejected');
  expect(logsMock.commandCalls(GetLogEventsCommand)[0]?.args[0].input).toMatchObject({
    logGroupName: '/ecs/web',
    logStreamName: 'ecs/web/t9',
    limit: 5,
  });
});

test.each([
  {
    name: 'rollback off',
    opts: { rollback: false },
    updates: 1,
    message: /rollback is off, the service is left on web:8/,
  },
  { name: 'rollback on', opts: {}, updates: 2, message: /rolled back to web:7/ },
])('rollout FAILED with $name', async ({ opts, updates, message }) => {
  const { deps } = setup();
  let call = 0;
  ecsMock.on(DescribeServicesCommand).callsFake(() => {
    call++;
    if (call === 1) return { services: [svc([prevDep()])] };
    if (ecsMock.commandCalls(UpdateServiceCommand).length === 2)
      return { services: [svc([prevDep({ id: 'ecs-svc/9' })])] };
    return {
      services: [
        svc([dep({ rolloutState: 'FAILED', rolloutStateReason: 'image pull failed' }), prevDep({ status: 'ACTIVE' })]),
      ],
    };
  });
  ecsMock.on(DescribeTasksCommand).resolves({
    tasks: [
      {
        taskDefinitionArn: PREV,
        lastStatus: 'RUNNING',
        attachments: [{ details: [{ name: 'privateIPv4Address', value: '10.0.0.1' }] }],
      },
      {
        taskDefinitionArn: PREV,
        lastStatus: 'RUNNING',
        attachments: [{ details: [{ name: 'privateIPv4Address', value: '10.0.0.2' }] }],
      },
    ],
  });
  const r = await deployService(deps, { ...options, ...opts });
  expect(r.outcome).toBe(updates === 2 ? 'rolled-back' : 'failed');
  expect(r.message).toMatch(/the rollout FAILED: image pull failed/);
  expect(r.message).toMatch(message);
  expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(updates);
});

test('expired credentials mid-wait: fails clearly, without hanging, and attempts no rollback that cannot work', async () => {
  const { deps, clock } = setup();
  let call = 0;
  ecsMock.on(DescribeServicesCommand).callsFake(() => {
    call++;
    if (call === 1) return { services: [svc([prevDep()])] };
    if (call === 2) return { services: [svc([dep({}), prevDep({ status: 'ACTIVE' })])] };
    throw Object.assign(new Error('The security token included in the request is expired'), {
      name: 'ExpiredTokenException',
    });
  });
  const r = await deployService(deps, options);
  expect(r.outcome).toBe('failed');
  expect(r.cause).toBe('credentials-expired');
  expect(r.message.split('\n')[0]).toMatch(/^AWS credentials expired while deploying web:8: .*role-duration-seconds/);
  expect(r.message).toMatch(/no rollback was attempted \(it needs valid credentials\).*deploy web:7 again/);
  // One retry for a refreshed session, then nothing: no update, no stop, no diagnosis.
  expect(call).toBe(4);
  expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(1);
  expect(ecsMock.commandCalls(StopServiceDeploymentCommand)).toHaveLength(0);
  expect(ecsMock.commandCalls(ListTasksCommand)).toHaveLength(0);
  expect(clock.sleeps).toHaveLength(1);
});

test('transient errors are retried with bounded back-off until the deadline, not a fixed count', async () => {
  const { deps, io, clock } = setup();
  let call = 0;
  ecsMock.on(DescribeServicesCommand).callsFake(() => {
    call++;
    if (call === 1) return { services: [svc([prevDep()])] };
    // An outage of twelve failed requests: more than the five polls that used to end the wait.
    if (call <= 13) throw Object.assign(new Error('slow down'), { name: 'ThrottlingException' });
    return { services: [svc([dep({ rolloutState: 'COMPLETED', runningCount: 2, pendingCount: 0 })])] };
  });
  const r = await deployService(deps, options);
  expect(r.outcome).toBe('succeeded');
  // Said once per streak, not once per attempt.
  expect(io.lines.filter((l) => l.includes('ThrottlingException'))).toHaveLength(1);
  expect(Math.max(...clock.sleeps)).toBeLessThanOrEqual(8_000);
});

test('an outage longer than the wait ends at the deadline, with the rollback not settling, never hanging', async () => {
  const { deps, clock } = setup();
  let call = 0;
  ecsMock.on(DescribeServicesCommand).callsFake(() => {
    if (++call === 1) return { services: [svc([prevDep()])] };
    throw Object.assign(new Error('Service unavailable'), {
      name: 'ServerException',
      $metadata: { httpStatusCode: 500 },
    });
  });
  const r = await deployService(deps, { ...options, waitMinutes: 0.5 });
  expect(r.outcome).toBe('failed');
  expect(r.message).toMatch(/DescribeServices: no answer before the deadline \(last error: ServerException\)/);
  expect(r.message).toMatch(/rolling back to web:7 did not settle/);
  // Rollout (30 s), diagnosis (its own minute at most, but ListTasks answers) and rollback (30 s): bounded.
  expect(clock.now()).toBeLessThanOrEqual(2 * 30_000 + 60_000);
});

const sd = (over: Partial<ServiceDeployment>): ServiceDeployment => ({
  serviceDeploymentArn: 'arn:aws:ecs:eu-west-2:123456789012:service-deployment/c/web/ours',
  status: 'IN_PROGRESS',
  ...over,
});

test('the service deployment, followed by its ARN, catches an alarm rollback and names the alarm', async () => {
  const { deps } = setup();
  const ours = 'arn:aws:ecs:eu-west-2:123456789012:service-deployment/c/web/ours';
  const old = 'arn:aws:ecs:eu-west-2:123456789012:service-deployment/c/web/old';
  const alarms = { deploymentConfiguration: { alarms: { alarmNames: ['api-5xx'], enable: true, rollback: true } } };
  let described = 0;
  ecsMock.on(DescribeServiceDeploymentsCommand).callsFake(() => {
    described++;
    if (described === 1) return { serviceDeployments: [sd({})] };
    const alarm = { status: 'TRIGGERED' as const, alarmNames: ['api-5xx'], triggeredAlarmNames: ['api-5xx'] };
    const status = described >= 5 ? 'ROLLBACK_SUCCESSFUL' : 'ROLLBACK_IN_PROGRESS';
    return { serviceDeployments: [sd({ status, alarms: alarm })] };
  });
  ecsMock.on(UpdateServiceCommand).resolves({
    service: svc([dep({}), prevDep({ status: 'ACTIVE' })], [], { currentServiceDeployment: ours, ...alarms }),
  });
  describeSequence([
    svc([prevDep()], [], { currentServiceDeployment: old, ...alarms }),
    svc([dep({}), prevDep({ status: 'ACTIVE' })], [], { currentServiceDeployment: ours, ...alarms }),
    svc([prevDep({ id: 'ecs-svc/1' })], [], { currentServiceDeployment: ours, ...alarms }),
  ]);
  ecsMock.on(DescribeTasksCommand).resolves({
    tasks: [1, 2].map((n) => ({
      taskDefinitionArn: PREV,
      lastStatus: 'RUNNING',
      attachments: [{ details: [{ name: 'privateIPv4Address', value: `10.0.0.${n}` }] }],
    })),
  });
  const r = await deployService(deps, options);
  expect(r.cause).toBe('alarm');
  expect(r.outcome).toBe('rolled-back');
  expect(r.message.split('\n')[0]).toBe('CloudWatch alarm api-5xx went into ALARM during the deployment of web:8');
  expect(r.serviceDeploymentArn).toBe(ours);
  // ECS rolls back itself: no second update, no StopServiceDeployment; the tasks were not diagnosed (they are fine).
  expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(1);
  expect(ecsMock.commandCalls(StopServiceDeploymentCommand)).toHaveLength(0);
  expect(ecsMock.commandCalls(ListTasksCommand, { desiredStatus: 'STOPPED' })).toHaveLength(0);
});

test('a timeout of an in-progress service deployment is rolled back with StopServiceDeployment (ROLLBACK)', async () => {
  const { deps } = setup();
  const ours = 'arn:aws:ecs:eu-west-2:123456789012:service-deployment/c/web/ours';
  let stopped = false;
  ecsMock.on(StopServiceDeploymentCommand).callsFake(() => {
    stopped = true;
    return { serviceDeploymentArn: ours };
  });
  ecsMock.on(DescribeServiceDeploymentsCommand).callsFake(() => ({
    serviceDeployments: [sd({ status: stopped ? 'ROLLBACK_SUCCESSFUL' : 'IN_PROGRESS' })],
  }));
  ecsMock
    .on(UpdateServiceCommand)
    .resolves({ service: svc([dep({}), prevDep({ status: 'ACTIVE' })], [], { currentServiceDeployment: ours }) });
  ecsMock.on(DescribeServicesCommand).callsFake(() => ({
    services: [
      ecsMock.commandCalls(UpdateServiceCommand).length === 0
        ? svc([prevDep()], [], { currentServiceDeployment: 'old' })
        : stopped
          ? svc([prevDep()], [], { currentServiceDeployment: ours })
          : svc([dep({}), prevDep({ status: 'ACTIVE' })], [], { currentServiceDeployment: ours }),
    ],
  }));
  ecsMock.on(ListTasksCommand, { desiredStatus: 'STOPPED' }).resolves({ taskArns: [] });
  // Until the rollback, our two tasks sit PENDING (pulling); afterwards the previous revision's run.
  ecsMock.on(DescribeTasksCommand).callsFake(() => ({
    tasks: [1, 2].map((n) => ({
      taskArn: `arn:aws:ecs:eu-west-2:123456789012:task/c/p${n}`,
      taskDefinitionArn: stopped ? PREV : OURS,
      lastStatus: stopped ? 'RUNNING' : 'PENDING',
      createdAt: new Date(0),
      pullStartedAt: new Date(1000),
      attachments: [{ details: [{ name: 'privateIPv4Address', value: `10.0.0.${n}` }] }],
    })),
  }));
  const r = await deployService(deps, { ...options, waitMinutes: 0.2 });
  expect(r.cause).toBe('timeout');
  expect(r.outcome).toBe('rolled-back');
  expect(ecsMock.commandCalls(StopServiceDeploymentCommand)[0]?.args[0].input).toEqual({
    serviceDeploymentArn: ours,
    stopType: 'ROLLBACK',
  });
  expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(1);
  expect(r.message).toMatch(/rolled back to web:7, which runs again \(StopServiceDeployment ROLLBACK\)/);
  // Timed out with the tasks still starting: said from the tasks, first line included.
  expect(r.report.join('\n')).toMatch(/task p1: PENDING for \d+ s \(image still being pulled\)/);
  expect(r.message.split('\n')[0]).toMatch(
    /^2 task\(s\) of web:8 still starting after 0.2 minute\(s\): task p1: PENDING/,
  );
});

test('task-definition-arn deploys an existing revision: nothing registered, an INACTIVE one refused before any change', async () => {
  const { deps } = setup();
  describeSequence([svc([prevDep()]), svc([dep({ rolloutState: 'COMPLETED', runningCount: 2, pendingCount: 0 })])]);
  ecsMock.on(DescribeTaskDefinitionCommand, { taskDefinition: 'web:8' }).resolves({
    taskDefinition: {
      taskDefinitionArn: OURS,
      status: 'ACTIVE',
      containerDefinitions: [{ name: 'web', image: 'nginx:1.29' }],
    },
  });
  ecsMock.on(DescribeTaskDefinitionCommand, { taskDefinition: 'web:3' }).resolves({
    taskDefinition: { taskDefinitionArn: ARN(3), status: 'INACTIVE', containerDefinitions: [] },
  });
  const r = await deployService(deps, { ...options, revision: { existing: 'web:8' } });
  expect(r.outcome).toBe('succeeded');
  expect(r.registered).toBe(false);
  expect(r.images).toEqual([{ container: 'web', image: 'nginx:1.29' }]);
  expect(ecsMock.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(0);
  expect(ecsMock.commandCalls(UpdateServiceCommand)[0]?.args[0].input.taskDefinition).toBe(OURS);
  const updates = ecsMock.commandCalls(UpdateServiceCommand).length;
  await expect(deployService(deps, { ...options, revision: { existing: 'web:3' } })).rejects.toThrow(
    /input 'task-definition-arn': web:3 is INACTIVE \(deregistered\)/,
  );
  expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(updates);
});

test.each([
  {
    name: 'wait-until a stage on a rolling service',
    service: {},
    waitUntil: { kind: 'stage', stage: 'BAKE_TIME' } as const,
    error: /input 'wait-until': web uses ROLLING: a ROLLING deployment has no lifecycle stages/,
  },
  {
    name: 'a CODE_DEPLOY service',
    service: { deploymentController: { type: 'CODE_DEPLOY' as const } },
    waitUntil: { kind: 'completed' } as const,
    error: /uses the CODE_DEPLOY deployment controller; .* changed nothing/,
  },
  {
    name: 'a missing cluster',
    service: undefined,
    waitUntil: { kind: 'completed' } as const,
    error: /cluster 'c' not found in region eu-west-2: check the 'cluster' and 'aws-region' inputs/,
  },
])('refused before anything changes: $name', async ({ service, waitUntil, error }) => {
  const { deps } = setup();
  if (service === undefined) {
    ecsMock
      .on(DescribeServicesCommand)
      .rejects(Object.assign(new Error('Cluster not found.'), { name: 'ClusterNotFoundException' }));
  } else describeSequence([svc([prevDep()], [], service)]);
  await expect(deployService(deps, { ...options, waitUntil })).rejects.toThrow(error);
  expect(ecsMock.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(0);
  expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(0);
});

test.each([
  { name: 'exit 1', containers: [{ name: 'web', exitCode: 1 }], fails: /web exited 1/ },
  {
    name: 'no exit code (never started)',
    containers: [{ name: 'web', reason: 'CannotPullContainerError' }],
    fails: /web has no exit code/,
  },
  {
    name: 'a sidecar exits 2',
    containers: [
      { name: 'web', exitCode: 0 },
      { name: 'side', exitCode: 2 },
    ],
    fails: /side exited 2/,
  },
  { name: 'exit 0', containers: [{ name: 'web', exitCode: 0 }], fails: undefined },
])('run-task: $name', async ({ containers, fails }) => {
  const { deps, io } = setup();
  describeSequence([svc([prevDep()]), svc([dep({ rolloutState: 'COMPLETED', runningCount: 2, pendingCount: 0 })])]);
  const taskArn = 'arn:aws:ecs:eu-west-2:123456789012:task/c/migr';
  ecsMock.on(RunTaskCommand).resolves({ tasks: [{ taskArn, lastStatus: 'PROVISIONING' }] });
  let polls = 0;
  ecsMock.on(DescribeTasksCommand, { tasks: [taskArn] }).callsFake(() => ({
    tasks: [
      {
        taskArn,
        lastStatus: ++polls < 3 ? 'RUNNING' : 'STOPPED',
        stoppedReason: 'Essential container in task exited',
        containers,
      },
    ],
  }));
  logsMock.on(GetLogEventsCommand).resolves({ events: [{ message: '== CreateUsers: migrated' }] });
  const r = await deployService(deps, {
    ...options,
    runTask: { command: ['bin/rails', 'db:migrate'], startedBy: 'deploy-actions', wait: true },
  });
  const run = ecsMock.commandCalls(RunTaskCommand)[0]?.args[0].input;
  expect(run?.overrides?.containerOverrides).toEqual([{ name: 'web', command: ['bin/rails', 'db:migrate'] }]);
  expect(run?.networkConfiguration?.awsvpcConfiguration?.subnets).toEqual(['subnet-1']);
  expect(run?.launchType).toBe('FARGATE');
  expect(r.runTaskArn).toBe(taskArn);
  expect(io.lines.join('\n')).toContain('| == CreateUsers: migrated');
  if (fails) {
    expect(r.outcome).toBe('failed');
    expect(r.message).toMatch(fails);
    expect(r.message).toMatch(/the service was not updated/);
    expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(0);
    // The failed migration's own output reaches the summary too.
    expect(deploySummary(r, { cluster: 'c', service: 'web' })).toContain('== CreateUsers: migrated');
  } else {
    expect(r.outcome).toBe('succeeded');
    expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(1);
    // A migration that passed is reported as the one-off task's output, never under "What failed".
    expect(r.report).toEqual([]);
    const summary = deploySummary(r, { cluster: 'c', service: 'web' });
    expect(summary).not.toContain('What failed');
    expect(summary).toContain('One-off task');
    expect(summary).toContain('== CreateUsers: migrated');
  }
});

test('keep-revisions deregisters old revisions but never one in use or the previous one', async () => {
  const { deps } = setup();
  describeSequence([svc([prevDep()]), svc([dep({ rolloutState: 'COMPLETED', runningCount: 2, pendingCount: 0 })])]);
  ecsMock.on(ListTaskDefinitionsCommand).resolves({
    taskDefinitionArns: [2, 3, 4, 5, 6, 7, 8]
      .map(ARN)
      .concat('arn:aws:ecs:eu-west-2:123456789012:task-definition/web-worker:1'),
  });
  ecsMock.on(ListServicesCommand).resolves({ serviceArns: ['s/web', 's/other'] });
  ecsMock
    .on(DescribeServicesCommand, { services: ['s/web', 's/other'] })
    .resolves({ services: [svc([dep({ taskDefinition: OURS })]), svc([dep({ taskDefinition: ARN(3) })])] });
  const r = await deployService(deps, { ...options, keepRevisions: 1 });
  expect(r.outcome).toBe('succeeded');
  const gone = ecsMock.commandCalls(DeregisterTaskDefinitionCommand).map((c) => c.args[0].input.taskDefinition);
  expect(gone).toEqual([ARN(6), ARN(5), ARN(4), ARN(2)]);
  expect(r.deregistered).toEqual(gone);
});

test('the summary shows before → after, images, outcome, events, and escapes markup', async () => {
  const { deps } = setup();
  describeSequence([
    svc([prevDep()]),
    svc([dep({ rolloutState: 'COMPLETED', runningCount: 2, pendingCount: 0 })], ['<b>steady</b> state | reached']),
  ]);
  const r = await deployService(deps, options);
  const summary = deploySummary(r, { cluster: 'c', service: 'web' });
  expect(summary).toContain('<code>web:7</code> → <code>web:8</code>');
  expect(summary).toContain('<code>nginx:1.29</code>');
  expect(summary).toContain('✅ succeeded');
  expect(summary).toContain('&lt;b&gt;steady&lt;/b&gt; state &#124; reached');
});

test('a service scaled to zero behind a load balancer succeeds without targets to check', async () => {
  const { deps } = setup();
  ecsMock.on(ListTasksCommand).resolves({ taskArns: [] });
  describeSequence([
    svc([prevDep({ desiredCount: 0, runningCount: 0 })], [], { desiredCount: 0, runningCount: 0 }),
    svc([dep({ rolloutState: 'COMPLETED', desiredCount: 0, runningCount: 0, pendingCount: 0 })], [], {
      desiredCount: 0,
      runningCount: 0,
    }),
  ]);
  const r = await deployService(deps, { ...options, desiredCount: 0 });
  expect(r.outcome).toBe('succeeded');
  expect(ecsMock.commandCalls(UpdateServiceCommand)[0]?.args[0].input.desiredCount).toBe(0);
  expect(elbMock.commandCalls(DescribeTargetHealthCommand)).toHaveLength(0);
});

test('a one-off task that takes most of the wait still leaves the update its own deadline', async () => {
  const { deps, clock } = setup();
  describeSequence([svc([prevDep()]), svc([dep({ rolloutState: 'COMPLETED', runningCount: 2, pendingCount: 0 })])]);
  // Registration takes 10 s, the migration 55 s of the 60 s wait: past the first phase's deadline.
  ecsMock.on(RegisterTaskDefinitionCommand).callsFake(async () => {
    await clock.sleep(10_000);
    return {
      taskDefinition: {
        taskDefinitionArn: OURS,
        family: 'web',
        containerDefinitions: taskDefinition.containerDefinitions,
      },
    };
  });
  const taskArn = 'arn:aws:ecs:eu-west-2:123456789012:task/c/migr';
  ecsMock.on(RunTaskCommand).resolves({ tasks: [{ taskArn, lastStatus: 'PROVISIONING' }] });
  const begun = clock.now();
  ecsMock.on(DescribeTasksCommand, { tasks: [taskArn] }).callsFake(() => ({
    tasks: [
      {
        taskArn,
        lastStatus: clock.now() - begun >= 65_000 ? 'STOPPED' : 'RUNNING',
        containers: [{ name: 'web', exitCode: 0 }],
      },
    ],
  }));
  const r = await deployService(deps, { ...options, runTask: { startedBy: 'deploy-actions', wait: true } });
  expect(r.outcome).toBe('succeeded');
  expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(1);
  expect(clock.now()).toBeGreaterThan(60_000);
});
