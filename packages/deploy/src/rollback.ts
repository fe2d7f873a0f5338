// Phase 7: put the service back on the revision that ran before, the way ECS means it to be done: follow
// ECS's own rollback when it already started one; stop an in-progress service deployment with
// StopServiceDeployment (ROLLBACK), which also ends a blue/green, linear or canary deployment cleanly; only
// when there is no such deployment left to stop (or no service-deployments API), point the service at the
// previous revision. Never over someone else's newer deployment.
import { StopServiceDeploymentCommand } from '@aws-sdk/client-ecs';
import { awsErrorName, errorMessage } from '@deploy-actions/core';
import type { DeployDeps } from './deps';
import { follow, type FollowEnd } from './follow';
import { observe, type FollowMemory, type ServiceRef } from './observe';
import type { Plan } from './plan';
import { call, CredentialsExpired, DeadlineReached } from './request';
import { updateService, ourServiceDeployment, type Ours } from './update';
import { findOurs, shortArn, type Expectation, type Observation } from './verdict';

export type RollbackOutcome =
  | { readonly kind: 'settled'; readonly how: 'ecs' | 'stop' | 'update' }
  | { readonly kind: 'not-settled'; readonly reason: string; readonly credentials: boolean }
  | { readonly kind: 'skipped'; readonly reason: string };

export interface RollbackInput {
  readonly ref: ServiceRef;
  readonly plan: Plan;
  readonly previous: string;
  readonly taskDefinitionArn: string;
  readonly ours: Ours;
  readonly deadline: number;
  readonly pollMs: number;
}

type Route = { readonly how: 'ecs' | 'stop' | 'update' } | { readonly skip: string };

/** How to roll back, from one fresh look combined with the failure already confirmed. */
function route(obs: Observation, input: RollbackInput): Route {
  const service = obs.service;
  const known = input.plan.known;
  const current = service?.currentServiceDeployment;
  if (
    current !== undefined &&
    current !== input.ours.serviceDeploymentArn &&
    !known.serviceDeploymentArns.has(current)
  ) {
    return { skip: `another service deployment (${current.slice(current.lastIndexOf('/') + 1)}) is current now` };
  }
  const status = obs.serviceDeployment?.status ?? '';
  if (status.startsWith('ROLLBACK_')) return { how: 'ecs' };
  const primary = service?.deployments?.find((d) => d.status === 'PRIMARY');
  const ours = service
    ? findOurs(service, { deploymentId: input.ours.deploymentId, taskDefinitionArn: input.taskDefinitionArn })
    : undefined;
  const fresh = primary?.id !== undefined && !known.deploymentIds.has(primary.id) && primary !== ours;
  if (fresh && primary?.taskDefinition === input.previous) return { how: 'ecs' };
  if (fresh) return { skip: `another deployment (${shortArn(primary?.taskDefinition)}) is PRIMARY now` };
  if (status === 'IN_PROGRESS' || status === 'PENDING') return { how: 'stop' };
  return { how: 'update' };
}

async function stop(deps: DeployDeps, arn: string, deadline: number): Promise<boolean> {
  try {
    await call(deps, 'StopServiceDeployment', deadline, (o) =>
      deps.ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: arn, stopType: 'ROLLBACK' }), o),
    );
    return true;
  } catch (error) {
    // The deployment ended between our look and the call: fall back to pointing the service back.
    if (awsErrorName(error) === 'ConflictException') return false;
    throw error;
  }
}

function unsettled(end: FollowEnd): RollbackOutcome {
  switch (end.kind) {
    case 'credentials-expired':
      return { kind: 'not-settled', reason: `AWS credentials expired during ${end.what}`, credentials: true };
    case 'timeout':
      return {
        kind: 'not-settled',
        reason: `it did not settle in time (last state: ${end.late ?? end.reason})`,
        credentials: false,
      };
    case 'failed':
      return { kind: 'not-settled', reason: end.reason, credentials: false };
    default:
      return { kind: 'not-settled', reason: 'it stopped short of the end', credentials: false };
  }
}

/** Rolls back and follows it; never throws: whatever stops it is the outcome's reason. */
export async function rollBack(deps: DeployDeps, input: RollbackInput, memory: FollowMemory): Promise<RollbackOutcome> {
  try {
    return await attempt(deps, input, memory);
  } catch (error) {
    if (error instanceof CredentialsExpired) return unsettled({ kind: 'credentials-expired', what: error.what });
    const reason =
      error instanceof DeadlineReached ? error.message : `${awsErrorName(error) ?? 'error'}: ${errorMessage(error)}`;
    return { kind: 'not-settled', reason, credentials: false };
  }
}

async function attempt(deps: DeployDeps, input: RollbackInput, memory: FollowMemory): Promise<RollbackOutcome> {
  const { ref, plan, previous, deadline } = input;
  const sdArn = input.ours.serviceDeploymentArn;
  const fresh = await observe(deps, ref, sdArn, memory, deadline);
  const chosen = route(fresh, input);
  if ('skip' in chosen) return { kind: 'skipped', reason: chosen.skip };
  let how = chosen.how;
  if (how === 'stop' && sdArn !== undefined && !(await stop(deps, sdArn, deadline))) how = 'update';
  let expect: Expectation = {
    mode: 'rollback',
    taskDefinitionArn: previous,
    previousTaskDefinitionArn: input.taskDefinitionArn,
    deploymentId: undefined,
    serviceDeploymentArn: memory.serviceDeploymentsApi === 'no' ? undefined : sdArn,
    before: plan.known,
    strategy: plan.strategy,
    waitUntil: { kind: 'completed' },
  };
  if (how === 'ecs') deps.log.info(`ECS is already putting ${shortArn(previous)} back; waiting for it to settle`);
  if (how === 'stop')
    deps.log.info(`stopped the deployment with StopServiceDeployment (ROLLBACK); ECS puts ${shortArn(previous)} back`);
  if (how === 'update') {
    // The EBS volume the revision ran with before goes back with it (a deploy may have changed it).
    const running = plan.before.deployments?.find((d) => d.status === 'PRIMARY')?.volumeConfigurations?.[0];
    const update = await updateService(deps, ref, previous, { forceNewDeployment: false, volume: running }, deadline);
    const known = new Set([...plan.known.serviceDeploymentArns, ...(sdArn ? [sdArn] : [])]);
    const back = await ourServiceDeployment(deps, ref, update.serviceDeploymentArn, known, memory, deadline);
    deps.log.info(`service set back to ${shortArn(previous)}; waiting for it to settle`);
    expect = {
      ...expect,
      mode: 'rollout',
      deploymentId: update.deploymentId,
      serviceDeploymentArn: back,
      before: {
        deploymentIds: new Set([
          ...plan.known.deploymentIds,
          ...(input.ours.deploymentId ? [input.ours.deploymentId] : []),
        ]),
        serviceDeploymentArns: known,
      },
    };
  }
  const end = await follow(deps, { ref, deadline, pollMs: input.pollMs, label: 'rollback' }, expect, memory);
  return end.kind === 'done' ? { kind: 'settled', how } : unsettled(end);
}
