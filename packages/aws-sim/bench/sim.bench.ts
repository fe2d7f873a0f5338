// Simulator throughput (DescribeServices through the real SDK client) and the real time a rollout takes at
// the default time scale, as a deploy polling every 100 ms would see it. Figures only; nothing asserted.
import {
  DescribeServicesCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type AwsSim,
  DEFAULT_TIME_SCALE,
  PLATFORM_SEED,
  type ScenarioName,
  startAwsSim,
} from '@deploy-actions/aws-sim';
import type { Figure } from '../../../scripts/bench';

const CLUSTER = PLATFORM_SEED.cluster;
const SERVICE = 'learning-platform-nginx';

async function requestsPerSecond(concurrency: number, total: number, baseline = false): Promise<number> {
  let sim: AwsSim | Awaited<ReturnType<typeof emptyServer>>;
  if (baseline) sim = await emptyServer();
  else {
    const real = await startAwsSim();
    real.seedPlatform();
    sim = real;
  }
  const ecs = new ECSClient({
    region: 'eu-west-2',
    endpoint: sim.endpoint,
    credentials: { accessKeyId: 'b', secretAccessKey: 'b' },
  });
  const cmd = () =>
    ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [SERVICE, 'learning-platform-api'] }));
  for (let i = 0; i < 50; i++) await cmd(); // warm-up: connections, JIT
  const start = performance.now();
  let left = total;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (left-- > 0) await cmd();
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  ecs.destroy();
  await sim.stop();
  return total / seconds;
}

/** An HTTP server answering `{}` to everything: the cost of the SDK and HTTP alone, for comparison. */
async function emptyServer(): Promise<{ endpoint: string; stop(): Promise<void> }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end('{}'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Real seconds from UpdateService until the service is settled, polling every 100 ms. */
async function rollout(
  scenario: ScenarioName,
): Promise<{ seconds: number; simulated: number; polls: number; outcome: string }> {
  const sim = await startAwsSim();
  sim.seedPlatform();
  sim.setScenario({ image: 'bench' }, scenario);
  const ecs = new ECSClient({
    region: sim.region,
    endpoint: sim.endpoint,
    credentials: { accessKeyId: 'b', secretAccessKey: 'b' },
  });
  const td = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: SERVICE,
      networkMode: 'awsvpc',
      cpu: '256',
      memory: '512',
      containerDefinitions: [{ name: 'nginx', image: 'nginx:bench', essential: true }],
    }),
  );
  const start = performance.now();
  const simStart = sim.now();
  await ecs.send(
    new UpdateServiceCommand({
      cluster: CLUSTER,
      service: SERVICE,
      taskDefinition: td.taskDefinition?.taskDefinitionArn,
    }),
  );
  let polls = 0;
  let outcome = 'timeout';
  while (performance.now() - start < 30_000) {
    polls++;
    const s = (await ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [SERVICE] }))).services?.[0];
    const deployments = s?.deployments ?? [];
    if (deployments.length === 1 && deployments[0]?.rolloutState !== 'IN_PROGRESS') {
      outcome =
        deployments[0]?.taskDefinition === td.taskDefinition?.taskDefinitionArn ? 'new revision' : 'rolled back';
      break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const seconds = (performance.now() - start) / 1000;
  ecs.destroy();
  await sim.stop();
  const simulated = (sim.now() - simStart) / 1000;
  return { seconds, simulated, polls, outcome };
}

export default async function bench(): Promise<Figure[]> {
  const sequential = await requestsPerSecond(1, 2000);
  const parallel = await requestsPerSecond(8, 4000);
  const baseline = await requestsPerSecond(1, 2000, true);
  const healthy = await rollout('healthy');
  const crash = await rollout('crash');
  return [
    {
      name: 'DescribeServices, 1 client in sequence',
      value: Math.round(sequential),
      unit: 'req/s',
      note: 'SDK v3 client over HTTP, 2 services per call',
    },
    { name: 'DescribeServices, 8 concurrent', value: Math.round(parallel), unit: 'req/s' },
    {
      name: 'baseline: same SDK calls to an empty server',
      value: Math.round(baseline),
      unit: 'req/s',
      note: 'SDK + HTTP alone; the rest is the simulator and the SDK parsing full service descriptions',
    },
    {
      name: 'healthy rollout, real time',
      value: healthy.seconds,
      unit: 's',
      note: `${healthy.simulated.toFixed(0)} simulated s at time scale ${DEFAULT_TIME_SCALE}, 2 tasks behind a target group, ${healthy.polls} polls at 100 ms, ${healthy.outcome}`,
    },
    {
      name: 'crash + circuit-breaker rollback, real time',
      value: crash.seconds,
      unit: 's',
      note: `${crash.simulated.toFixed(0)} simulated s, ${crash.polls} polls at 100 ms, ${crash.outcome}`,
    },
  ];
}
