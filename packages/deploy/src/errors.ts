import { DeployActionsError } from '@deploy-actions/core';

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
