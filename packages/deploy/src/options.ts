// What the caller asks deployService (or registerOnly) for: the service, what to deploy, how to wait, what to change.
import type {
  AssignPublicIp,
  TaskDefinition,
  CapacityProviderStrategyItem,
  ContainerOverride,
  LaunchType,
  NetworkConfiguration,
  PropagateTags,
  ServiceVolumeConfiguration,
  Tag,
  TaskVolumeConfiguration,
} from '@aws-sdk/client-ecs';
import type { Revision } from './plan';
import type { WaitUntil } from './strategy';

/** Where the one-off task runs: given by the caller, else the service's (FARGATE without a service). */
export type Launch =
  { readonly launchType: LaunchType } | { readonly capacityProviderStrategy: readonly CapacityProviderStrategyItem[] };

export interface RunTaskSpec {
  /** Command for `container` (ours); never together with containerOverrides. */
  readonly command?: readonly string[] | undefined;
  readonly container?: string | undefined;
  /** RunTask's containerOverrides as given (aws-actions' run-task-container-overrides). */
  readonly containerOverrides?: readonly ContainerOverride[] | undefined;
  /** Network configuration given by the caller (subnets); the service's when omitted. */
  readonly network?: NetworkConfiguration | undefined;
  /** Public IP setting given without subnets: applied to the service's network configuration. */
  readonly assignPublicIp?: AssignPublicIp | undefined;
  readonly launch?: Launch | undefined;
  readonly tags?: readonly Tag[] | undefined;
  readonly enableEcsManagedTags?: boolean | undefined;
  /** A task-managed EBS volume for a volume the task definition configures at launch. */
  readonly volume?: TaskVolumeConfiguration | undefined;
  readonly startedBy: string;
  /** Wait for the task to stop and fail on a non-zero exit (wait-for-task-stopped); else only start it. */
  readonly wait: boolean;
}

/** Register (or take) a revision and optionally run a one-off task from it: what both modes share. */
export interface RevisionOptions {
  readonly cluster: string;
  /** For the console links and messages. */
  readonly region: string;
  readonly revision: Revision;
  readonly waitMinutes: number;
  readonly pollSeconds: number;
  readonly runTask?: RunTaskSpec | undefined;
  /** Last log lines shown per failing container. */
  readonly logLines: number;
  /**
   * Checks the revision against the caller's inputs (container names, volumes configured at launch), throwing
   * ConfigError: called once it is registered or described, before anything else happens. The caller names its
   * own inputs; a file it registered was checked before any AWS call, an existing revision is checked here.
   */
  readonly checkRevision?: ((taskDefinition: TaskDefinition) => void) | undefined;
}

export interface DeployOptions extends RevisionOptions {
  readonly service: string;
  readonly wait: boolean;
  readonly waitUntil: WaitUntil;
  readonly forceNewDeployment: boolean;
  readonly desiredCount?: number | undefined;
  readonly propagateTags?: PropagateTags | undefined;
  readonly enableEcsManagedTags?: boolean | undefined;
  /** A service-managed EBS volume for a volume the task definition configures at launch. */
  readonly serviceVolume?: ServiceVolumeConfiguration | undefined;
  readonly rollback: boolean;
  readonly keepRevisions?: number | undefined;
}
