// One observation per poll: DescribeServices, and our service deployment by ARN where the endpoint offers
// the service-deployments API (endpoints without it, such as older regions or moto, fall back to
// DescribeServices alone). Also what the follower remembers across phases: events seen, API support.
import {
  DescribeServiceDeploymentsCommand,
  DescribeServicesCommand,
  ListServiceDeploymentsCommand,
  type Service,
  type ServiceDeployment,
  type ServiceDeploymentBrief,
  type ServiceEvent,
} from '@aws-sdk/client-ecs';
import { awsErrorName, errorMessage } from '@deploy-actions/core';
import type { DeployDeps } from './deps';
import { call, CredentialsExpired, DeadlineReached } from './request';
import type { Observation } from './verdict';

export interface ServiceRef {
  readonly cluster: string;
  readonly service: string;
}

type Deps = Pick<DeployDeps, 'ecs' | 'clock' | 'log'>;

/** What the follower keeps across polls and phases (rollout, then rollback). */
export class FollowMemory {
  readonly seenEvents = new Set<string>();
  /** Every new event, oldest first, as printed. */
  readonly events: ServiceEvent[] = [];
  /** ECS service-deployments API: unknown until tried; 'no' where the endpoint lacks it or forbids it. */
  serviceDeploymentsApi: 'unknown' | 'yes' | 'no' = 'unknown';

  /** Marks the service's current events as already seen (called before the update). */
  remember(service: Service): void {
    for (const event of service.events ?? []) if (event.id) this.seenEvents.add(event.id);
  }

  /** New events oldest first; each is returned once. */
  fresh(service: Service | undefined): ServiceEvent[] {
    const fresh = (service?.events ?? []).filter((e) => e.id !== undefined && !this.seenEvents.has(e.id)).reverse();
    for (const e of fresh) this.seenEvents.add(e.id ?? '');
    this.events.push(...fresh);
    return fresh;
  }

  /** An error says the endpoint or the role cannot use the service-deployments API: stop trying it. */
  unavailable(deps: Pick<DeployDeps, 'log'>, error: unknown): void {
    if (error instanceof CredentialsExpired || error instanceof DeadlineReached) throw error;
    if (this.serviceDeploymentsApi !== 'no') {
      deps.log.debug(
        `service-deployments API unavailable (${awsErrorName(error) ?? errorMessage(error)}); using DescribeServices`,
      );
    }
    this.serviceDeploymentsApi = 'no';
  }
}

/** The service, or undefined when DescribeServices returned none (missing, or an eventually consistent read). */
export async function readService(deps: Deps, ref: ServiceRef, deadline: number): Promise<Service | undefined> {
  const out = await call(deps, 'DescribeServices', deadline, (o) =>
    deps.ecs.send(new DescribeServicesCommand({ cluster: ref.cluster, services: [ref.service] }), o),
  );
  return out.services?.[0];
}

async function readServiceDeployment(
  deps: Deps,
  arn: string,
  memory: FollowMemory,
  deadline: number,
): Promise<ServiceDeployment | undefined> {
  if (memory.serviceDeploymentsApi === 'no') return undefined;
  try {
    const out = await call(deps, 'DescribeServiceDeployments', deadline, (o) =>
      deps.ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }), o),
    );
    memory.serviceDeploymentsApi = 'yes';
    // A deployment created a moment ago may not be listed yet: no evidence either way.
    return out.serviceDeployments?.find((d) => d.serviceDeploymentArn === arn);
  } catch (error) {
    memory.unavailable(deps, error);
    return undefined;
  }
}

/** One poll: the service and, when its ARN is known, our service deployment. */
export async function observe(
  deps: Deps,
  ref: ServiceRef,
  serviceDeploymentArn: string | undefined,
  memory: FollowMemory,
  deadline: number,
): Promise<Observation> {
  const service = await readService(deps, ref, deadline);
  const serviceDeployment =
    serviceDeploymentArn === undefined
      ? undefined
      : await readServiceDeployment(deps, serviceDeploymentArn, memory, deadline);
  return { at: deps.clock.now(), service, serviceDeployment, events: memory.fresh(service) };
}

/**
 * The service's recent service deployments (newest first), or undefined where the endpoint or the role cannot
 * list them. The one place they are listed.
 */
export async function listServiceDeployments(
  deps: Deps,
  ref: ServiceRef,
  memory: FollowMemory,
  deadline: number,
): Promise<ServiceDeploymentBrief[] | undefined> {
  if (memory.serviceDeploymentsApi === 'no') return undefined;
  try {
    const out = await call(deps, 'ListServiceDeployments', deadline, (o) =>
      deps.ecs.send(
        new ListServiceDeploymentsCommand({ cluster: ref.cluster, service: ref.service, maxResults: 20 }),
        o,
      ),
    );
    memory.serviceDeploymentsApi = 'yes';
    const briefs = [...(out.serviceDeployments ?? [])];
    return briefs.sort((a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0));
  } catch (error) {
    memory.unavailable(deps, error);
    return undefined;
  }
}

/**
 * Our service deployment after UpdateService, when its reply did not name it: the newest one ListServiceDeployments
 * shows that did not exist before the update.
 */
export async function findServiceDeployment(
  deps: Deps,
  ref: ServiceRef,
  before: ReadonlySet<string>,
  memory: FollowMemory,
  deadline: number,
): Promise<string | undefined> {
  const briefs = await listServiceDeployments(deps, ref, memory, deadline);
  return briefs?.find((b) => b.serviceDeploymentArn !== undefined && !before.has(b.serviceDeploymentArn))
    ?.serviceDeploymentArn;
}
