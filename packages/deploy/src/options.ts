// What the caller asks deployService for: the service, what to deploy, how to wait, what to change.
import type { NetworkConfiguration, PropagateTags } from '@aws-sdk/client-ecs';
import type { Revision } from './plan';
import type { WaitUntil } from './strategy';

export interface RunTaskSpec {
  readonly command?: readonly string[] | undefined;
  readonly container?: string | undefined;
  readonly network?: NetworkConfiguration | undefined;
  readonly startedBy: string;
}

export interface DeployOptions {
  readonly cluster: string;
  readonly service: string;
  /** For the console links and messages. */
  readonly region: string;
  readonly revision: Revision;
  readonly wait: boolean;
  readonly waitMinutes: number;
  readonly pollSeconds: number;
  readonly waitUntil: WaitUntil;
  readonly forceNewDeployment: boolean;
  readonly desiredCount?: number | undefined;
  readonly propagateTags?: PropagateTags | undefined;
  readonly enableEcsManagedTags?: boolean | undefined;
  readonly rollback: boolean;
  readonly runTask?: RunTaskSpec | undefined;
  readonly keepRevisions?: number | undefined;
  /** Last log lines shown per failing container. */
  readonly logLines: number;
}
