// Where the bundles take AWS credentials from, run as the runner runs them. By default only the step's environment
// and a web identity token file: with neither, every action fails before its first AWS request, although the
// machine offers shared files with AWS_PROFILE, container credentials and instance metadata (local stand-ins that
// record being asked). Each of those is used when aws-credential-sources names it (against a real moto server).
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ECSClient, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import {
  freePort,
  runBundle,
  startCredentialEndpoints,
  startMoto,
  TEST_ACCOUNT,
  TEST_REGION,
  type CredentialEndpoints,
  type Moto,
  type RunResult,
} from '@deploy-actions/testing';

let moto: Moto;
let endpoints: CredentialEndpoints;
/** HOME with ~/.aws/credentials and ~/.aws/config holding a profile `ci`. */
let home: string;
let workspace: string;

beforeAll(async () => {
  [moto, endpoints] = await Promise.all([startMoto(), startCredentialEndpoints()]);
  home = await mkdtemp(path.join(tmpdir(), 'aws-home-'));
  await mkdir(path.join(home, '.aws'));
  await writeFile(
    path.join(home, '.aws/credentials'),
    '[ci]\naws_access_key_id = AKIAPROFILEKEY000000\naws_secret_access_key = profile-secret\n',
  );
  await writeFile(path.join(home, '.aws/config'), `[profile ci]\nregion = ${TEST_REGION}\n`);
  workspace = await mkdtemp(path.join(tmpdir(), 'creds-ws-'));
  await writeFile(path.join(workspace, 'token'), 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOngifQ.c2ln');
  await mkdir(path.join(workspace, 'site'));
  await writeFile(path.join(workspace, 'site/index.html'), '<h1>ok</h1>');
  await writeFile(
    path.join(workspace, 'td.json'),
    JSON.stringify({
      family: 'creds-test',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      containerDefinitions: [{ name: 'app', image: 'busybox:1', essential: true }],
    }),
  );
  const ecs = new ECSClient({
    region: TEST_REGION,
    endpoint: moto.endpoint,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'creds-test',
      containerDefinitions: [{ name: 'app', image: 'busybox:1', essential: true, memory: 128 }],
    }),
  );
  ecs.destroy();
}, 90000);

afterAll(async () => {
  await Promise.all([moto?.stop(), endpoints?.close()]);
});

/** Everything a runner machine could offer besides the job's own credentials. */
function machineIdentity(): Record<string, string> {
  return {
    HOME: home,
    AWS_PROFILE: 'ci',
    AWS_CONTAINER_CREDENTIALS_FULL_URI: endpoints.containerUri,
    AWS_EC2_METADATA_SERVICE_ENDPOINT: endpoints.imdsEndpoint,
    AWS_EC2_METADATA_DISABLED: 'false',
  };
}

/** moto's endpoint and region, without its dummy keys. */
function motoWithoutKeys(): Record<string, string> {
  return { AWS_ENDPOINT_URL: moto.endpoint, AWS_REGION: TEST_REGION };
}

const renderFamily = { 'task-definition-family': 'creds-test', 'container-name': 'app', image: 'busybox:2' };

function describeRun(run: RunResult): string {
  return `exit ${run.code}\n${run.stdout.slice(-3000)}\n${run.stderr.slice(-2000)}`;
}

describe('by default, the machine’s own identity is never used', () => {
  const cases: [string, () => Promise<Record<string, string>>][] = [
    ['render-task-def', async () => renderFamily],
    [
      'verify-params',
      async () => ({ 'parameters-manifest': path.resolve('examples/parameters.yml'), environment: 'staging' }),
    ],
    ['deploy-service', async () => ({ 'task-definition': 'td.json', service: 'api', cluster: 'c1' })],
    [
      'build-nginx-image',
      async () => ({
        directory: 'site',
        repository: `127.0.0.1:${await freePort()}/site`,
        'base-image': `127.0.0.1:${await freePort()}/nginx:1`,
        ecr: 'true',
        'aws-region': TEST_REGION,
      }),
    ],
  ];

  test.each(cases)(
    '%s fails before any AWS request, naming what it tried and how to choose',
    async (action, inputs) => {
      const served = endpoints.served.length;
      // Nothing listens at this endpoint: a request that got credentials anyway would fail differently.
      const env = {
        ...machineIdentity(),
        AWS_ENDPOINT_URL: `http://127.0.0.1:${await freePort()}`,
        AWS_REGION: TEST_REGION,
      };
      const run = await runBundle(action, { workspace, env, inputs: await inputs() });
      expect([run.code, run.stdout]).toEqual([
        1,
        expect.stringContaining(`::error::${action}: no AWS credentials: tried env (`),
      ]);
      expect(run.stdout).toContain('web-identity (AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN are not set)');
      expect(run.stdout).toContain('AWS_PROFILE is set: add profile to aws-credential-sources to use it');
      expect(run.stdout).toContain(
        'AWS_CONTAINER_CREDENTIALS_FULL_URI is set: add container to aws-credential-sources to use it',
      );
      expect(run.stdout).toContain('::warning::AWS_PROFILE is set but not used');
      expect(endpoints.served.slice(served)).toEqual([]);
    },
  );
});

describe('each source is used when named, and only then', () => {
  test('env (default): the step environment', async () => {
    const run = await runBundle('render-task-def', {
      workspace,
      env: { ...moto.env },
      inputs: renderFamily,
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('::debug::AWS credentials from env');
  });

  test('web-identity (default): AssumeRoleWithWebIdentity with the token file, through STS', async () => {
    const run = await runBundle('render-task-def', {
      workspace,
      env: {
        ...motoWithoutKeys(),
        AWS_WEB_IDENTITY_TOKEN_FILE: path.join(workspace, 'token'),
        AWS_ROLE_ARN: `arn:aws:iam::${TEST_ACCOUNT}:role/deploy`,
        AWS_ROLE_SESSION_NAME: 'deploy-actions-test',
      },
      inputs: renderFamily,
    });
    expect([run.code, describeRun(run)]).toEqual([0, expect.any(String)]);
    expect(run.stdout).toContain('::debug::AWS credentials from web-identity');
  });

  test.each<[string, string, string]>([
    ['profile', 'profile', 'AWS credentials from profile'],
    ['container', 'container', 'AWS credentials from container'],
    ['instance-metadata', 'instance-metadata', 'AWS credentials from instance-metadata'],
    [
      'the first that is set up, in the order given',
      'instance-metadata, container',
      'AWS credentials from instance-metadata',
    ],
  ])('%s', async (_name, sources, debug) => {
    const served = endpoints.served.length;
    const run = await runBundle('render-task-def', {
      workspace,
      env: { ...machineIdentity(), ...motoWithoutKeys() },
      inputs: { ...renderFamily, 'aws-credential-sources': sources },
    });
    expect([run.code, describeRun(run)]).toEqual([0, expect.any(String)]);
    expect(run.stdout).toContain(`::debug::${debug}`);
    const asked = endpoints.served.slice(served);
    if (sources.startsWith('instance-metadata')) expect(asked).toContain('imds');
    else expect(asked).not.toContain('imds');
    if (sources === 'container') expect(asked).toEqual(['container']);
  });

  test('a bad list is refused before anything else, without quoting it', async () => {
    const run = await runBundle('render-task-def', {
      workspace,
      env: { ...moto.env },
      inputs: { ...renderFamily, 'aws-credential-sources': 'env, AKIAPASTEDHEREBYMISTAKE' },
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      "::error::render-task-def: input 'aws-credential-sources': entry 2 is not a credential source",
    );
    expect(run.stdout + run.stderr).not.toContain('AKIAPASTED');
  });
});
