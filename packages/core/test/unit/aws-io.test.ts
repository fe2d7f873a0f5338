import {
  awsClientConfig,
  awsRegion,
  ConfigError,
  ErrorCollector,
  isCredentialsExpired,
  isThrottling,
  runAction,
  SUITE_VERSION,
} from '@deploy-actions/core';
import { memoryIO } from '@deploy-actions/testing';

describe('awsClientConfig', () => {
  test('input region wins over the environment; the credentials given are the only ones', () => {
    const credentials = async () => ({ accessKeyId: 'a', secretAccessKey: 'b' });
    const config = awsClientConfig({ region: 'eu-west-2', actionName: 'x', credentials }, { AWS_REGION: 'us-east-1' });
    expect(config.region).toBe('eu-west-2');
    expect(config.credentials).toBe(credentials);
    expect(config.retryMode).toBe('adaptive');
    expect(config.customUserAgent).toEqual([
      ['deploy-actions', SUITE_VERSION],
      ['x', SUITE_VERSION],
    ]);
  });

  test.each([
    [{ AWS_REGION: 'us-east-1' }, 'us-east-1'],
    [{ AWS_DEFAULT_REGION: 'ap-southeast-2' }, 'ap-southeast-2'],
  ])('region from %p', (env, region) => {
    expect(awsRegion(undefined, env)).toBe(region);
  });

  test('no region names the input and the fix', () => {
    expect(() => awsRegion(undefined, {})).toThrow(/input 'aws-region': no AWS region is set/);
  });

  test('a malformed region is rejected', () => {
    expect(() => awsRegion('London', {})).toThrow(ConfigError);
  });
});

test.each([
  [{ name: 'ExpiredTokenException' }, true, false],
  [{ name: 'ThrottlingException' }, false, true],
  [{ Code: 'ExpiredToken' }, true, false],
  [new Error('plain'), false, false],
])('error classification %p', (error, expired, throttled) => {
  expect(isCredentialsExpired(error)).toBe(expired);
  expect(isThrottling(error)).toBe(throttled);
});

describe('runAction', () => {
  test('fails once, prefixed with the action name', async () => {
    const failures: string[] = [];
    const io = memoryIO({});
    await runAction(
      'deploy-service',
      async (actionIo) => {
        actionIo.inputs.required('cluster');
      },
      io,
      (m) => failures.push(m),
    );
    expect(failures).toEqual(["deploy-service: input 'cluster': is required — set 'with: cluster: ...'"]);
  });

  test('does not fail on success', async () => {
    const failures: string[] = [];
    const io = memoryIO({ cluster: 'c1' });
    await runAction(
      'x',
      async (a) => a.setOutput('cluster', a.inputs.required('cluster')),
      io,
      (m) => failures.push(m),
    );
    expect(failures).toEqual([]);
    expect(io.outputs).toEqual({ cluster: 'c1' });
  });

  test('ErrorCollector reports every problem at once', () => {
    const errors = new ErrorCollector();
    errors.add('file a.json field cpu', 'is 3', 'use 256');
    errors.add('file a.json field memory', 'is 1');
    expect(() => errors.throwIfAny()).toThrow(/2 problems:\n {2}- file a.json field cpu: is 3 — use 256\n {2}- file/);
  });
});

test('ErrorCollector.attempt records config errors, returns undefined, and lets other errors through', async () => {
  const errors = new ErrorCollector();
  expect(errors.attempt(() => 5)).toBe(5);
  expect(
    errors.attempt(() => {
      throw new ConfigError("input 'a'", 'is bad');
    }),
  ).toBeUndefined();
  expect(
    await errors.attemptAsync(async () => {
      throw new ConfigError("input 'b'", 'is bad too');
    }),
  ).toBeUndefined();
  expect(() =>
    errors.attempt(() => {
      throw new TypeError('bug');
    }),
  ).toThrow(TypeError);
  expect(errors.count).toBe(2);
  expect(() => errors.throwIfAny()).toThrow("2 problems:\n  - input 'a': is bad\n  - input 'b': is bad too");
});
