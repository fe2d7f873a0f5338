// Phase 1 and 2: before anything changes, read what runs now (the rollback target), how ECS will deploy it
// (controller, strategy) and refuse what cannot work; then register the task definition, or take the
// existing revision the caller named.
import {
  DescribeTaskDefinitionCommand,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
  type Service,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import { awsErrorName, ConfigError, DeployActionsError } from '@deploy-actions/core';
import type { DeployDeps } from './deps';
import { listServiceDeployments, readService, type FollowMemory, type ServiceRef } from './observe';
import { call } from './request';
import {
  describeStrategy,
  strategyLine,
  strategyWarnings,
  waitUntilProblem,
  type Strategy,
  type WaitUntil,
} from './strategy';
import { shortArn } from './verdict';

export interface Plan {
  readonly before: Service;
  /** The task definition the service runs now: what a failed deploy goes back to. */
  readonly previous: string | undefined;
  readonly strategy: Strategy;
  /** Deployment ids and service deployment ARNs from before the update. */
  readonly known: { readonly deploymentIds: Set<string>; readonly serviceDeploymentArns: Set<string> };
}

/** The revision a service runs now: its PRIMARY deployment's, else the service's own. */
export function runningTaskDefinition(service: Service): string | undefined {
  return service.deployments?.find((d) => d.status === 'PRIMARY')?.taskDefinition ?? service.taskDefinition;
}

async function existingService(deps: DeployDeps, ref: ServiceRef, region: string, deadline: number): Promise<Service> {
  const where = `in cluster '${ref.cluster}' (region ${region})`;
  try {
    // An empty read may be eventual consistency: one more look before refusing.
    const service = (await readService(deps, ref, deadline)) ?? (await readService(deps, ref, deadline));
    if (service === undefined || service.status === 'INACTIVE') {
      throw new DeployActionsError(
        `service '${ref.service}' not found ${where}: check the 'service', 'cluster' and 'aws-region' inputs`,
      );
    }
    return service;
  } catch (error) {
    if (awsErrorName(error) === 'ClusterNotFoundException') {
      throw new DeployActionsError(
        `cluster '${ref.cluster}' not found in region ${region}: check the 'cluster' and 'aws-region' inputs`,
      );
    }
    throw error;
  }
}

/** Service deployment ARNs from before the update, when DescribeServices does not name the current one. */
async function knownServiceDeployments(
  deps: DeployDeps,
  ref: ServiceRef,
  service: Service,
  memory: FollowMemory,
  deadline: number,
): Promise<Set<string>> {
  if (service.currentServiceDeployment !== undefined) return new Set([service.currentServiceDeployment]);
  const briefs = await listServiceDeployments(deps, ref, memory, deadline);
  return new Set((briefs ?? []).flatMap((b) => (b.serviceDeploymentArn ? [b.serviceDeploymentArn] : [])));
}

export async function plan(
  deps: DeployDeps,
  options: { ref: ServiceRef; region: string; waitUntil: WaitUntil; waitMinutes: number; wait: boolean },
  memory: FollowMemory,
  deadline: number,
): Promise<Plan> {
  const { ref } = options;
  const before = await existingService(deps, ref, options.region, deadline);
  const strategy = describeStrategy(before);
  if (strategy.controller !== 'ECS') {
    // CodeDeploy's blue/green has ECS's own equivalent now (strategy BLUE_GREEN, LINEAR, CANARY); EXTERNAL is
    // driven by task sets, which only their owner can shift.
    const instead =
      strategy.controller === 'CODE_DEPLOY'
        ? "; to deploy blue/green here, move the service to ECS's own blue/green (deployment controller ECS, deploymentConfiguration.strategy BLUE_GREEN, LINEAR or CANARY)"
        : '';
    throw new DeployActionsError(
      `service '${ref.service}' uses the ${strategy.controller} deployment controller; deploy-service drives ECS-controlled deployments (rolling, blue/green, linear, canary) and changed nothing${instead}`,
    );
  }
  const problem = options.wait ? waitUntilProblem(options.waitUntil, strategy) : undefined;
  if (problem !== undefined)
    throw new ConfigError("input 'wait-until'", `${ref.service} uses ${strategy.name}: ${problem}`);
  memory.remember(before);
  const previous = runningTaskDefinition(before);
  deps.log.info(
    `service ${ref.service} in ${ref.cluster} runs ${shortArn(previous)}; deployment: ${strategyLine(strategy)}`,
  );
  if ((before.deployments ?? []).length > 1) {
    const list = (before.deployments ?? []).map((d) => `${d.status ?? ''} ${shortArn(d.taskDefinition)}`).join(', ');
    deps.log.warning(
      `a deployment is already in progress on ${ref.service} (${list}); the rollback target is the PRIMARY one`,
    );
  }
  if (options.wait)
    for (const warning of strategyWarnings(strategy, options.waitMinutes, options.waitUntil)) deps.log.warning(warning);
  // Without waiting, only the current one is needed (to tell ours from it); no extra call for the rest.
  const current = before.currentServiceDeployment;
  const serviceDeploymentArns = options.wait
    ? await knownServiceDeployments(deps, ref, before, memory, deadline)
    : new Set<string>(current !== undefined ? [current] : []);
  const deploymentIds = new Set((before.deployments ?? []).flatMap((d) => (d.id ? [d.id] : [])));
  return { before, previous, strategy, known: { deploymentIds, serviceDeploymentArns } };
}

/** What to deploy: a task definition to register, or an existing revision (ARN or family:revision). */
export type Revision = { readonly register: RegisterTaskDefinitionCommandInput } | { readonly existing: string };

/** Registers the task definition, or describes the named revision (which must be ACTIVE). */
export async function register(deps: DeployDeps, revision: Revision, deadline: number): Promise<TaskDefinition> {
  if ('register' in revision) {
    const out = await call(deps, 'RegisterTaskDefinition', deadline, (o) =>
      deps.ecs.send(new RegisterTaskDefinitionCommand(revision.register), o),
    );
    const td = out.taskDefinition;
    if (td?.taskDefinitionArn === undefined) throw new DeployActionsError('ECS registered no task definition');
    deps.log.info(`registered ${shortArn(td.taskDefinitionArn)}`);
    return td;
  }
  let td: TaskDefinition | undefined;
  try {
    td = (
      await call(deps, 'DescribeTaskDefinition', deadline, (o) =>
        deps.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: revision.existing }), o),
      )
    ).taskDefinition;
  } catch (error) {
    if (awsErrorName(error) !== 'ClientException') throw error;
  }
  if (td?.taskDefinitionArn === undefined) {
    throw new ConfigError(
      "input 'task-definition-arn'",
      `${revision.existing} does not exist in this account and region`,
      'name an existing revision (family:revision or its ARN)',
    );
  }
  if (td.status === 'INACTIVE') {
    throw new ConfigError(
      "input 'task-definition-arn'",
      `${shortArn(td.taskDefinitionArn)} is INACTIVE (deregistered); ECS cannot start services on it`,
      'name an ACTIVE revision, or register the task definition again',
    );
  }
  deps.log.info(`deploying the existing revision ${shortArn(td.taskDefinitionArn)} (nothing registered)`);
  return td;
}
