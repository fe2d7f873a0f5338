import { DeployActionsError } from '@deploy-actions/core';
import type { FailureCause } from './rollout';

/** The rollout (or a one-off task) ended in a failure we can explain; carries the cause for the report. */
export class RolloutFailed extends DeployActionsError {
  constructor(
    readonly kind: FailureCause,
    message: string,
  ) {
    super(message);
  }
}

/** The one-off task (e.g. db:migrate) failed: the service was not touched. */
export class RunTaskFailed extends DeployActionsError {
  constructor(
    message: string,
    readonly taskArn: string | undefined,
    /** The stopped task's exit codes and log lines, when it ran at all. */
    readonly report: readonly string[] = [],
  ) {
    super(message);
  }
}
