// Which AWS credentials an action may use: only the step's environment and a web identity token file unless
// the workflow names another source. Sources run against local stand-ins and temporary shared files.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  actionCredentials,
  AwsCredentialsError,
  awsCredentialProvider,
  ConfigError,
  DEFAULT_CREDENTIAL_SOURCES,
  isCredentialsExpired,
  parseCredentialSources,
} from '@deploy-actions/core';
import {
  CONTAINER_KEY_ID,
  IMDS_KEY_ID,
  memoryIO,
  startCredentialEndpoints,
  type CredentialEndpoints,
} from '@deploy-actions/testing';

const ENV_KEYS = { AWS_ACCESS_KEY_ID: 'AKIAENVKEY', AWS_SECRET_ACCESS_KEY: 'env-secret' };

/** The SDK's file, container and IMDS providers read process.env; set it for one call only. */
async function withProcessEnv<T>(env: NodeJS.ProcessEnv, fn: () => Promise<T>): Promise<T> {
  const saved = process.env;
  process.env = { ...env };
  try {
    return await fn();
  } finally {
    process.env = saved;
  }
}

async function sharedFiles(): Promise<NodeJS.ProcessEnv> {
  const dir = await mkdtemp(path.join(tmpdir(), 'aws-files-'));
  const credentials = path.join(dir, 'credentials');
  const config = path.join(dir, 'config');
  await writeFile(
    credentials,
    '[default]\naws_access_key_id = AKIAFILEDEFAULT\naws_secret_access_key = s1\n\n[ci]\naws_access_key_id = AKIAFILECI\naws_secret_access_key = s2\n',
  );
  await writeFile(config, '[default]\nregion = eu-west-2\n');
  return { AWS_SHARED_CREDENTIALS_FILE: credentials, AWS_CONFIG_FILE: config, HOME: dir };
}

describe('parseCredentialSources', () => {
  test.each([
    ['', DEFAULT_CREDENTIAL_SOURCES],
    ['  \n ', DEFAULT_CREDENTIAL_SOURCES],
    ['env', ['env']],
    ['instance-metadata, env', ['instance-metadata', 'env']],
    ['web-identity\ncontainer\n', ['web-identity', 'container']],
    [
      'env, web-identity, profile, container, instance-metadata',
      ['env', 'web-identity', 'profile', 'container', 'instance-metadata'],
    ],
  ])('%j → %p', (text, expected) => {
    expect(parseCredentialSources(text)).toEqual(expected);
  });

  test('an unknown entry names its position and the choices, never its text', () => {
    expect(() => parseCredentialSources('env, AKIAPASTEDBYMISTAKE')).toThrow(ConfigError);
    expect(() => parseCredentialSources('env, AKIAPASTEDBYMISTAKE')).toThrow(
      "input 'aws-credential-sources': entry 2 is not a credential source — use env, web-identity, profile, container, instance-metadata",
    );
    try {
      parseCredentialSources('AKIAPASTEDBYMISTAKE');
    } catch (error) {
      expect((error as Error).message).not.toContain('AKIAPASTED');
    }
  });

  test.each(['env,env', 'Env', 'imds', 'default'])('%j is refused', (text) => {
    expect(() => parseCredentialSources(text)).toThrow(ConfigError);
  });
});

describe('the default sources', () => {
  test('env credentials come from the step environment, with session token and expiry', async () => {
    const provider = awsCredentialProvider({
      sources: DEFAULT_CREDENTIAL_SOURCES,
      env: { ...ENV_KEYS, AWS_SESSION_TOKEN: 'tok', AWS_CREDENTIAL_EXPIRATION: '2099-01-01T00:00:00Z' },
    });
    await expect(provider()).resolves.toEqual({
      ...{ accessKeyId: 'AKIAENVKEY', secretAccessKey: 'env-secret', sessionToken: 'tok' },
      expiration: new Date('2099-01-01T00:00:00Z'),
    });
  });

  test('shared files, AWS_PROFILE, container and instance metadata are never used unless named', async () => {
    const endpoints = await startCredentialEndpoints();
    try {
      const env = {
        ...(await sharedFiles()),
        AWS_PROFILE: 'ci',
        AWS_CONTAINER_CREDENTIALS_FULL_URI: endpoints.containerUri,
        AWS_EC2_METADATA_SERVICE_ENDPOINT: endpoints.imdsEndpoint,
      };
      const provider = awsCredentialProvider({ sources: DEFAULT_CREDENTIAL_SOURCES, env });
      const error = await withProcessEnv(env, () => provider()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AwsCredentialsError);
      expect(isCredentialsExpired(error)).toBe(true);
      expect((error as Error).message).toBe(
        'no AWS credentials: tried env (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set), ' +
          'web-identity (AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN are not set). Configure credentials for the job ' +
          'before this step (aws-actions/configure-aws-credentials), or name the source to use in aws-credential-sources ' +
          '(env, web-identity, profile, container, instance-metadata); AWS_PROFILE is set: add profile to ' +
          'aws-credential-sources to use it; AWS_CONTAINER_CREDENTIALS_FULL_URI is set: add container to aws-credential-sources to use it',
      );
      expect(endpoints.served).toEqual([]);
    } finally {
      await endpoints.close();
    }
  });

  test('a web identity that is set up but refused fails; env credentials named later are not a silent fallback', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'wi-'));
    await writeFile(path.join(dir, 'token'), 'eyJ.fake.jwt');
    const env = {
      AWS_WEB_IDENTITY_TOKEN_FILE: path.join(dir, 'token'),
      AWS_ROLE_ARN: 'arn:aws:iam::123456789012:role/deploy',
      // Nothing listens here: STS cannot be reached.
      AWS_ENDPOINT_URL_STS: 'http://127.0.0.1:1',
      AWS_REGION: 'eu-west-2',
      AWS_MAX_ATTEMPTS: '1',
      ...ENV_KEYS,
    };
    const provider = awsCredentialProvider({ sources: ['web-identity', 'env'], env });
    const error = await withProcessEnv(env, () =>
      provider({ callerClientConfig: { region: async () => 'eu-west-2' } }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsCredentialsError);
    expect((error as Error).message).toMatch(/^AWS credentials from web-identity failed: /);
  });
});

describe('named sources', () => {
  let endpoints: CredentialEndpoints;
  beforeAll(async () => {
    endpoints = await startCredentialEndpoints();
  });
  afterAll(() => endpoints.close());

  test('profile: the shared files and the profile AWS_PROFILE names', async () => {
    const files = await sharedFiles();
    for (const [profile, key] of [
      [undefined, 'AKIAFILEDEFAULT'],
      ['ci', 'AKIAFILECI'],
    ] as const) {
      const env = { ...files, ...(profile ? { AWS_PROFILE: profile } : {}) };
      const provider = awsCredentialProvider({ sources: ['profile'], env });
      const credentials = await withProcessEnv(env, () => provider());
      expect(credentials.accessKeyId).toBe(key);
    }
  });

  test('container: AWS_CONTAINER_CREDENTIALS_FULL_URI', async () => {
    const env = { AWS_CONTAINER_CREDENTIALS_FULL_URI: endpoints.containerUri };
    const provider = awsCredentialProvider({ sources: ['container'], env });
    expect((await withProcessEnv(env, () => provider())).accessKeyId).toBe(CONTAINER_KEY_ID);
  });

  test('instance-metadata: IMDSv2, unless AWS_EC2_METADATA_DISABLED says no', async () => {
    const env = { AWS_EC2_METADATA_SERVICE_ENDPOINT: endpoints.imdsEndpoint };
    const provider = awsCredentialProvider({ sources: ['instance-metadata'], env });
    expect((await withProcessEnv(env, () => provider())).accessKeyId).toBe(IMDS_KEY_ID);
    const disabled = { ...env, AWS_EC2_METADATA_DISABLED: 'true' };
    const refused = awsCredentialProvider({ sources: ['instance-metadata'], env: disabled });
    await expect(withProcessEnv(disabled, () => refused())).rejects.toThrow(
      /tried instance-metadata \(AWS_EC2_METADATA_DISABLED is set\)/,
    );
  });

  test('the order given is the order tried: the first source that is set up wins', async () => {
    const env = { ...ENV_KEYS, AWS_CONTAINER_CREDENTIALS_FULL_URI: endpoints.containerUri };
    const first = awsCredentialProvider({ sources: ['container', 'env'], env });
    expect((await withProcessEnv(env, () => first())).accessKeyId).toBe(CONTAINER_KEY_ID);
    const second = awsCredentialProvider({ sources: ['env', 'container'], env });
    expect((await second()).accessKeyId).toBe('AKIAENVKEY');
  });
});

describe('one lookup per run', () => {
  test('credentials are cached until five minutes before they expire, and parallel callers share one lookup', async () => {
    const env: NodeJS.ProcessEnv = {
      ...ENV_KEYS,
      AWS_CREDENTIAL_EXPIRATION: new Date(Date.now() + 3600_000).toISOString(),
    };
    const debug: string[] = [];
    const provider = awsCredentialProvider({ sources: ['env'], env, debug: (m) => debug.push(m) });
    await Promise.all([provider(), provider(), provider()]);
    env['AWS_ACCESS_KEY_ID'] = 'AKIAROTATED';
    expect((await provider()).accessKeyId).toBe('AKIAENVKEY');
    expect(debug).toEqual(['AWS credentials from env']);

    env['AWS_CREDENTIAL_EXPIRATION'] = new Date(Date.now() + 60_000).toISOString();
    const soon = awsCredentialProvider({ sources: ['env'], env });
    await soon();
    env['AWS_ACCESS_KEY_ID'] = 'AKIAROTATEDAGAIN';
    expect((await soon()).accessKeyId).toBe('AKIAROTATEDAGAIN');
  });

  test('actionCredentials: one provider per run, the input read once, AWS_PROFILE left unused is said', () => {
    const io = memoryIO({ 'aws-credential-sources': 'env' }, { AWS_PROFILE: 'ci' });
    expect(actionCredentials(io)).toBe(actionCredentials(io));
    expect(io.lines).toEqual([
      'warning: AWS_PROFILE is set but not used: add profile to aws-credential-sources to use the shared files',
    ]);
    expect(actionCredentials(memoryIO({}))).not.toBe(actionCredentials(io));
    expect(() => actionCredentials(memoryIO({ 'aws-credential-sources': 'everything' }))).toThrow(ConfigError);
  });
});
