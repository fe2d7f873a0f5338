// Shared by the simulator's integration tests: SDK clients pointed at an endpoint, and a rollout follower.
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ECRClient } from '@aws-sdk/client-ecr';
import { DescribeServicesCommand, ECSClient, type Service } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';

export interface Clients {
  ecs: ECSClient;
  elb: ElasticLoadBalancingV2Client;
  logs: CloudWatchLogsClient;
  ssm: SSMClient;
  ecr: ECRClient;
  sts: STSClient;
}

export function clients(env: Record<string, string>, maxAttempts = 3): Clients {
  const config = {
    region: env['AWS_REGION'] ?? 'eu-west-2',
    endpoint: env['AWS_ENDPOINT_URL'] ?? '',
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    maxAttempts,
  };
  return {
    ecs: new ECSClient(config),
    elb: new ElasticLoadBalancingV2Client(config),
    logs: new CloudWatchLogsClient(config),
    ssm: new SSMClient(config),
    ecr: new ECRClient(config),
    sts: new STSClient(config),
  };
}

export function destroy(c: Clients): void {
  for (const client of Object.values(c) as { destroy(): void }[]) client.destroy();
}

/**
 * Polls DescribeServices until only one deployment is left and it is no longer IN_PROGRESS (or `until`
 * says so), stepping simulated time with `step` between polls. Returns the last service view and every
 * event message seen, oldest first.
 */
export async function follow(
  ecs: ECSClient,
  cluster: string,
  service: string,
  step: () => Promise<void>,
  until: (s: Service) => boolean = (s) =>
    s.deployments?.length === 1 && s.deployments[0]?.rolloutState !== 'IN_PROGRESS',
  maxPolls = 400,
): Promise<{ service: Service; events: string[]; polls: number }> {
  const seen = new Map<string, string>();
  for (let polls = 1; polls <= maxPolls; polls++) {
    const out = await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }));
    const svc = out.services?.[0];
    if (!svc) throw new Error(`service ${service} not found`);
    for (const e of [...(svc.events ?? [])].reverse()) if (e.id && !seen.has(e.id)) seen.set(e.id, e.message ?? '');
    if (until(svc)) return { service: svc, events: [...seen.values()], polls };
    await step();
  }
  throw new Error(`rollout of ${service} did not settle within ${maxPolls} polls`);
}
