// The bundled action, run as the runner runs it, against the rollout simulator: every scenario ends with the
// right exit code, outcome, message and the service on the right task definition.
import { startAwsSim, type AwsSim, type ScenarioName } from '@deploy-actions/aws-sim';
import { runBundle } from '@deploy-actions/testing';
import { NGINX, callCounts, deployImage, nginxTaskDefinition, workspace, type Deployed } from './helpers';

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
/** Deploys the frontend with an image that selects the scenario. */
function deploy(scenario: ScenarioName, inputs: Record<string, string> = {}): Promise<Deployed> {
  const image = `123456789012.dkr.ecr.eu-west-2.amazonaws.com/frontend:${scenario}-${++n}`;
  sim.setScenario({ image: `${scenario}-${n}` }, scenario);
  return deployImage(sim, { service: NGINX, image, inputs });
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
    expect(run.visible).toMatch(/rollout done: .* 2\/2; 2 target\(s\) healthy in 1 target group/);
    expect(run.outputs['service-deployment-arn']).toMatch(/^arn:aws:ecs:eu-west-2:123456789012:service-deployment\//);
    expect(run.outputs['cause']).toBe('');
    expect(run.outputs['console-url']).toBe(
      'https://eu-west-2.console.aws.amazon.com/ecs/v2/clusters/learning-platform-cluster1/services/learning-platform-nginx/deployments?region=eu-west-2',
    );
    expect(run.summary).toContain('✅ succeeded');
    expect(run.summary).toMatch(
      /<code>learning-platform-nginx:\d+<\/code> → <code>learning-platform-nginx:\d+<\/code>/,
    );
    expect(run.summary).toContain('frontend:healthy-');
    // Followed by its ARN through the service-deployments API where the endpoint has it; never the SDK waiter.
    expect(callCounts(sim, from)['DescribeServiceDeployments']).toBeGreaterThan(0);
    expect(run.stdout).not.toMatch(/"\$metadata"|\{"__type"/);
  },
  LIMIT,
);

test.each<{ scenario: ScenarioName; cause: RegExp; message: RegExp; report: RegExp }>([
  {
    scenario: 'crash',
    cause:
      /^container nginx exited 1: ActiveRecord::ConnectionNotEstablished: connection to server .* refused \(\d of \d tasks\)$/,
    message: /rolled back to learning-platform-nginx:\d+, which runs again \(ECS rolled it back\)/,
    report:
      /container nginx: exit code 1[\s\S]*\| ActiveRecord::ConnectionNotEstablished[\s\S]*\| Exiting with status 1/,
  },
  {
    scenario: 'pull-failure',
    cause:
      /^CannotPullContainerError: pull image manifest has been retried 7 time\(s\): .*: not found \(\d of \d tasks\)$/,
    message: /rolled back to learning-platform-nginx:\d+/,
    report:
      /\[TaskFailedToStart\]: CannotPullContainerError: [\s\S]*container nginx: no exit code\n {4}no log lines of nginx \(.*no such log stream/,
  },
  {
    scenario: 'unhealthy',
    cause:
      /^Task failed ELB health checks in \(target-group arn:aws:elasticloadbalancing:.*learning-platform-nginx-tg\/\w+\): Health checks failed with these codes: \[502\] \(\d of \d tasks\)$/,
    message: /rolled back to learning-platform-nginx:\d+/,
    report:
      /Task failed ELB health checks[\s\S]*container nginx: exit code 0\n {4}last \d+ log line\(s\) of nginx[\s\S]*\| .*GET \/health HTTP\/1.1" 502/,
  },
  {
    scenario: 'rollback',
    cause: /^container nginx exited 1: /,
    message: /ECS rolled .*back.*; rolled back to learning-platform-nginx:\d+, which runs again/,
    report: /exit code 1/,
  },
])(
  '$scenario: fails with the cause first, explains, and the service is back on the previous revision',
  async ({ scenario, cause, message, report }) => {
    const { run, before, after, from } = await deploy(scenario);
    // ECS's circuit breaker already rolled back: the action waits for it and makes no second deployment.
    expect(callCounts(sim, from)['UpdateService']).toBe(1);
    expect(run.code).toBe(1);
    expect(run.outputs['outcome']).toBe('rolled-back');
    // One error annotation, whose first line is the cause (what the run page, checks and e-mails show).
    const errors = run.stdout.split('\n').filter((l) => l.startsWith('::error::'));
    expect(errors).toHaveLength(1);
    const [first = ''] = (errors[0] ?? '').replace(/^::error::deploy-service: /, '').split('%0A');
    expect(first).toMatch(cause);
    expect(run.outputs['cause']).toBe('circuit-breaker');
    expect(run.stdout).toMatch(message);
    expect(run.visible).toMatch(report);
    expect(after).toBe(before);
    expect(run.outputs['previous-task-definition-arn']).toBe(before);
    expect(run.summary).toContain('↩️ failed and rolled back');
    expect(run.summary).toContain('What failed');
    // The summary opens with the cause, and identical stopped tasks are one group with a count.
    expect(run.summary.indexOf('<strong>')).toBeLessThan(run.summary.indexOf('| Service |'));
    expect(run.summary).toMatch(/<code>\d tasks stopped \[/);
    expect(run.stdout).not.toMatch(/"\$metadata"|\{"__type"/);
  },
);

test(
  'slow: a rollout slower than wait-for-minutes times out (never hangs), is diagnosed from its pending tasks and stopped with StopServiceDeployment',
  async () => {
    const { run, before, after, from } = await deploy('slow', { 'wait-for-minutes': '0.03' });
    // Ours only: the in-progress service deployment is rolled back by ECS on StopServiceDeployment.
    expect(callCounts(sim, from)['UpdateService']).toBe(1);
    expect(callCounts(sim, from)['StopServiceDeployment']).toBe(1);
    expect(run.code).toBe(1);
    expect(run.outputs['outcome']).toBe('rolled-back');
    expect(run.outputs['cause']).toBe('timeout');
    expect(run.stdout).toMatch(/the rollout did not finish within 0.03 minute\(s\) \(last state: /);
    expect(run.stdout).toMatch(
      /::error::deploy-service: 2 task\(s\) of learning-platform-nginx:\d+ still starting after 0.03 minute\(s\)/,
    );
    expect(run.visible).toMatch(/task \w+: PENDING for \d+ s \(image still being pulled\)/);
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
  'crash loop without a circuit breaker: noticed within two polls of the evidence (not at the deadline), rollback off says where the service is',
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
        // Far more than the crash loop needs: the deadline is not what ends it.
        'wait-for-minutes': '2',
      },
    });
    expect(run.code).toBe(1);
    expect(run.outputs['outcome']).toBe('failed');
    expect(run.outputs['cause']).toBe('crash-loop');
    expect(Number(run.outputs['duration-seconds'])).toBeLessThan(60);
    expect(run.stdout).toMatch(/::error::deploy-service: container nginx exited 1: .*\(\d+ of \d+ tasks\)/);
    expect(run.stdout).toMatch(
      /tasks of plain:2 keep failing \(\d+ failed, circuit-breaker threshold 3\).*rollback is off, the service is left on plain:2/,
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
