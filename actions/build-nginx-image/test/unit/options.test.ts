import { readOptions } from '../../src/options';
import { memoryIO } from '@deploy-actions/testing';

const SHA = '0123456789abcdef0123456789abcdef01234567';
const env = { GITHUB_SHA: SHA, GITHUB_WORKSPACE: '/ws' };
const valid = { directory: 'dist', repository: '127.0.0.1:5000/frontend' };

test('defaults: commit SHA tag, public ECR nginx base, linux/amd64, oci builder, no ECR for a local registry', () => {
  const o = readOptions(memoryIO(valid, env));
  expect(o).toMatchObject({
    directory: '/ws/dist',
    target: { registry: '127.0.0.1:5000', repository: 'frontend' },
    tags: [SHA],
    base: {
      registry: 'public.ecr.aws',
      repository: 'nginx/nginx',
      tag: 'stable-alpine',
      digest: 'sha256:8d32e1ab9a199e9d83b66ada9823585379878433a9b22fa20110418a3e8a0baf',
    },
    platform: { os: 'linux', architecture: 'amd64' },
    builder: 'oci',
    ecr: undefined,
    credentials: undefined,
  });
  expect(o.resolvedNginx.root).toBe('/usr/share/nginx/html');
});

test('tags: SHA first, duplicates dropped, comma/space/line separated', () => {
  const o = readOptions(memoryIO({ ...valid, tags: `latest, staging\n${SHA} v1.2.3` }, env));
  expect(o.tags).toEqual([SHA, 'latest', 'staging', 'v1.2.3']);
});

test.each([
  [
    '123456789012.dkr.ecr.eu-west-2.amazonaws.com/frontend',
    'auto',
    '',
    { registryId: '123456789012', region: 'eu-west-2' },
  ],
  [
    '123456789012.dkr.ecr.eu-west-2.amazonaws.com/frontend',
    'auto',
    'eu-west-1',
    { registryId: '123456789012', region: 'eu-west-1' },
  ],
  ['127.0.0.1:5000/frontend', 'true', '', { registryId: undefined, region: undefined }],
  ['123456789012.dkr.ecr.eu-west-2.amazonaws.com/frontend', 'false', '', undefined],
])('ECR login for %s with ecr=%s aws-region=%s', (repository, ecr, region, expected) => {
  const o = readOptions(memoryIO({ ...valid, repository, ecr, 'aws-region': region }, env));
  expect(o.ecr).toEqual(expected);
});

test.each([
  [
    'private ECR base in another account',
    '210987654321.dkr.ecr.us-east-1.amazonaws.com/mirror/nginx:1.27',
    'auto',
    { registryId: '210987654321', region: 'us-east-1' },
  ],
  ['public ECR base', 'public.ecr.aws/nginx/nginx:1.27-alpine', 'auto', undefined],
  ['ECR base with ecr=false', '210987654321.dkr.ecr.us-east-1.amazonaws.com/mirror/nginx:1.27', 'false', undefined],
  [
    'ECR base on the target registry (same login)',
    '123456789012.dkr.ecr.eu-west-2.amazonaws.com/mirror/nginx:1',
    'auto',
    undefined,
  ],
])('base login: %s', (_label, baseImage, ecr, expected) => {
  const repository = '123456789012.dkr.ecr.eu-west-2.amazonaws.com/frontend';
  expect(readOptions(memoryIO({ ...valid, repository, 'base-image': baseImage, ecr }, env)).baseEcr).toEqual(expected);
});

test('the registry password is masked as soon as it is read', () => {
  const io = memoryIO({ ...valid, 'registry-username': 'ci', 'registry-password': 'p@ss word/1' }, env);
  const o = readOptions(io);
  expect(o.credentials).toEqual({ username: 'ci', password: 'p@ss word/1' });
  expect(io.secrets).toEqual(expect.arrayContaining(['p@ss word/1', encodeURIComponent('p@ss word/1')]));
});

test('nginx inputs map to the nginx options; off disables a header', () => {
  const o = readOptions(
    memoryIO(
      {
        ...valid,
        'server-names': 'zanda360.com *.zanda360.com\nsmartlms.co.uk',
        'api-path': '/backend/',
        'api-upstream': 'http://api.internal:3000',
        hsts: 'off',
        'reject-unknown-hosts': 'false',
        listen: '8080',
      },
      env,
    ),
  );
  expect(o.nginx).toEqual({
    serverNames: ['zanda360.com', '*.zanda360.com', 'smartlms.co.uk'],
    apiPath: '/backend/',
    apiUpstream: 'http://api.internal:3000',
    hsts: '',
    rejectUnknownHosts: false,
    listen: '8080',
    serveDotfiles: false,
  });
});

test.each([
  ['', false],
  ['false', false],
  ['true', true],
])('include-dotfiles %p: dotfiles in the image and served by nginx: %p', (value, include) => {
  const o = readOptions(memoryIO({ ...valid, 'include-dotfiles': value }, env));
  expect([o.includeDotfiles, o.nginx.serveDotfiles, o.resolvedNginx.serveDotfiles]).toEqual([
    include,
    include,
    include,
  ]);
});

test.each([
  [{ directory: '' }, "input 'directory': is required"],
  [{ repository: '' }, "input 'repository': is required"],
  [{ repository: '127.0.0.1:5000/frontend:v1' }, "input 'repository': must not have a tag or digest"],
  [{ repository: '127.0.0.1:5000/Front' }, "input 'repository': has an invalid repository name"],
  [{ tags: 'ok, -bad' }, "input 'tags': tag 2 is not a valid tag"],
  [{ 'base-image': 'nginx@sha256:123' }, "input 'base-image': has an invalid digest"],
  [{ platform: 'amd64' }, "input 'platform': is not os/architecture[/variant]"],
  [{ builder: 'kaniko' }, "input 'builder': is not one of the allowed values — use one of: oci, docker"],
  [{ dockerfile: 'Dockerfile' }, "input 'dockerfile': is only used by the docker builder"],
  [{ 'registry-username': 'ci' }, "input 'registry-password': is required when the other registry credential is set"],
  [
    {
      repository: '123456789012.dkr.ecr.eu-west-2.amazonaws.com/x',
      'registry-username': 'u',
      'registry-password': 'pppp',
    },
    "input 'registry-username': is not used for ECR",
  ],
  [{ 'api-path': 'api' }, "input 'api-path': is not a path prefix"],
  [{ 'server-names': 'bad_name!' }, "input 'server-names': entry 1 is not a host name"],
  [{ 'reject-unknown-hosts': 'maybe' }, "input 'reject-unknown-hosts': is not a boolean"],
  [{ 'include-dotfiles': 'yes please' }, "input 'include-dotfiles': is not a boolean"],
  [{ labels: 'no-equals-sign' }, "input 'labels' line 1: has no '='"],
])('%j is rejected: %s', (inputs, message) => {
  let found = '';
  try {
    readOptions(memoryIO({ ...valid, ...inputs }, env));
  } catch (error) {
    found = error instanceof Error ? error.message : String(error);
  }
  expect(found).toContain(message);
  // What was found is never repeated (only the problem is compared: input names and examples may look alike).
  const problem = (found.split(' — ')[0] ?? '').split(': ').slice(1).join(': ');
  for (const value of Object.values(inputs)) if (value.length >= 3) expect(problem).not.toContain(value);
});

test('all problems are reported at once', () => {
  expect(() =>
    readOptions(memoryIO({ directory: '', repository: 'x:y:z', platform: 'bad', 'api-path': 'x' }, env)),
  ).toThrow(
    /^4 problems:\n {2}- input 'directory'.*\n {2}- input 'repository'.*\n {2}- input 'platform'.*\n {2}- input 'api-path'/,
  );
});

test('GITHUB_SHA must be a commit SHA (the tag every image gets)', () => {
  expect(() => readOptions(memoryIO(valid, { GITHUB_WORKSPACE: '/ws' }))).toThrow(/GITHUB_SHA: is not set/);
});
