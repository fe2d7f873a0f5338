// Shared by the unit tests: task definition ARNs, ECS deployments in the shapes DescribeServices returns,
// and a clock that moves only when the code sleeps (no real waiting, every sleep recorded).
import type { Deployment } from '@aws-sdk/client-ecs';
import type { Clock } from '../../src/deps';

export const ARN = (rev: number): string => `arn:aws:ecs:eu-west-2:123456789012:task-definition/web:${rev}`;
/** The revision that ran before the deploy, and ours. */
export const PREV = ARN(7);
export const OURS = ARN(8);

/** Our deployment (ecs-svc/2), starting. */
export const dep = (over: Partial<Deployment>): Deployment => ({
  id: 'ecs-svc/2',
  status: 'PRIMARY',
  taskDefinition: OURS,
  rolloutState: 'IN_PROGRESS',
  desiredCount: 2,
  runningCount: 0,
  pendingCount: 2,
  failedTasks: 0,
  ...over,
});

/** The deployment that ran before ours (ecs-svc/1), complete. */
export const prevDep = (over: Partial<Deployment> = {}): Deployment =>
  dep({ id: 'ecs-svc/1', taskDefinition: PREV, rolloutState: 'COMPLETED', runningCount: 2, pendingCount: 0, ...over });

export function fakeClock(): Clock & { sleeps: number[] } {
  let now = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
  };
}
