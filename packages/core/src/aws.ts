import type { RuntimeConfigAwsCredentialIdentityProvider } from '@aws-sdk/types';
import { ConfigError } from './errors';
import { SUITE_NAME, SUITE_VERSION } from './version';

/** An AWS region code such as eu-west-2, us-gov-west-1 or cn-north-1. */
export function isAwsRegion(value: string): boolean {
  return /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/.test(value);
}

/** The region to call: the input, else AWS_REGION / AWS_DEFAULT_REGION (what configure-aws-credentials sets). */
export function awsRegion(input: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const region = input ?? env['AWS_REGION'] ?? env['AWS_DEFAULT_REGION'];
  if (region === undefined || region === '') {
    throw new ConfigError(
      "input 'aws-region'",
      'no AWS region is set',
      'set the aws-region input or AWS_REGION (aws-actions/configure-aws-credentials sets it)',
    );
  }
  if (!isAwsRegion(region)) {
    // Not repeated: it may come from an input a secret was pasted into by mistake.
    throw new ConfigError(
      input === undefined ? 'AWS_REGION / AWS_DEFAULT_REGION' : "input 'aws-region'",
      'is not an AWS region code',
      'use e.g. eu-west-2',
    );
  }
  return region;
}

export interface AwsClientConfig {
  region: string;
  maxAttempts: number;
  retryMode: 'adaptive';
  customUserAgent: [string, string][];
  credentials: RuntimeConfigAwsCredentialIdentityProvider;
}

/**
 * Configuration shared by every AWS SDK client of the suite. Endpoints are deliberately not set here: the SDK
 * reads AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE> itself, which is how tests reach moto and the simulator.
 * Credentials are always given (actionCredentials), so no client ever falls back to the SDK's default chain.
 */
export function awsClientConfig(
  options: {
    region?: string | undefined;
    actionName: string;
    maxAttempts?: number;
    credentials: RuntimeConfigAwsCredentialIdentityProvider;
  },
  env: NodeJS.ProcessEnv = process.env,
): AwsClientConfig {
  return {
    region: awsRegion(options.region, env),
    maxAttempts: options.maxAttempts ?? 6,
    retryMode: 'adaptive',
    customUserAgent: [
      [SUITE_NAME, SUITE_VERSION],
      [options.actionName, SUITE_VERSION],
    ],
    credentials: options.credentials,
  };
}

const EXPIRED = new Set([
  'ExpiredToken',
  'ExpiredTokenException',
  'RequestExpired',
  'TokenRefreshRequired',
  'InvalidClientTokenId',
  'CredentialsProviderError',
  'AwsCredentialsError',
]);

export function awsErrorName(error: unknown): string | undefined {
  if (error !== null && typeof error === 'object') {
    const e = error as { name?: unknown; Code?: unknown; code?: unknown };
    for (const v of [e.name, e.Code, e.code]) if (typeof v === 'string' && v !== 'Error') return v;
  }
  return undefined;
}

export function isCredentialsExpired(error: unknown): boolean {
  const name = awsErrorName(error);
  return name !== undefined && EXPIRED.has(name);
}

export function isAccessDenied(error: unknown): boolean {
  const name = awsErrorName(error);
  return name === 'AccessDeniedException' || name === 'AccessDenied' || name === 'UnauthorizedOperation';
}

export function isThrottling(error: unknown): boolean {
  const name = awsErrorName(error);
  return name === 'ThrottlingException' || name === 'Throttling' || name === 'TooManyRequestsException';
}
