import type {
  AwsCredentialIdentity,
  AwsIdentityProperties,
  RuntimeConfigAwsCredentialIdentityProvider,
} from '@aws-sdk/types';
import { ConfigError, DeployActionsError, errorMessage } from './errors';
import type { Inputs } from './inputs';

/**
 * Where an action may take AWS credentials from. By default only what a workflow hands the step explicitly:
 * the environment (what aws-actions/configure-aws-credentials exports) and a web identity token file (OIDC on
 * EKS or a self-hosted runner). The SDK's default chain would also try shared files, SSO, credential_process,
 * container and instance metadata, so a self-hosted runner without credentials for the job would silently act
 * as whatever identity the machine has. Each of those is available by naming it.
 */
export const CREDENTIAL_SOURCES = ['env', 'web-identity', 'profile', 'container', 'instance-metadata'] as const;
export type CredentialSource = (typeof CREDENTIAL_SOURCES)[number];
export const DEFAULT_CREDENTIAL_SOURCES: readonly CredentialSource[] = ['env', 'web-identity'];
export const CREDENTIAL_SOURCES_INPUT = 'aws-credential-sources';

/** The one credentials error: no source had credentials, or the one that had them failed. */
export class AwsCredentialsError extends DeployActionsError {}

/** Thrown by a source that is not set up at all, so the chain goes on to the next one (as the SDK's tryNextLink). */
class NotConfigured extends Error {
  readonly tryNextLink = true;
}

/** The input's list: comma or newline separated, in the order to try them; empty means the default. */
export function parseCredentialSources(text: string): CredentialSource[] {
  const where = `input '${CREDENTIAL_SOURCES_INPUT}'`;
  const entries = text
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (entries.length === 0) return [...DEFAULT_CREDENTIAL_SOURCES];
  const sources: CredentialSource[] = [];
  entries.forEach((entry, i) => {
    // The entry is never quoted: a key pasted into the wrong input must not reach the log.
    if (!(CREDENTIAL_SOURCES as readonly string[]).includes(entry)) {
      throw new ConfigError(where, `entry ${i + 1} is not a credential source`, `use ${CREDENTIAL_SOURCES.join(', ')}`);
    }
    const source = entry as CredentialSource;
    if (sources.includes(source)) throw new ConfigError(where, `${source} is listed twice`, 'name each source once');
    sources.push(source);
  });
  return sources;
}

/** AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (+ session token, expiry) from the step's environment. */
function fromStepEnv(env: NodeJS.ProcessEnv): RuntimeConfigAwsCredentialIdentityProvider {
  return async () => {
    const accessKeyId = env['AWS_ACCESS_KEY_ID'];
    const secretAccessKey = env['AWS_SECRET_ACCESS_KEY'];
    if (!accessKeyId || !secretAccessKey)
      throw new NotConfigured('AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set');
    const sessionToken = env['AWS_SESSION_TOKEN'];
    const expiration = env['AWS_CREDENTIAL_EXPIRATION'];
    const scope = env['AWS_CREDENTIAL_SCOPE'];
    const accountId = env['AWS_ACCOUNT_ID'];
    return {
      accessKeyId,
      secretAccessKey,
      ...(sessionToken ? { sessionToken } : {}),
      ...(expiration ? { expiration: new Date(expiration) } : {}),
      ...(scope ? { credentialScope: scope } : {}),
      ...(accountId ? { accountId } : {}),
    };
  };
}

/**
 * AssumeRoleWithWebIdentity with the token file; the token is read again at every refresh (it rotates). The
 * provider and its STS client are loaded only when a token file is set.
 */
function fromWebIdentity(env: NodeJS.ProcessEnv): RuntimeConfigAwsCredentialIdentityProvider {
  return async (properties) => {
    const webIdentityTokenFile = env['AWS_WEB_IDENTITY_TOKEN_FILE'];
    const roleArn = env['AWS_ROLE_ARN'];
    if (!webIdentityTokenFile || !roleArn)
      throw new NotConfigured('AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN are not set');
    const roleSessionName = env['AWS_ROLE_SESSION_NAME'];
    const { fromTokenFile } = await import('@aws-sdk/credential-provider-web-identity');
    return fromTokenFile({ webIdentityTokenFile, roleArn, ...(roleSessionName ? { roleSessionName } : {}) })(
      properties,
    );
  };
}

/**
 * The sources only loaded when named. Like web-identity, each is imported when first asked for credentials: a
 * separate chunk of the bundle, never read or evaluated by a run that does not use it.
 */
const OPT_IN: Record<
  Exclude<CredentialSource, 'env' | 'web-identity'>,
  (env: NodeJS.ProcessEnv) => RuntimeConfigAwsCredentialIdentityProvider
> = {
  // The shared config and credentials files, the profile AWS_PROFILE names (else "default"), whatever it holds:
  // keys, a role to assume, SSO, credential_process.
  profile: (env) => async (properties) => {
    const { fromIni } = await import('@aws-sdk/credential-provider-ini');
    const profile = env['AWS_PROFILE'];
    return fromIni(profile ? { profile } : {})(properties);
  },
  // ECS task role, CodeBuild, EKS Pod Identity: AWS_CONTAINER_CREDENTIALS_FULL_URI / _RELATIVE_URI.
  container: (env) => async (properties) => {
    if (!env['AWS_CONTAINER_CREDENTIALS_FULL_URI'] && !env['AWS_CONTAINER_CREDENTIALS_RELATIVE_URI']) {
      throw new NotConfigured(
        'AWS_CONTAINER_CREDENTIALS_FULL_URI and AWS_CONTAINER_CREDENTIALS_RELATIVE_URI are not set',
      );
    }
    const { fromHttp } = await import('@aws-sdk/credential-provider-http');
    return fromHttp({})(properties);
  },
  // An EC2 instance profile through IMDS (v2 first, as the SDK does).
  'instance-metadata': (env) => async () => {
    const disabled = env['AWS_EC2_METADATA_DISABLED'];
    if (disabled && disabled !== 'false') throw new NotConfigured('AWS_EC2_METADATA_DISABLED is set');
    const { fromInstanceMetadata } = await import('@smithy/credential-provider-imds');
    return fromInstanceMetadata({})();
  },
};

/** The variables that suggest a source that is not selected, for the error when none had credentials. */
const HINTS: [CredentialSource, string][] = [
  ['profile', 'AWS_PROFILE'],
  ['container', 'AWS_CONTAINER_CREDENTIALS_FULL_URI'],
  ['container', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI'],
];

/** Credentials are refreshed this long before they expire, as the SDK's default chain does. */
const REFRESH_BEFORE_MS = 5 * 60_000;

export interface CredentialOptions {
  readonly sources: readonly CredentialSource[];
  readonly env: NodeJS.ProcessEnv;
  /** Told once which source gave the credentials (never what they are). */
  readonly debug?: (message: string) => void;
}

/**
 * One provider for every client of an action run: the sources in order, the first that is set up wins, cached
 * until five minutes before expiry, one lookup at a time. A source that is set up but fails (say STS refuses the
 * web identity token) fails the lookup: the next source is never used as a silent fallback.
 */
export function awsCredentialProvider(options: CredentialOptions): RuntimeConfigAwsCredentialIdentityProvider {
  const { sources, env } = options;
  const build = (s: CredentialSource): RuntimeConfigAwsCredentialIdentityProvider =>
    s === 'env' ? fromStepEnv(env) : s === 'web-identity' ? fromWebIdentity(env) : OPT_IN[s](env);
  const links = sources.map((source) => ({ source, provider: build(source) }));
  const lookup = async (properties?: AwsIdentityProperties): Promise<AwsCredentialIdentity> => {
    const skipped: string[] = [];
    for (const { source, provider } of links) {
      try {
        const credentials = await provider(properties);
        options.debug?.(`AWS credentials from ${source}`);
        return credentials;
      } catch (error) {
        if ((error as { tryNextLink?: unknown }).tryNextLink === true) {
          skipped.push(`${source} (${errorMessage(error)})`);
          continue;
        }
        throw new AwsCredentialsError(`AWS credentials from ${source} failed: ${errorMessage(error)}`, {
          cause: error,
        });
      }
    }
    const unused = HINTS.filter(([s, name]) => !sources.includes(s) && env[name]).map(
      ([s, name]) => `${name} is set: add ${s} to ${CREDENTIAL_SOURCES_INPUT} to use it`,
    );
    throw new AwsCredentialsError(
      `no AWS credentials: tried ${skipped.join(', ')}. Configure credentials for the job before this step ` +
        `(aws-actions/configure-aws-credentials), or name the source to use in ${CREDENTIAL_SOURCES_INPUT} ` +
        `(${CREDENTIAL_SOURCES.join(', ')})${unused.length > 0 ? `; ${unused.join('; ')}` : ''}`,
    );
  };
  let cached: AwsCredentialIdentity | undefined;
  let pending: Promise<AwsCredentialIdentity> | undefined;
  return async (properties) => {
    const expires = cached?.expiration?.getTime();
    if (cached && (expires === undefined || expires - Date.now() > REFRESH_BEFORE_MS)) return cached;
    pending ??= lookup(properties)
      .then((credentials) => (cached = credentials))
      .finally(() => (pending = undefined));
    return pending;
  };
}

type CredentialIO = {
  readonly inputs: Inputs;
  readonly env: NodeJS.ProcessEnv;
  readonly log: { debug(message: string): void; warning(message: string): void };
};
const perRun = new WeakMap<CredentialIO, RuntimeConfigAwsCredentialIdentityProvider>();

/**
 * The provider every AWS client of one action run shares (one lookup, one STS call for a web identity), from
 * its aws-credential-sources input. Called wherever a client is built; the first call reads the input.
 */
/** The sources the step's aws-credential-sources input allows (every action declares it). */
export function readCredentialSources(inputs: Pick<CredentialIO['inputs'], 'raw'>): CredentialSource[] {
  return parseCredentialSources(inputs.raw(CREDENTIAL_SOURCES_INPUT));
}

export function actionCredentials(io: CredentialIO): RuntimeConfigAwsCredentialIdentityProvider {
  let provider = perRun.get(io);
  if (provider === undefined) {
    const sources = readCredentialSources(io.inputs);
    if (io.env['AWS_PROFILE'] && !sources.includes('profile')) {
      io.log.warning(
        `AWS_PROFILE is set but not used: add profile to ${CREDENTIAL_SOURCES_INPUT} to use the shared files`,
      );
    }
    provider = awsCredentialProvider({ sources, env: io.env, debug: (m) => io.log.debug(m) });
    perRun.set(io, provider);
  }
  return provider;
}
