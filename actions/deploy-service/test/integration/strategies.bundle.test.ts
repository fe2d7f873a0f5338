// The bundle against ECS's own deployment strategies in the simulator: blue/green, linear and canary end to
// end (stages printed, targets checked in the target group that holds the new revision), an alarm rollback,
// a bake time and a pause hook longer than the wait (never rolled back blindly), wait-until, early success
// criteria, a takeover by another deploy, and deploying an existing revision.
import { startAwsSim, type AwsSim, type ScenarioName } from '@deploy-actions/aws-sim';
import { LIFECYCLE_STAGES } from '@deploy-actions/deploy';
import { runBundle, type RunResult } from '@deploy-actions/testing';
import {
  callCounts,
  CLUSTER,
  deployImage,
  nginxService,
  nginxTaskDefinition,
  serviceTaskDefinition,
  type Deployed,
} from './helpers';

const LIMIT = 60_000;
type Obj = Record<string, unknown>;

const alarms = { alarmNames: ['api-5xx'], enable: true, rollback: true };
const pause = [
  {
    targetType: 'PAUSE',
    lifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'],
    timeoutConfiguration: { timeoutInMinutes: 600 },
  },
];

let sim: AwsSim;
beforeAll(async () => {
  // 60x: a poll (0.05 s real) is 3 simulated seconds, shorter than a lifecycle stage, so every stage is seen.
  sim = await startAwsSim({ timeScale: 60 });
  sim.seedPlatform({
    cluster: CLUSTER,
    services: [
      nginxService('bg', { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 1, alarms }),
      nginxService('linear', {
        strategy: 'LINEAR',
        bakeTimeInMinutes: 1,
        linearConfiguration: { stepPercent: 50, stepBakeTimeInMinutes: 1 },
      }),
      nginxService('canary', {
        strategy: 'CANARY',
        bakeTimeInMinutes: 1,
        canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 1 },
      }),
      nginxService('baking', { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 600 }),
      nginxService('paused', { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 1, lifecycleHooks: pause }),
      // Rolling, one target group: early success criteria are for rolling deployments only.
      nginxService('early', {
        earlySuccessCriteria: { enable: true, healthyPercent: 50, sourceServiceRevisionCleanup: 'DEFERRED' },
      }),
    ],
  });
}, LIMIT);
afterAll(async () => {
  await sim?.stop();
}, LIMIT);

let n = 0;
async function deploy(
  service: string,
  options: { scenario?: ScenarioName; inputs?: Record<string, string>; during?: () => void } = {},
): Promise<Deployed> {
  const image = `nginx:${service}-${++n}`;
  if (options.scenario) sim.setScenario({ image: `${service}-${n}` }, options.scenario);
  return deployImage(sim, {
    service,
    image,
    ...(options.inputs ? { inputs: options.inputs } : {}),
    ...(options.during ? { during: options.during } : {}),
  });
}

/** A paused service deployment's hooks, and ContinueServiceDeployment on the first one awaiting action. */
function act(arn: unknown, action: 'CONTINUE' | 'ROLLBACK'): boolean {
  const sd = (
    sim.call('ecs', 'DescribeServiceDeployments', { serviceDeploymentArns: [arn] })['serviceDeployments'] as Obj[]
  )[0];
  const hook = ((sd?.['lifecycleHookDetails'] as Obj[] | undefined) ?? []).find(
    (h) => h['status'] === 'AWAITING_ACTION',
  );
  if (hook === undefined) return false;
  sim.call('ecs', 'ContinueServiceDeployment', { serviceDeploymentArn: arn, hookId: hook['hookId'], action });
  return true;
}

/** Stage lines printed by the follower, in order. */
const stages = (run: RunResult): string[] =>
  [...run.visible.matchAll(/^rollout: stage (\w+)/gm)].map((m) => m[1] ?? '');

test.each(['bg', 'linear', 'canary'])(
  '%s: succeeds through its lifecycle stages, with the new tasks healthy in the target group that holds them',
  async (service) => {
    const { run, after, from } = await deploy(service);
    expect(run.code).toBe(0);
    expect(run.outputs['outcome']).toBe('succeeded');
    expect(after).toBe(run.outputs['task-definition-arn']);
    expect(run.outputs['lifecycle-stage']).toBe('CLEAN_UP');
    // Printed as they change, in ECS's order (a short stage may pass between two polls on a busy machine).
    const seen = stages(run);
    for (const stage of ['SCALE_UP', 'BAKE_TIME', 'CLEAN_UP']) expect(seen).toContain(stage);
    // Linear and canary repeat the production traffic stages once per step.
    const step = (s: string): string => (s === 'PRE_PRODUCTION_TRAFFIC_SHIFT' ? 'PRODUCTION_TRAFFIC_SHIFT' : s);
    const order = seen.map((s) => (LIFECYCLE_STAGES as readonly string[]).indexOf(step(s)));
    expect(order.every((at, i) => at >= 0 && (i === 0 || at >= (order[i - 1] ?? 0)))).toBe(true);
    // Both target groups of the pair are read; the green tasks are healthy in theirs.
    expect(run.visible).toMatch(/rollout done: .* 2\/2; 2 target\(s\) healthy in 2 target group\(s\)/);
    expect(run.summary).toMatch(/BLUE_GREEN|LINEAR|CANARY/);
    expect(callCounts(sim, from)['StopServiceDeployment']).toBeUndefined();
  },
  LIMIT,
);

test(
  'linear: the production traffic steps are printed as they change',
  async () => {
    const { run } = await deploy('linear');
    expect(run.visible).toMatch(/stage PRODUCTION_TRAFFIC_SHIFT, 50% of production traffic on the new revision/);
    expect(run.visible).toMatch(/stage POST_PRODUCTION_TRAFFIC_SHIFT, 100% of production traffic/);
  },
  LIMIT,
);

test(
  'an alarm rollback: ECS rolls back, deploy-service names the alarm and makes no second change',
  async () => {
    const { run, before, after, from } = await deploy('bg', { scenario: 'alarm' });
    expect(run.code).toBe(1);
    expect(run.outputs['outcome']).toBe('rolled-back');
    expect(run.outputs['cause']).toBe('alarm');
    expect(run.stdout).toMatch(
      /::error::deploy-service: CloudWatch alarm api-5xx went into ALARM during the deployment of bg:\d+/,
    );
    expect(after).toBe(before);
    expect(callCounts(sim, from)['UpdateService']).toBe(1);
    expect(callCounts(sim, from)['StopServiceDeployment']).toBeUndefined();
  },
  LIMIT,
);

test(
  'a bake time longer than the wait: warned up front, then the step stops waiting without rolling back',
  async () => {
    const { run, after, from } = await deploy('baking', { inputs: { 'wait-for-minutes': '0.05' } });
    expect(run.code).toBe(1);
    expect(run.outputs['outcome']).toBe('in-progress');
    expect(run.stdout).toMatch(/::warning::the BLUE_GREEN deployment bakes 600 min, longer than wait-for-minutes/);
    expect(run.stdout).toMatch(/::error::deploy-service: baking:\d+ is up and ECS is still baking it/);
    expect(run.stdout).toMatch(/not rolled back: ECS completes the deployment after its bake time/);
    expect(after).toBe(run.outputs['task-definition-arn']);
    expect(callCounts(sim, from)['StopServiceDeployment']).toBeUndefined();
    expect(callCounts(sim, from)['UpdateService']).toBe(1);
  },
  LIMIT,
);

test(
  'wait-until BAKE_TIME: the step succeeds once production traffic has moved and the new tasks are healthy',
  async () => {
    const { run } = await deploy('baking', { inputs: { 'wait-until': 'BAKE_TIME' } });
    expect(run.code).toBe(0);
    expect(run.outputs['outcome']).toBe('in-progress');
    expect(run.outputs['lifecycle-stage']).toBe('BAKE_TIME');
    expect(run.stdout).toMatch(/the deployment of baking:\d+ reached BAKE_TIME; ECS carries on with it on its own/);
  },
  LIMIT,
);

test(
  'a paused hook: reported once with how to continue or roll back; at the deadline not rolled back',
  async () => {
    const { run, from } = await deploy('paused', { inputs: { 'wait-for-minutes': '0.1' } });
    expect(run.code).toBe(1);
    expect(run.outputs['outcome']).toBe('in-progress');
    const advice = run.stdout
      .split('\n')
      .filter((l) => l.startsWith('::warning::the deployment is paused at POST_TEST_TRAFFIC_SHIFT'));
    expect(advice).toHaveLength(1);
    expect(advice[0]).toMatch(
      /aws ecs continue-service-deployment --service-deployment-arn arn:aws:ecs:\S+ --hook-id ecs-pause-\w+ --action CONTINUE/,
    );
    expect(run.stdout).toMatch(
      /::error::deploy-service: the deployment of paused:\d+ is paused at POST_TEST_TRAFFIC_SHIFT by lifecycle hook/,
    );
    expect(callCounts(sim, from)['StopServiceDeployment']).toBeUndefined();
    // Leave the service settled for the next test: roll the paused deployment back as the advice says.
    expect(act(run.outputs['service-deployment-arn'], 'ROLLBACK')).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
  },
  LIMIT,
);

test(
  'wait-until paused: the step succeeds when the pause hook awaits action',
  async () => {
    const { run } = await deploy('paused', { inputs: { 'wait-until': 'paused' } });
    expect(run.code).toBe(0);
    expect(run.outputs['outcome']).toBe('in-progress');
    expect(run.stdout).toMatch(/paused at POST_TEST_TRAFFIC_SHIFT \(lifecycle hook ecs-pause-\w+\)/);
    expect(act(run.outputs['service-deployment-arn'], 'ROLLBACK')).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
  },
  LIMIT,
);

test(
  'a paused hook continued while the step waits: the deployment then completes',
  async () => {
    const { run } = await deploy('paused', {
      inputs: { 'wait-for-minutes': '1' },
      during: () => {
        const timer = setInterval(() => {
          const listed = sim.call('ecs', 'ListServiceDeployments', { cluster: CLUSTER, service: 'paused' });
          if (act((listed['serviceDeployments'] as Obj[])[0]?.['serviceDeploymentArn'], 'CONTINUE'))
            clearInterval(timer);
        }, 50);
      },
    });
    expect(run.code).toBe(0);
    expect(run.outputs['outcome']).toBe('succeeded');
  },
  LIMIT,
);

test(
  'early success criteria: ECS declares success at half the tasks healthy; so does deploy-service',
  async () => {
    // Every second task stays PENDING: without early success this rollout could never complete.
    const { run, after } = await deploy('early', { scenario: 'half-slow' });
    expect(run.code).toBe(0);
    expect(run.outputs['outcome']).toBe('succeeded');
    expect(after).toBe(run.outputs['task-definition-arn']);
    expect(run.visible).toMatch(/early success at 50% \(DEFERRED\)/);
  },
  LIMIT,
);

test(
  'a takeover by another deploy mid-wait: reported, never rolled back over',
  async () => {
    const other = sim.call('ecs', 'RegisterTaskDefinition', {
      ...nginxTaskDefinition('nginx:someone-else'),
      family: 'bg',
    });
    const otherArn = String((other['taskDefinition'] as Obj)['taskDefinitionArn']);
    const { run, after, from } = await deploy('bg', {
      scenario: 'slow',
      inputs: { 'wait-for-minutes': '1' },
      during: () => sim.call('ecs', 'UpdateService', { cluster: CLUSTER, service: 'bg', taskDefinition: otherArn }),
    });
    expect(run.code).toBe(1);
    expect(run.outputs['outcome']).toBe('failed');
    expect(run.outputs['cause']).toBe('replaced');
    expect(run.stdout).toMatch(/not rolling back over another deployment/);
    expect(after).toBe(otherArn);
    expect(callCounts(sim, from)['StopServiceDeployment']).toBeUndefined();
    // Ours only (the other one went through sim.call, which is not recorded).
    expect(callCounts(sim, from)['UpdateService']).toBe(1);
    await new Promise((r) => setTimeout(r, 500));
  },
  LIMIT,
);

test(
  'task-definition-arn: an existing revision is deployed as it is, nothing registered',
  async () => {
    const before = serviceTaskDefinition(sim, 'early');
    const revision = `early:1`;
    const from = sim.calls.length;
    const run = await runBundle('deploy-service', {
      env: sim.env,
      inputs: {
        'task-definition-arn': revision,
        service: 'early',
        cluster: CLUSTER,
        'poll-interval-seconds': '0.05',
        'wait-for-minutes': '0.5',
      },
    });
    expect(run.code).toBe(0);
    expect(run.outputs['task-definition-arn']).toMatch(/:task-definition\/early:1$/);
    expect(run.outputs['previous-task-definition-arn']).toBe(before);
    expect(serviceTaskDefinition(sim, 'early')).toMatch(/early:1$/);
    expect(callCounts(sim, from)['RegisterTaskDefinition']).toBeUndefined();
    expect(run.summary).toContain('existing revision, not registered');
  },
  LIMIT,
);
