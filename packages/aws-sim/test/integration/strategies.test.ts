// ECS's own deployment strategies in the simulator, through the SDK on a manual clock (deterministic): what a
// deploy tool following the service deployment sees for blue/green, linear and canary, alarms, bake time,
// pause hooks, StopServiceDeployment, early success criteria, a takeover and a crash loop without a breaker.
import {
  ContinueServiceDeploymentCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServicesCommand,
  RegisterTaskDefinitionCommand,
  StopServiceDeploymentCommand,
  UpdateServiceCommand,
  type Service,
  type ServiceDeployment,
} from '@aws-sdk/client-ecs';
import { DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { manualClock, startAwsSim, type AwsSim, type ManualClock, type ScenarioName } from '@deploy-actions/aws-sim';
import { clients, destroy, type Clients } from './helpers';

type Obj = Record<string, unknown>;
const CLUSTER = 'c';
let sim: AwsSim;
let clock: ManualClock;
let c: Clients;
let seed: ReturnType<AwsSim['seedPlatform']>;

async function start(deploymentConfiguration: Obj, breaker = { enable: true, rollback: true }): Promise<void> {
  clock = manualClock();
  sim = await startAwsSim({ clock });
  c = clients(sim.env);
  seed = sim.seedPlatform({
    cluster: CLUSTER,
    services: [
      {
        name: 'web',
        image: 'nginx:1',
        containerName: 'nginx',
        containerPort: 80,
        desiredCount: 2,
        targetGroup: 'web-blue',
        alternateTargetGroup: 'web-green',
        circuitBreaker: breaker,
        deploymentConfiguration,
      },
    ],
  });
}
afterEach(async () => {
  destroy(c);
  await sim.stop();
});

/** Registers a new revision with `image` and points the service at it; returns our service deployment ARN. */
async function deploy(image: string, scenario?: ScenarioName): Promise<string> {
  if (scenario) sim.setScenario({ image }, scenario);
  const td = await c.ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'web',
      containerDefinitions: [{ name: 'nginx', image, memory: 512, portMappings: [{ containerPort: 80 }] }],
    }),
  );
  const out = await c.ecs.send(
    new UpdateServiceCommand({
      cluster: CLUSTER,
      service: 'web',
      taskDefinition: td.taskDefinition?.taskDefinitionArn,
    }),
  );
  return out.service?.currentServiceDeployment ?? '';
}

async function read(arn: string): Promise<{ sd: ServiceDeployment; service: Service }> {
  const sd = (await c.ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] })))
    .serviceDeployments?.[0];
  const service = (await c.ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: ['web'] })))
    .services?.[0];
  if (!sd || !service) throw new Error('not found');
  return { sd, service };
}

/** Steps 5 simulated seconds at a time until `done`, recording each new lifecycle stage and traffic weight. */
async function until(
  arn: string,
  done: (sd: ServiceDeployment) => boolean,
  maxSteps = 2_000,
): Promise<{ sd: ServiceDeployment; service: Service; stages: string[]; weights: number[] }> {
  const stages: string[] = [];
  const weights: number[] = [];
  for (let i = 0; i < maxSteps; i++) {
    const { sd, service } = await read(arn);
    if (sd.lifecycleStage !== undefined && stages.at(-1) !== sd.lifecycleStage) stages.push(sd.lifecycleStage);
    const w = sd.targetServiceRevision?.requestedProductionTrafficWeight;
    if (w !== undefined && weights.at(-1) !== w) weights.push(w);
    if (done(sd)) return { sd, service, stages, weights };
    clock.advance(5_000);
  }
  throw new Error('never reached');
}

const ended = (sd: ServiceDeployment): boolean =>
  ['SUCCESSFUL', 'ROLLBACK_SUCCESSFUL', 'STOPPED', 'ROLLBACK_FAILED'].includes(sd.status ?? '');

async function targets(arn: string | undefined): Promise<string[]> {
  const out = await c.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }));
  return (out.TargetHealthDescriptions ?? []).map((d) => d.TargetHealth?.State ?? '?');
}

test('blue/green: every stage in order, green tasks in the alternate target group, which then serves production', async () => {
  await start({ strategy: 'BLUE_GREEN', bakeTimeInMinutes: 2 });
  const blue = seed.services['web']?.targetGroupArn;
  const green = seed.services['web']?.alternateTargetGroupArn;
  const arn = await deploy('nginx:2');
  const during = await until(arn, (sd) => sd.lifecycleStage === 'BAKE_TIME');
  // Both revisions run during the bake: blue in its group, green in the alternate one.
  expect(await targets(blue)).toEqual(['healthy', 'healthy']);
  expect(await targets(green)).toEqual(['healthy', 'healthy']);
  expect(during.service.deployments?.map((d) => d.status)).toEqual(['PRIMARY', 'ACTIVE']);
  const end = await until(arn, ended);
  expect(end.sd.status).toBe('SUCCESSFUL');
  expect([...during.stages, ...end.stages.filter((s) => !during.stages.includes(s))]).toEqual([
    'PRE_SCALE_UP',
    'SCALE_UP',
    'POST_SCALE_UP',
    'TEST_TRAFFIC_SHIFT',
    'POST_TEST_TRAFFIC_SHIFT',
    'PRE_PRODUCTION_TRAFFIC_SHIFT',
    'PRODUCTION_TRAFFIC_SHIFT',
    'POST_PRODUCTION_TRAFFIC_SHIFT',
    'BAKE_TIME',
    'CLEAN_UP',
  ]);
  expect(await targets(blue)).toEqual([]);
  expect(await targets(green)).toEqual(['healthy', 'healthy']);
  expect(end.service.deployments?.map((d) => [d.status, d.rolloutState])).toEqual([['PRIMARY', 'COMPLETED']]);
  // The next deployment registers its tasks in the other group again.
  const next = await deploy('nginx:3');
  await until(next, (sd) => sd.lifecycleStage === 'POST_SCALE_UP');
  expect(await targets(blue)).toEqual(['healthy', 'healthy']);
});

test.each([
  ['LINEAR', { linearConfiguration: { stepPercent: 25, stepBakeTimeInMinutes: 1 } }, [0, 25, 50, 75, 100]],
  ['CANARY', { canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 2 } }, [0, 10, 100]],
])('%s: production traffic moves in its steps', async (strategy, extra, weights) => {
  await start({ strategy, bakeTimeInMinutes: 1, ...extra });
  const end = await until(await deploy('nginx:2'), ended);
  expect(end.sd.status).toBe('SUCCESSFUL');
  expect(end.weights).toEqual(weights);
});

test('an alarm during a blue/green deployment rolls it back and names the alarm; blue was never stopped', async () => {
  await start({
    strategy: 'BLUE_GREEN',
    bakeTimeInMinutes: 5,
    alarms: { alarmNames: ['api-5xx'], enable: true, rollback: true },
  });
  const end = await until(await deploy('nginx:alarm', 'alarm'), ended);
  expect(end.sd).toMatchObject({
    status: 'ROLLBACK_SUCCESSFUL',
    alarms: { status: 'TRIGGERED', alarmNames: ['api-5xx'], triggeredAlarmNames: ['api-5xx'] },
  });
  expect(end.service.taskDefinition).toMatch(/web:1$/);
  expect(end.service.deployments?.map((d) => [d.status, d.taskDefinition?.split('/').pop()])).toEqual([
    ['PRIMARY', 'web:1'],
  ]);
});

test('a rolling deployment with alarms bakes, and the alarm rolls it back', async () => {
  await start({ bakeTimeInMinutes: 3, alarms: { alarmNames: ['api-5xx'], enable: true, rollback: true } });
  const end = await until(await deploy('nginx:alarm', 'alarm'), ended);
  expect(end.sd.status).toBe('ROLLBACK_SUCCESSFUL');
  expect(end.sd.alarms?.triggeredAlarmNames).toEqual(['api-5xx']);
});

test('a bake time longer than anyone waits keeps the deployment IN_PROGRESS at BAKE_TIME', async () => {
  await start({ strategy: 'BLUE_GREEN', bakeTimeInMinutes: 600 });
  const arn = await deploy('nginx:2');
  await until(arn, (sd) => sd.lifecycleStage === 'BAKE_TIME');
  clock.advance(3_600_000);
  expect((await read(arn)).sd).toMatchObject({ status: 'IN_PROGRESS', lifecycleStage: 'BAKE_TIME' });
});

describe('a pause hook', () => {
  const hooks = [
    {
      targetType: 'PAUSE',
      lifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'],
      timeoutConfiguration: { timeoutInMinutes: 30 },
    },
  ];
  const paused = (sd: ServiceDeployment): boolean =>
    sd.lifecycleHookDetails?.some((h) => h.status === 'AWAITING_ACTION') === true;

  test('waits for ContinueServiceDeployment, then the deployment completes', async () => {
    await start({ strategy: 'BLUE_GREEN', bakeTimeInMinutes: 1, lifecycleHooks: hooks });
    const arn = await deploy('nginx:2');
    const at = await until(arn, paused);
    const hook = at.sd.lifecycleHookDetails?.[0];
    expect(hook).toMatchObject({ targetType: 'PAUSE', status: 'AWAITING_ACTION', timeoutAction: 'ROLLBACK' });
    expect(at.sd.lifecycleStage).toBe('POST_TEST_TRAFFIC_SHIFT');
    clock.advance(600_000);
    expect((await read(arn)).sd.lifecycleStage).toBe('POST_TEST_TRAFFIC_SHIFT');
    await c.ecs.send(
      new ContinueServiceDeploymentCommand({ serviceDeploymentArn: arn, hookId: hook?.hookId, action: 'CONTINUE' }),
    );
    expect((await until(arn, ended)).sd.status).toBe('SUCCESSFUL');
  });

  test.each([
    ['ROLLBACK by ContinueServiceDeployment', true],
    ['its timeout (action ROLLBACK)', false],
  ])('rolls back on %s', async (_name, viaCall) => {
    await start({ strategy: 'BLUE_GREEN', bakeTimeInMinutes: 1, lifecycleHooks: hooks });
    const arn = await deploy('nginx:2');
    const hook = (await until(arn, paused)).sd.lifecycleHookDetails?.[0];
    if (viaCall) {
      await c.ecs.send(
        new ContinueServiceDeploymentCommand({ serviceDeploymentArn: arn, hookId: hook?.hookId, action: 'ROLLBACK' }),
      );
    }
    const end = await until(arn, ended);
    expect(end.sd.status).toBe('ROLLBACK_SUCCESSFUL');
    expect(end.sd.lifecycleHookDetails?.[0]?.status).toBe(viaCall ? 'FAILED' : 'TIMED_OUT');
    expect(end.service.taskDefinition).toMatch(/web:1$/);
  });
});

test.each([
  ['ROLLING', {}],
  ['BLUE_GREEN', { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 30 }],
])(
  'StopServiceDeployment (ROLLBACK) of an in-progress %s deployment brings the previous revision back',
  async (_name, cfg) => {
    await start(cfg);
    const arn = await deploy('nginx:slow', 'slow');
    clock.advance(60_000);
    await c.ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: arn, stopType: 'ROLLBACK' }));
    expect((await read(arn)).sd.status).toBe('ROLLBACK_REQUESTED');
    const end = await until(arn, ended);
    expect(end.sd.status).toBe('ROLLBACK_SUCCESSFUL');
    expect(end.service.deployments?.map((d) => [d.status, d.taskDefinition?.split('/').pop(), d.rolloutState])).toEqual(
      [['PRIMARY', 'web:1', 'COMPLETED']],
    );
    // A finished deployment cannot be stopped.
    await expect(c.ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: arn }))).rejects.toThrow(
      /cannot be stopped/,
    );
  },
);

test.each([
  ['DEFERRED', 'SUCCESSFUL while the old tasks still run'],
  ['BLOCKING', 'SUCCESSFUL once the old tasks are gone'],
])('early success criteria (%s): %s, at half the tasks healthy', async (cleanup) => {
  await start({ earlySuccessCriteria: { enable: true, healthyPercent: 50, sourceServiceRevisionCleanup: cleanup } });
  const end = await until(await deploy('nginx:half', 'half-slow'), ended);
  expect(end.sd.status).toBe('SUCCESSFUL');
  const ours = end.service.deployments?.[0];
  expect(ours).toMatchObject({ status: 'PRIMARY', rolloutState: 'COMPLETED', runningCount: 1, desiredCount: 2 });
  const old = end.service.deployments?.slice(1) ?? [];
  if (cleanup === 'DEFERRED') expect(old.map((d) => d.runningCount)).toEqual([2]);
  else expect(old).toEqual([]);
});

test('a takeover: a newer deployment stops ours, which says why; currentServiceDeployment names the new one', async () => {
  await start({});
  const ours = await deploy('nginx:slow', 'slow');
  clock.advance(30_000);
  const theirs = await deploy('nginx:3');
  const { sd, service } = await read(ours);
  expect(sd).toMatchObject({
    status: 'STOPPED',
    statusReason: 'Service deployment stopped because a newer deployment was started.',
  });
  expect(service.currentServiceDeployment).toBe(theirs);
});

test('a crash loop without a circuit breaker: ECS keeps trying, says it is unable to start tasks, never ends', async () => {
  await start({}, { enable: false, rollback: false });
  const arn = await deploy('nginx:crash', 'crash');
  clock.advance(20 * 60_000);
  const { sd, service } = await read(arn);
  expect(sd.status).toBe('IN_PROGRESS');
  expect(service.deployments?.[0]?.failedTasks).toBeGreaterThanOrEqual(3);
  expect(service.events?.map((e) => e.message)).toContain(
    '(service web) is unable to consistently start tasks successfully.',
  );
});
