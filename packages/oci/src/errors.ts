import { DeployActionsError } from '@deploy-actions/core';

/** A registry refused or failed a request; the message names the registry, the operation and a fix. */
export class RegistryError extends DeployActionsError {
  readonly status: number | undefined;
  readonly code: string | undefined;
  /** Another try may succeed (a connection failure, throttling, a 5xx): a blob upload starts over on it. */
  readonly retryable: boolean;
  constructor(message: string, options: { status?: number; code?: string; cause?: unknown; retryable?: boolean } = {}) {
    super(message, options.cause !== undefined ? { cause: options.cause } : undefined);
    this.status = options.status;
    this.code = options.code;
    this.retryable = options.retryable ?? false;
  }
}

/** The registry could not be reached at all (DNS, refused connection, TLS, timeout). */
export class RegistryUnreachableError extends RegistryError {}

/** The registry rejected the credentials (or asked for some and none were given). */
export class RegistryAuthError extends RegistryError {}

/** The base image has no manifest for the wanted platform. */
export class PlatformNotFoundError extends RegistryError {}
