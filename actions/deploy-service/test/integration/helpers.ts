import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { AwsSim, SeedService } from '@deploy-actions/aws-sim';
import { runBundle, type RunResult } from '@deploy-actions/testing';
type Obj = Record<string, unknown>;

export const CLUSTER = 'learning-platform-cluster1';
export const NGINX = 'learning-platform-nginx';
export const API = 'learning-platform-api';

/** The frontend's task definition (as the frontend repo keeps it) with the given image and extra environment. */
export function nginxTaskDefinition(image: string, environment: { name: string; value: string }[] = []): Obj {
  return {
    family: NGINX,
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    cpu: '256',
    memory: '512',
    executionRoleArn: 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole',
    containerDefinitions: [
      {
        name: 'nginx',
        image,
        essential: true,
        portMappings: [{ containerPort: 80, protocol: 'tcp' }],
        environment,
        logConfiguration: {
          logDriver: 'awslogs',
          options: { 'awslogs-group': `/ecs/${NGINX}`, 'awslogs-region': 'eu-west-2', 'awslogs-stream-prefix': 'ecs' },
        },
      },
    ],
  };
}

/** A workspace directory holding the given files. */
export async function workspace(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'deploy-ws-'));
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
  return dir;
}

/** The task definition a service runs now, read in-process from the simulator. */
export function serviceTaskDefinition(sim: AwsSim, service: string, cluster = CLUSTER): string {
  const out = sim.call('ecs', 'DescribeServices', { cluster, services: [service] });
  const services = out['services'] as Obj[];
  return String(services[0]?.['taskDefinition']);
}

/** API calls the action made, by operation. */
export function callCounts(sim: AwsSim, from = 0): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const c of sim.calls.slice(from)) counts[c.operation] = (counts[c.operation] ?? 0) + 1;
  return counts;
}

export interface Deployed {
  readonly run: RunResult;
  /** The service's task definition before and after the run, and where the run's API calls start. */
  readonly before: string;
  readonly after: string;
  readonly from: number;
}

/**
 * Deploys a task definition with `image` to a service of CLUSTER through the bundle, polling fast and waiting
 * half a minute unless the inputs say otherwise. `during` runs once the run's UpdateService was made.
 */
export async function deployImage(
  sim: AwsSim,
  options: {
    service: string;
    image: string;
    family?: string;
    environment?: { name: string; value: string }[];
    inputs?: Record<string, string>;
    env?: Record<string, string>;
    during?: () => void;
  },
): Promise<Deployed> {
  const td = { ...nginxTaskDefinition(options.image, options.environment), family: options.family ?? options.service };
  const ws = await workspace({ 'td.json': JSON.stringify(td) });
  const before = serviceTaskDefinition(sim, options.service);
  const from = sim.calls.length;
  const running = runBundle('deploy-service', {
    workspace: ws,
    env: { ...sim.env, ...options.env },
    inputs: {
      'task-definition': 'td.json',
      service: options.service,
      cluster: CLUSTER,
      'poll-interval-seconds': '0.05',
      'wait-for-minutes': '0.5',
      ...options.inputs,
    },
  });
  const during = options.during;
  if (during) {
    const timer = setInterval(() => {
      if (!sim.calls.slice(from).some((c) => c.operation === 'UpdateService')) return;
      clearInterval(timer);
      during();
    }, 20);
    running.finally(() => clearInterval(timer)).catch(() => undefined);
  }
  const run = await running;
  return { run, before, after: serviceTaskDefinition(sim, options.service), from };
}

/**
 * An nginx service of 2 tasks behind a target group, with the given deployment configuration; traffic-shifting
 * strategies also get the alternate target group they need.
 */
export function nginxService(name: string, deploymentConfiguration: Obj, breaker = true): SeedService {
  return {
    name,
    family: name,
    image: 'nginx:1.27',
    containerName: 'nginx',
    containerPort: 80,
    desiredCount: 2,
    targetGroup: `${name}-blue`,
    ...(deploymentConfiguration['strategy'] !== undefined ? { alternateTargetGroup: `${name}-green` } : {}),
    circuitBreaker: { enable: breaker, rollback: breaker },
    deploymentConfiguration,
  };
}
