import type { GetParametersCommandOutput, SSMClient } from '@aws-sdk/client-ssm';
import {
  AwsCredentialsError,
  DeployActionsError,
  awsErrorName,
  errorMessage,
  isAccessDenied,
  isCredentialsExpired,
  isThrottling,
} from '@deploy-actions/core';
import { partitionOf } from '@deploy-actions/manifest';

/** The one SSM call verify-params makes; injected so unit tests need no SDK mock. */
export type GetParameters = (input: {
  Names: string[];
  WithDecryption: boolean;
}) => Promise<Pick<GetParametersCommandOutput, 'Parameters' | 'InvalidParameters'>>;

/** The SDK's command module is evaluated at the first call (webpackMode "eager": bundled, minified, no extra file). */
export function sdkGetParameters(client: Pick<SSMClient, 'send'>): GetParameters {
  return async (input) => {
    const { GetParametersCommand } = await import(
      /* webpackMode: "eager", webpackExports: ["GetParametersCommand"] */ '@aws-sdk/client-ssm'
    );
    return client.send(new GetParametersCommand(input));
  };
}

/** An AWS failure explained for the reader: which IAM action on which resource, or what else to check. */
export class AwsCallError extends DeployActionsError {}

export interface CallContext {
  readonly region: string;
  /** SSM path of the environment, for the resource in an IAM hint. */
  readonly path: string;
  readonly names: readonly string[];
  readonly decrypt: boolean;
}

/** Turns an SDK error into a message naming the missing permission (or the expired session) and the fix. */
export function explainAwsError(error: unknown, ctx: CallContext): Error {
  // No source had credentials, or one failed: that message already says which and how to choose.
  if (error instanceof AwsCredentialsError) return error;
  const name = awsErrorName(error) ?? 'Error';
  const detail = errorMessage(error).split('\n')[0] ?? '';
  const names =
    ctx.names.length > 3
      ? `${ctx.names.slice(0, 3).join(', ')} and ${ctx.names.length - 3} more`
      : ctx.names.join(', ');
  if (isCredentialsExpired(error)) {
    return new AwsCallError(
      `AWS credentials are missing or expired (${name}) while reading ${names}: configure credentials before this step (aws-actions/configure-aws-credentials) and make the role session long enough`,
      { cause: error },
    );
  }
  const kms = /kms/i.test(name) || /kms:/i.test(detail);
  if (kms) {
    return new AwsCallError(
      `${name}: reading ${names} needs kms:Decrypt on the KMS key that encrypts these SecureString parameters ` +
        `(aws/ssm unless a customer key was chosen), allowed via ssm.${ctx.region}.amazonaws.com; grant kms:Decrypt with the condition ` +
        `"kms:ViaService": "ssm.${ctx.region}.amazonaws.com" (AWS said: ${detail})`,
      { cause: error },
    );
  }
  if (isAccessDenied(error)) {
    const resource = `arn:${partitionOf(ctx.region)}:ssm:${ctx.region}:<account>:parameter${ctx.path}*`;
    return new AwsCallError(
      `${name}: the role may not call ssm:GetParameters on ${names}; grant ssm:GetParameters on ${resource}` +
        `${ctx.decrypt ? ' (and kms:Decrypt for SecureString parameters with a format rule)' : ''} (AWS said: ${detail})`,
      { cause: error },
    );
  }
  if (isThrottling(error)) {
    return new AwsCallError(
      `${name}: SSM kept throttling GetParameters after every retry; lower max-concurrency or retry later (AWS said: ${detail})`,
      { cause: error },
    );
  }
  return new AwsCallError(`ssm:GetParameters failed for ${names} in ${ctx.region}: ${name}: ${detail}`, {
    cause: error,
  });
}

/** How often, and how far apart, a throttled GetParameters is tried again. */
export interface Retry {
  readonly attempts: number;
  readonly baseMs: number;
  readonly sleep: (ms: number) => Promise<void>;
}

/**
 * Calls GetParameters, retrying throttling with exponential backoff on top of the SDK's own retries (a
 * throttled batch must not turn into a "missing" parameter or a failed deploy).
 */
export async function getParametersWithRetry(
  call: GetParameters,
  input: { Names: string[]; WithDecryption: boolean },
  ctx: CallContext,
  retry: Retry,
): Promise<Pick<GetParametersCommandOutput, 'Parameters' | 'InvalidParameters'>> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call(input);
    } catch (error) {
      if (isThrottling(error) && attempt < retry.attempts) {
        await retry.sleep(retry.baseMs * 2 ** (attempt - 1));
        continue;
      }
      throw explainAwsError(error, ctx);
    }
  }
}
