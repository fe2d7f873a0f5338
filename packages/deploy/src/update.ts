// Phase 4: point the service at the revision, and learn which deployment is ours (its ECS deployment id and
// its service deployment ARN) from what UpdateService returned.
import { UpdateServiceCommand, type PropagateTags, type ServiceVolumeConfiguration } from '@aws-sdk/client-ecs';
import type { DeployDeps } from './deps';
import { findServiceDeployment, type FollowMemory, type ServiceRef } from './observe';
import { call } from './request';
import { findOurs } from './verdict';

export interface UpdateSettings {
  readonly forceNewDeployment: boolean;
  readonly desiredCount?: number | undefined;
  readonly propagateTags?: PropagateTags | undefined;
  readonly enableEcsManagedTags?: boolean | undefined;
  /** Left as the service has it when omitted (ECS keeps a service's volume configurations). */
  readonly volume?: ServiceVolumeConfiguration | undefined;
}

export interface Ours {
  readonly deploymentId: string | undefined;
  readonly serviceDeploymentArn: string | undefined;
}

export async function updateService(
  deps: DeployDeps,
  ref: ServiceRef,
  taskDefinitionArn: string,
  settings: UpdateSettings,
  deadline: number,
): Promise<Ours> {
  const out = await call(deps, 'UpdateService', deadline, (o) =>
    deps.ecs.send(
      new UpdateServiceCommand({
        cluster: ref.cluster,
        service: ref.service,
        taskDefinition: taskDefinitionArn,
        forceNewDeployment: settings.forceNewDeployment,
        ...(settings.desiredCount !== undefined ? { desiredCount: settings.desiredCount } : {}),
        ...(settings.propagateTags !== undefined ? { propagateTags: settings.propagateTags } : {}),
        ...(settings.enableEcsManagedTags !== undefined ? { enableECSManagedTags: settings.enableEcsManagedTags } : {}),
        ...(settings.volume !== undefined ? { volumeConfigurations: [settings.volume] } : {}),
      }),
      o,
    ),
  );
  const service = out.service;
  return {
    deploymentId: service ? findOurs(service, { deploymentId: undefined, taskDefinitionArn })?.id : undefined,
    // Checked against the ones from before the update by ourServiceDeployment.
    serviceDeploymentArn: service?.currentServiceDeployment,
  };
}

/**
 * Our service deployment's ARN: from UpdateService's reply unless it names one from before, else (`search`)
 * the newest one that is not from before.
 */
export async function ourServiceDeployment(
  deps: DeployDeps,
  ref: ServiceRef,
  fromUpdate: string | undefined,
  known: ReadonlySet<string>,
  memory: FollowMemory,
  deadline: number,
  search = true,
): Promise<string | undefined> {
  if (fromUpdate !== undefined && !known.has(fromUpdate)) return fromUpdate;
  return search ? findServiceDeployment(deps, ref, known, memory, deadline) : undefined;
}
