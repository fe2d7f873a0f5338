// The bundled action, run as the runner runs it, against the rollout simulator: every scenario ends with the
// right exit code, outcome, message and the service on the right task definition.
import { startAwsSim, type AwsSim, type ScenarioName } from '@deploy-actions/aws-sim';
import { runBundle, type RunResult } from '@deploy-actions/testing';
import { CLUSTER, NGINX, callCounts, nginxTaskDefinition, serviceTaskDefinition, workspace } from './helpers';

/** jest's default 5 s is too short for a bundle run on a loaded 2-core machine. */
const LIMIT = 60_000;

let sim: AwsSim;
beforeAll(async () => {
  sim = await startAwsSim({ timeScale: 600 });
  sim.seedPlatform();
}, LIMIT);
afterAll(async () => {
  await sim?.stop();
}, LIMIT);

let n = 0;
/** Deploys the frontend with an image that selects the scenario; returns the run and the service's TD before. */
async function deploy(
  scenario: ScenarioName,
  inputs: Record<string, string> = {},
): Promise<{ run: RunResult; before: string; after: string; from: number }> {
  const image = `123456789012.dkr.ecr.eu-west-2.amazonaws.com/frontend:${scenario}-${++n}`;
  sim.setScenario({ image: `${scenario}-${n}` }, scenario);
  const ws = await workspace({ 'td.json': JSON.stringify(nginxTaskDefinition(image)) });
  const before = serviceTaskDefinition(sim, NGINX);
  const from = sim.calls.length;
  const run = await runBundle('deploy-service', {
    workspace: ws,
    env: sim.env,
    inputs: {
      'task-definition': 'td.json',
      service: NGINX,
      cluster: CLUSTER,
      'poll-interval-seconds': '0.05',
      'wait-for-minutes': '0.5',
      ...inputs,
    },
  });
  return { run, before, after: serviceTaskDefinition(sim, NGINX), from };
}

test(
  'healthy: succeeds on the new revision, every event once, a summary, outputs',
  async () => {
    const { run, before, after, from } = await deploy('healthy');
    expect(run.code).toBe(0);
    expect(run.outputs['outcome']).toBe('succeeded');
    expect(after).toBe(run.outputs['task-definition-arn']);
    expect(after).not.toBe(before);
    expect(run.outputs['previous-task-definition-arn']).toBe(before);
    expect(run.outputs['deployment-id']).toMatch(/^ecs-svc\/\d+$/);
    expect(Number(run.outputs['duration-seconds'])).toBeGreaterThan(0);
    const events = run.visible.split('\n').filter((l) => l.startsWith('event '));
    expect(events.length).toBeGreaterThan(0);
    expect(new Set(events).size).toBe(events.length);
    expect(run.visible).toMatch(/rollout COMPLETED: .* 2\/2; 2 target\(s\) healthy in 1 target group/);
    expect(run.summary).toContain('✅ succeeded');
    expect(run.summary).toMatch(
      /<code>learning-platform-nginx:\d+<\/code> → <code>learning-platform-nginx:\d+<\/code>/,
    );
    expect(run.summary).toContain('frontend:healthy-');
    // Followed through the service-deployments API where the endpoint has it; never the SDK waiter.
    expect(callCounts(sim, from)['ListServiceDeployments']).toBeGreaterThan(0);
    expect(run.stdout).not.toMatch(/"\$metadata"|\{"__type"/);
  },
  LIMIT,
);

test.each<{ scenario: ScenarioName; message: RegExp; report: RegExp }>([
  {
    scenario: 'crash',
    message: /rolled back to learning-platform-nginx:\d+, which runs again/,
    report:
      /container nginx: exit code 1[\s\S]*\| ActiveRecord::ConnectionNotEstablished[\s\S]*\| Exiting with status 1/,
  },
  {
    scenario: 'pull-failure',
    message: /rolled back to learning-platform-nginx:\d+/,
    report:
      /\[TaskFailedToStart\]: CannotPullContainerError: [\s\S]*container nginx: no exit code\n {4}no log lines of nginx \(.*no such log stream/,
  },
  {
    scenario: 'unhealthy',
    message: /rolled back to learning-platform-nginx:\d+/,
    report:
      /Task failed ELB health checks[\s\S]*container nginx: exit code 0\n {4}last \d+ log line\(s\) of nginx[\s\S]*\| .*GET \/health HTTP\/1.1" 502/,
  },
  {
    scenario: 'rollback',
    message: /ECS rolled .*back.*; rolled back to learning-platform-nginx:\d+, which runs again/,
    report: /exit code 1/,
  },
])(
  '$scenario: fails, explains, and the service is back on the previous revision',
  async ({ scenario, message, report }) => {
    const { run, before, after, from } = await deploy(scenario);
    // ECS's circuit breaker already rolled back: the action waits for it and makes no second deployment.
    expect(callCounts(sim, from)['UpdateService']).toBe(1);
    expect(run.code).toBe(1);
    expect(run.outputs['outcome']).toBe('rolled-back');
    expect(run.stdout).toMatch(/::error::deploy-service: /);
    expect(run.stdout).toMatch(message);
    expect(run.visible).toMatch(report);
    expect(after).toBe(before);
    expect(run.outputs['previous-task-definition-arn']).toBe(before);
    expect(run.summary).toContain('↩️ failed and rolled back');
    expect(run.summary).toContain('What failed');
    expect(run.stdout).not.toMatch(/"\$metadata"|\{"__type"/);
  },
);

test(
  'slow: a rollout slower than wait-for-minutes times out (never hangs) and rolls back',
  async () => {
    const { run, before, after, from } = await deploy('slow', { 'wait-for-minutes': '0.03' });
    // Ours, then the rollback to the revision that ran before.
    expect(callCounts(sim, from)['UpdateService']).toBe(2);
    expect(run.code).toBe(1);
    expect(run.outputs['outcome']).toBe('rolled-back');
    expect(run.stdout).toMatch(/the rollout did not finish within 0.03 minute\(s\) \(last state: /);
    expect(after).toBe(before);
    expect(Number(run.outputs['duration-seconds'])).toBeLessThan(30);
  },
  LIMIT,
);

test(
  'rollback off, circuit breaker on: fails and says truthfully that ECS put the service back',
  async () => {
    const { run, before, after } = await deploy('crash', { rollback: 'false' });
    expect(run.code).toBe(1);
    expect(run.outputs['outcome']).toBe('failed');
    expect(after).toBe(before);
    expect(run.stdout).toMatch(/rollback is off, the service runs learning-platform-nginx:\d+ \(put back by ECS\)/);
  },
  LIMIT,
);

test(
  'rollback off, no circuit breaker: times out and leaves the service on the new revision, saying so',
  async () => {
    sim.seedPlatform({
      cluster: 'no-breaker-cluster',
      services: [
        {
          name: 'plain',
          image: 'nginx:1.27',
          containerName: 'nginx',
          containerPort: 80,
          desiredCount: 1,
          circuitBreaker: { enable: false, rollback: false },
        },
      ],
    });
    sim.setScenario({ service: 'plain' }, 'crash');
    const ws = await workspace({
      'td.json': JSON.stringify({ ...nginxTaskDefinition('nginx:1.28'), family: 'plain' }),
    });
    const run = await runBundle('deploy-service', {
      workspace: ws,
      env: sim.env,
      inputs: {
        'task-definition': 'td.json',
        service: 'plain',
        cluster: 'no-breaker-cluster',
        rollback: 'false',
        'poll-interval-seconds': '0.05',
        'wait-for-minutes': '0.03',
      },
    });
    expect(run.code).toBe(1);
    expect(run.outputs['outcome']).toBe('failed');
    expect(run.stdout).toMatch(
      /the rollout did not finish within 0.03 minute\(s\).*rollback is off, the service is left on plain:2/,
    );
    const services = sim.call('ecs', 'DescribeServices', { cluster: 'no-breaker-cluster', services: ['plain'] })[
      'services'
    ] as { taskDefinition: string }[];
    expect(services[0]?.taskDefinition).toBe(run.outputs['task-definition-arn']);
  },
  LIMIT,
);

test(
  'keep-revisions deregisters older revisions, never the running or previous one',
  async () => {
    const { run, before } = await deploy('healthy', { 'keep-revisions': '1' });
    expect(run.code).toBe(0);
    const active = sim.call('ecs', 'ListTaskDefinitions', { familyPrefix: NGINX, status: 'ACTIVE' });
    const arns = active['taskDefinitionArns'] as string[];
    expect(arns).toContain(run.outputs['task-definition-arn']);
    expect(arns).toContain(before);
    expect(arns.length).toBe(2);
  },
  LIMIT,
);
