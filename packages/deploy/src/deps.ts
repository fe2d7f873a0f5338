import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Log } from '@deploy-actions/core';

/** Time, injected so tests run on a compressed or fake clock. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Everything the deploy touches outside itself. */
export interface DeployDeps {
  readonly ecs: ECSClient;
  readonly elb: ElasticLoadBalancingV2Client;
  /** A CloudWatch Logs client for a region (awslogs may write to another region than the service's). */
  readonly logs: (region: string | undefined) => CloudWatchLogsClient;
  readonly clock: Clock;
  readonly log: Log;
  /** Every line we print or summarise passes through this (masks known secret values). */
  readonly redact: (text: string) => string;
}
