import type { ErrorCollector, Inputs } from '@deploy-actions/core';

/** What every input reader needs: the inputs, where problems go (all reported at once), the environment. */
export interface Reader {
  readonly inputs: Inputs;
  readonly errors: ErrorCollector;
  readonly env: NodeJS.ProcessEnv;
}

/** A name users choose for a container, and the shape ECS accepts for it. */
export const CONTAINER = /^[A-Za-z0-9_-]{1,255}$/;
/** An environment variable or secret name as ECS takes it. */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
