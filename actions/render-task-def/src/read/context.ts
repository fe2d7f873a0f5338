import { isAwsRegion, workspacePath } from '@deploy-actions/core';
import { INPUT, input } from '../inputs';
import type { Reader } from './reader';

export interface Context {
  /** The parameters manifest whose secrets are wired in, with its environment. */
  readonly manifest?: { path: string; input: string; environment: string };
  readonly accountId?: string;
  readonly region?: string;
  readonly unknownKeys: 'warn' | 'error';
}

/** Where the render happens: the manifest and its environment, the account and region of the ARNs it builds. */
export function readContext({ inputs, errors, env }: Reader): Context {
  const manifestFile = inputs.optional(INPUT.manifest);
  const manifestEnvironment = inputs.optional(INPUT.manifestEnvironment);
  if (manifestFile !== undefined && manifestEnvironment === undefined) {
    errors.add(
      input(INPUT.manifestEnvironment),
      'is required with parameters-manifest',
      'set it to an environment of the manifest, e.g. production',
    );
  }
  if (manifestFile === undefined && manifestEnvironment !== undefined) {
    errors.add(
      input(INPUT.manifestEnvironment),
      'only applies with parameters-manifest',
      'set parameters-manifest too, or remove it',
    );
  }
  const accountId = inputs.optional(INPUT.accountId);
  if (accountId !== undefined && !/^\d{12}$/.test(accountId)) {
    errors.add(input(INPUT.accountId), 'is not an AWS account ID', 'use the 12 digits, e.g. 123456789012');
  }
  const given = inputs.optional(INPUT.region);
  const region = given ?? (env['AWS_REGION'] || env['AWS_DEFAULT_REGION'] || undefined);
  if (region !== undefined && !isAwsRegion(region)) {
    errors.add(
      given !== undefined ? input(INPUT.region) : 'AWS_REGION / AWS_DEFAULT_REGION',
      'is not an AWS region code',
      'use e.g. eu-west-2',
    );
  }
  const unknownKeys =
    errors.attempt(() => inputs.oneOf(INPUT.unknownKeys, ['warn', 'error'] as const, 'warn')) ?? 'warn';
  return {
    ...(manifestFile !== undefined &&
      manifestEnvironment !== undefined && {
        manifest: { path: workspacePath(manifestFile, env), input: manifestFile, environment: manifestEnvironment },
      }),
    ...(accountId !== undefined && { accountId }),
    ...(region !== undefined && { region }),
    unknownKeys,
  };
}
