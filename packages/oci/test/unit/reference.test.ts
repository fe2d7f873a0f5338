import {
  defaultScheme,
  ecrRegistry,
  formatPlatform,
  parseChallenge,
  parsePlatform,
  parseReference,
  platformMatches,
  scopeFor,
} from '../../src';

const D = `sha256:${'a'.repeat(64)}`;

describe('parseReference', () => {
  test.each([
    ['nginx', { registry: 'registry-1.docker.io', repository: 'library/nginx' }],
    ['nginx:1.27', { registry: 'registry-1.docker.io', repository: 'library/nginx', tag: '1.27' }],
    ['docker.io/nginx:1', { registry: 'registry-1.docker.io', repository: 'library/nginx', tag: '1' }],
    ['bitnami/nginx', { registry: 'registry-1.docker.io', repository: 'bitnami/nginx' }],
    [
      `public.ecr.aws/nginx/nginx:1.27-alpine@${D}`,
      { registry: 'public.ecr.aws', repository: 'nginx/nginx', tag: '1.27-alpine', digest: D },
    ],
    ['127.0.0.1:5000/site', { registry: '127.0.0.1:5000', repository: 'site' }],
    ['localhost/a/b:c', { registry: 'localhost', repository: 'a/b', tag: 'c' }],
    [
      '123456789012.dkr.ecr.eu-west-2.amazonaws.com/learning-platform-nginx',
      { registry: '123456789012.dkr.ecr.eu-west-2.amazonaws.com', repository: 'learning-platform-nginx' },
    ],
  ])('%s', (text, expected) => {
    expect(parseReference(text)).toEqual(expected);
  });

  test.each([
    ['Upper/Case', /invalid repository name/],
    ['nginx@sha256:abc', /invalid digest/],
    ['nginx:-bad', /invalid tag/],
  ])('rejects %s', (text, message) => {
    expect(() => parseReference(text, "input 'base-image'")).toThrow(message);
    expect(() => parseReference(text, "input 'base-image'")).toThrow(/input 'base-image'/);
  });
});

test.each([
  ['127.0.0.1:5000', 'http'],
  ['localhost', 'http'],
  ['public.ecr.aws', 'https'],
])('defaultScheme(%s) = %s', (registry, scheme) => {
  expect(defaultScheme(registry)).toBe(scheme);
});

test.each([
  ['123456789012.dkr.ecr.eu-west-2.amazonaws.com', { accountId: '123456789012', region: 'eu-west-2' }],
  ['123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn', { accountId: '123456789012', region: 'cn-north-1' }],
  ['public.ecr.aws', undefined],
  ['127.0.0.1:5000', undefined],
])('ecrRegistry(%s)', (registry, expected) => {
  expect(ecrRegistry(registry)).toEqual(expected);
});

describe('platforms', () => {
  test.each([
    ['linux/amd64', { os: 'linux', architecture: 'amd64' }, true],
    ['linux/arm64', { os: 'linux', architecture: 'arm64', variant: 'v8' }, true],
    ['linux/arm64/v8', { os: 'linux', architecture: 'arm64' }, true],
    ['linux/arm/v7', { os: 'linux', architecture: 'arm', variant: 'v6' }, false],
    ['linux/amd64', { os: 'windows', architecture: 'amd64' }, false],
    ['linux/amd64', { os: 'linux', architecture: 'arm64' }, false],
  ])('%s matches %j: %s', (want, have, expected) => {
    expect(platformMatches(parsePlatform(want), have)).toBe(expected);
  });

  test('format round-trips', () => {
    expect(formatPlatform(parsePlatform('linux/arm64/v8'))).toBe('linux/arm64/v8');
  });
});

describe('parseChallenge', () => {
  test.each([
    [
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"',
      {
        scheme: 'bearer',
        params: {
          realm: 'https://auth.docker.io/token',
          service: 'registry.docker.io',
          scope: 'repository:library/nginx:pull',
        },
      },
    ],
    ['Basic realm="a, \\"quoted\\" realm"', { scheme: 'basic', params: { realm: 'a, "quoted" realm' } }],
    [
      'Bearer realm=https://x/token, service=x',
      { scheme: 'bearer', params: { realm: 'https://x/token', service: 'x' } },
    ],
  ])('%s', (header, expected) => {
    expect(parseChallenge(header)).toEqual(expected);
  });

  test('no header: no challenge', () => {
    expect(parseChallenge(null)).toBeUndefined();
  });
});

test('scopeFor adds pull on a mount source', () => {
  expect(scopeFor('site', 'pull,push', 'nginx')).toBe('repository:site:pull,push repository:nginx:pull');
  expect(scopeFor('site', 'pull,push', 'site')).toBe('repository:site:pull,push');
});
