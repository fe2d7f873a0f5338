import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { AwsSim } from '@deploy-actions/aws-sim';
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
export function serviceTaskDefinition(sim: AwsSim, service: string): string {
  const out = sim.call('ecs', 'DescribeServices', { cluster: CLUSTER, services: [service] });
  const services = out['services'] as Obj[];
  return String(services[0]?.['taskDefinition']);
}

/** API calls the action made, by operation. */
export function callCounts(sim: AwsSim, from = 0): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const c of sim.calls.slice(from)) counts[c.operation] = (counts[c.operation] ?? 0) + 1;
  return counts;
}
