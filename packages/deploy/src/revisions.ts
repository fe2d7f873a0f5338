import {
  DeregisterTaskDefinitionCommand,
  DescribeServicesCommand,
  ListServicesCommand,
  ListTaskDefinitionsCommand,
} from '@aws-sdk/client-ecs';
import { awsErrorName, errorMessage } from '@deploy-actions/core';
import type { DeployDeps } from './deps';

/** `family` of a task definition ARN `arn:...:task-definition/family:revision`. */
export function familyOf(arn: string): string {
  const name = arn.slice(arn.lastIndexOf('/') + 1);
  return name.slice(0, name.lastIndexOf(':'));
}

/** Task definitions any deployment of any service in the cluster uses (they must never be deregistered). */
export async function taskDefinitionsInUse(deps: Pick<DeployDeps, 'ecs'>, cluster: string): Promise<Set<string>> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await deps.ecs.send(new ListServicesCommand({ cluster, maxResults: 100, nextToken }));
    arns.push(...(page.serviceArns ?? []));
    nextToken = page.nextToken;
  } while (nextToken !== undefined);
  const inUse = new Set<string>();
  for (let i = 0; i < arns.length; i += 10) {
    const out = await deps.ecs.send(new DescribeServicesCommand({ cluster, services: arns.slice(i, i + 10) }));
    for (const service of out.services ?? []) {
      if (service.taskDefinition) inUse.add(service.taskDefinition);
      for (const d of service.deployments ?? []) if (d.taskDefinition) inUse.add(d.taskDefinition);
    }
  }
  return inUse;
}

export interface PruneResult {
  readonly deregistered: string[];
  readonly skippedInUse: string[];
}

/**
 * Keeps the newest `keep` ACTIVE revisions of the family and deregisters older ones, except any revision in use
 * by a deployment in the cluster or explicitly protected (ours, the one that ran before). Failures only warn:
 * the deploy itself already succeeded.
 */
export async function pruneRevisions(
  deps: Pick<DeployDeps, 'ecs' | 'log'>,
  options: { cluster: string; family: string; keep: number; protect: readonly string[] },
): Promise<PruneResult> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await deps.ecs.send(
      new ListTaskDefinitionsCommand({ familyPrefix: options.family, status: 'ACTIVE', sort: 'DESC', nextToken }),
    );
    arns.push(...(page.taskDefinitionArns ?? []).filter((a) => familyOf(a) === options.family));
    nextToken = page.nextToken;
  } while (nextToken !== undefined);
  const revision = (arn: string): number => Number(arn.slice(arn.lastIndexOf(':') + 1));
  arns.sort((a, b) => revision(b) - revision(a));
  const older = arns.slice(options.keep);
  if (older.length === 0) return { deregistered: [], skippedInUse: [] };
  const inUse = await taskDefinitionsInUse(deps, options.cluster);
  for (const arn of options.protect) inUse.add(arn);
  const deregistered: string[] = [];
  const skippedInUse: string[] = [];
  for (const arn of older) {
    if (inUse.has(arn)) {
      skippedInUse.push(arn);
      continue;
    }
    try {
      await deps.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: arn }));
      deregistered.push(arn);
    } catch (error) {
      deps.log.warning(`could not deregister ${arn}: ${awsErrorName(error) ?? errorMessage(error)}`);
    }
  }
  return { deregistered, skippedInUse };
}
