import {
  DeregisterTaskDefinitionCommand,
  DescribeServicesCommand,
  ListServicesCommand,
  ListTaskDefinitionsCommand,
} from '@aws-sdk/client-ecs';
import { awsErrorName, errorMessage } from '@deploy-actions/core';
import type { DeployDeps } from './deps';
import { call } from './request';
import { shortArn } from './verdict';

type Deps = Pick<DeployDeps, 'ecs' | 'clock' | 'log'>;

/** `family` of a task definition ARN `arn:...:task-definition/family:revision`. */
export function familyOf(arn: string): string {
  const name = arn.slice(arn.lastIndexOf('/') + 1);
  return name.slice(0, name.lastIndexOf(':'));
}

/** Task definitions any deployment of any service in the cluster uses (they must never be deregistered). */
export async function taskDefinitionsInUse(deps: Deps, cluster: string, deadline: number): Promise<Set<string>> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await call(deps, 'ListServices', deadline, (o) =>
      deps.ecs.send(new ListServicesCommand({ cluster, maxResults: 100, nextToken }), o),
    );
    arns.push(...(page.serviceArns ?? []));
    nextToken = page.nextToken;
  } while (nextToken !== undefined);
  const inUse = new Set<string>();
  for (let i = 0; i < arns.length; i += 10) {
    const out = await call(deps, 'DescribeServices', deadline, (o) =>
      deps.ecs.send(new DescribeServicesCommand({ cluster, services: arns.slice(i, i + 10) }), o),
    );
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
  deps: Deps,
  options: { cluster: string; family: string; keep: number; protect: readonly string[]; deadline: number },
): Promise<PruneResult> {
  const { deadline } = options;
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await call(deps, 'ListTaskDefinitions', deadline, (o) =>
      deps.ecs.send(
        new ListTaskDefinitionsCommand({ familyPrefix: options.family, status: 'ACTIVE', sort: 'DESC', nextToken }),
        o,
      ),
    );
    arns.push(...(page.taskDefinitionArns ?? []).filter((a) => familyOf(a) === options.family));
    nextToken = page.nextToken;
  } while (nextToken !== undefined);
  const revision = (arn: string): number => Number(arn.slice(arn.lastIndexOf(':') + 1));
  arns.sort((a, b) => revision(b) - revision(a));
  const older = arns.slice(options.keep);
  if (older.length === 0) return { deregistered: [], skippedInUse: [] };
  const inUse = await taskDefinitionsInUse(deps, options.cluster, deadline);
  for (const arn of options.protect) inUse.add(arn);
  const deregistered: string[] = [];
  const skippedInUse: string[] = [];
  for (const arn of older) {
    if (inUse.has(arn)) {
      skippedInUse.push(arn);
      continue;
    }
    try {
      await call(deps, 'DeregisterTaskDefinition', deadline, (o) =>
        deps.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: arn }), o),
      );
      deregistered.push(arn);
    } catch (error) {
      deps.log.warning(`could not deregister ${arn}: ${awsErrorName(error) ?? errorMessage(error)}`);
    }
  }
  return { deregistered, skippedInUse };
}

/** keep-revisions after a successful deploy: prunes, says what it did, and only warns on failure. */
export async function keepRevisions(
  deps: Deps,
  options: { cluster: string; family: string; keep: number; protect: readonly string[]; deadline: number },
): Promise<string[]> {
  try {
    const pruned = await pruneRevisions(deps, options);
    if (pruned.deregistered.length) deps.log.info(`deregistered ${pruned.deregistered.map(shortArn).join(', ')}`);
    if (pruned.skippedInUse.length) deps.log.info(`kept (in use): ${pruned.skippedInUse.map(shortArn).join(', ')}`);
    return pruned.deregistered;
  } catch (error) {
    deps.log.warning(`keep-revisions: ${awsErrorName(error) ?? errorMessage(error)}`);
    return [];
  }
}
