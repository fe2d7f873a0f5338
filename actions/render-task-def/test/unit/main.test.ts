import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import { REPO_ROOT, memoryIO, type MemoryIO } from '@deploy-actions/testing';
import { main, type RenderDeps } from '../../src/main';

const ACCOUNT = '123456789012';

function platform(): RegisterTaskDefinitionCommandInput {
  return {
    family: 'learning-platform',
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    cpu: '512',
    memory: '1024',
    executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/ecsTaskExecutionRole`,
    containerDefinitions: [
      { name: 'nginx', image: 'nginx:1.27', essential: true, portMappings: [{ containerPort: 80 }] },
      {
        name: 'api',
        image: 'busybox:latest',
        environment: [
          { name: 'RAILS_ENV', value: 'production' },
          { name: 'POSTGRES_HOST', value: 'db.internal' },
        ],
      },
    ],
  };
}

interface Fake extends RenderDeps {
  readonly calls: string[];
  readonly files: Map<string, string>;
}

function fakeDeps(described: unknown = { taskDefinition: platform(), tags: [{ key: 'team', value: 'web' }] }): Fake {
  const calls: string[] = [];
  const files = new Map<string, string>();
  return {
    calls,
    files,
    describeTaskDefinition: async (reference) => {
      calls.push(`describe ${reference}`);
      if (reference.startsWith('missing')) {
        throw Object.assign(new Error('Unable to describe task definition.'), { name: 'ClientException' });
      }
      return described;
    },
    accountId: async (region) => {
      calls.push(`sts ${region}`);
      return ACCOUNT;
    },
    writeFile: async (file, text) => {
      files.set(file, text);
    },
  };
}

let workspace: string;
beforeAll(async () => {
  workspace = await mkdtemp(path.join(tmpdir(), 'render-unit-'));
  await writeFile(path.join(workspace, 'td.json'), JSON.stringify(platform()));
  await writeFile(path.join(workspace, 'two.json'), JSON.stringify(platform()));
  await writeFile(
    path.join(workspace, 'one.yml'),
    'family: api\nrequiresCompatibilities: [FARGATE]\nnetworkMode: awsvpc\ncpu: 256\nmemory: 512\ncontainerDefinitions:\n  - name: api\n    image: busybox\n',
  );
  await writeFile(
    path.join(workspace, 'typo.json'),
    JSON.stringify({ ...platform(), containerDefinitions: [{ name: 'a', imagee: 'x', image: 'y' }] }),
  );
  await writeFile(path.join(workspace, 'broken.json'), '{"family": "x",');
  await writeFile(path.join(workspace, 'broken.yml'), 'family: [x\n');
  await writeFile(
    path.join(workspace, 'hostport.json'),
    JSON.stringify({
      ...platform(),
      containerDefinitions: [{ name: 'web', image: 'nginx', portMappings: [{ containerPort: 80, hostPort: 8080 }] }],
    }),
  );
});

function io(inputs: Record<string, string>, env: Record<string, string> = {}): MemoryIO {
  return memoryIO(inputs, { GITHUB_WORKSPACE: workspace, RUNNER_TEMP: '/runner/temp', ...env });
}

async function rendered(deps: Fake): Promise<RegisterTaskDefinitionCommandInput> {
  const [text] = [...deps.files.values()];
  return JSON.parse(text ?? 'null') as RegisterTaskDefinitionCommandInput;
}

describe('render-task-def main', () => {
  test('file source: images per container, outputs and summary', async () => {
    const deps = fakeDeps();
    const out = io({ 'task-definition': 'td.json', images: 'nginx=repo/web@sha256:aa\napi=repo/api:7' });
    await main(out, deps);
    expect(deps.calls).toEqual([]);
    const td = await rendered(deps);
    expect(td.containerDefinitions!.map((c) => c.image)).toEqual(['repo/web@sha256:aa', 'repo/api:7']);
    expect(out.outputs['task-definition']).toMatch(
      /^\/runner\/temp\/task-definition-learning-platform-[0-9a-f]{8}\.json$/,
    );
    expect(out.outputs['family']).toBe('learning-platform');
    expect(JSON.parse(out.outputs['changes']!)).toHaveLength(2);
    expect(out.summary).toContain('<code>busybox:latest</code> → <code>api:7</code>');
  });

  test('YAML with numbers and a single container needs no container-name', async () => {
    const deps = fakeDeps();
    await main(io({ 'task-definition': 'one.yml', image: 'repo/api:8', command: '["bin/rails", "server"]' }), deps);
    const td = await rendered(deps);
    expect(td).toMatchObject({ cpu: '256', memory: '512' });
    expect(td.containerDefinitions![0]).toMatchObject({ image: 'repo/api:8', command: ['bin/rails', 'server'] });
  });

  test('live family: reads with the revision, strips read-only fields, keeps tags', async () => {
    const deps = fakeDeps({
      taskDefinition: {
        ...platform(),
        revision: 4,
        status: 'ACTIVE',
        taskDefinitionArn: 'arn:aws:ecs:eu-west-2:1:task-definition/x:4',
      },
      tags: [{ key: 'team', value: 'web' }],
    });
    const out = io({
      'task-definition-family': 'learning-platform',
      'task-definition-revision': '4',
      'container-name': 'api',
      image: 'repo/api:9',
    });
    await main(out, deps);
    expect(deps.calls).toEqual(['describe learning-platform:4']);
    const td = await rendered(deps);
    expect(td.tags).toEqual([{ key: 'team', value: 'web' }]);
    expect(td).not.toHaveProperty('revision');
    expect(out.lines).toContain(
      "notice: task definition 'learning-platform:4': removed read-only fields revision, status, taskDefinitionArn",
    );
  });

  test('environment values never reach logs, outputs or the summary', async () => {
    const deps = fakeDeps();
    const out = io({
      'task-definition': 'td.json',
      'container-name': 'api',
      image: 'busybox:latest',
      'environment-variables': 'DATABASE_URL=postgres://u:pa55word-xyz@h/db?sslmode=require\nRAILS_ENV=staging-value-q',
      'environment-mode': 'replace',
    });
    await main(out, deps);
    const env = (await rendered(deps)).containerDefinitions![1]!.environment;
    expect(env).toEqual([
      { name: 'DATABASE_URL', value: 'postgres://u:pa55word-xyz@h/db?sslmode=require' },
      { name: 'RAILS_ENV', value: 'staging-value-q' },
    ]);
    const visible = [out.lines.join('\n'), JSON.stringify(out.outputs), out.summary].join('\n');
    expect(visible).not.toMatch(/pa55word|staging-value-q|db\.internal/);
    expect(out.summary).toContain('\\+DATABASE\\_URL \\~RAILS\\_ENV −POSTGRES\\_HOST');
  });

  test('manifest secrets: every parameter of the environment becomes a secret with its SSM ARN', async () => {
    const deps = fakeDeps();
    const out = io({
      'task-definition': 'td.json',
      'parameters-manifest': path.join(REPO_ROOT, 'examples/parameters.yml'),
      environment: 'production',
      'aws-region': 'eu-west-2',
    });
    await main(out, deps);
    expect(deps.calls).toEqual(['sts eu-west-2']);
    const api = (await rendered(deps)).containerDefinitions![1]!;
    expect(api.secrets).toHaveLength(17);
    expect(api.secrets).toContainEqual({
      name: 'POSTGRES_PASSWORD',
      valueFrom: `arn:aws:ssm:eu-west-2:${ACCOUNT}:parameter/learning-platform/production/POSTGRES_PASSWORD`,
    });
    // The plain POSTGRES_HOST of the file now comes from Parameter Store.
    expect(api.environment).toEqual([{ name: 'RAILS_ENV', value: 'production' }]);
    expect(out.summary).toContain('−POSTGRES\\_HOST');
  });

  test('aws-account-id avoids the STS call', async () => {
    const deps = fakeDeps();
    await main(
      io(
        {
          'task-definition': 'td.json',
          'parameters-manifest': path.join(REPO_ROOT, 'examples/parameters.yml'),
          environment: 'staging',
          'aws-account-id': '210987654321',
        },
        { AWS_REGION: 'eu-west-1' },
      ),
      deps,
    );
    expect(deps.calls).toEqual([]);
    expect((await rendered(deps)).containerDefinitions![1]!.secrets![0]!.valueFrom).toMatch(
      /^arn:aws:ssm:eu-west-1:210987654321:parameter\/learning-platform\/staging\//,
    );
  });

  test('unknown keys are dropped with a warning that suggests the right key', async () => {
    const deps = fakeDeps();
    const out = io({ 'task-definition': 'typo.json' });
    await main(out, deps);
    expect(out.lines.find((l) => l.startsWith('warning:'))).toContain(
      "containerDefinitions[0].imagee (did you mean 'image'?)",
    );
    expect(await rendered(deps)).not.toHaveProperty('containerDefinitions.0.imagee');
  });

  test('environment-mode replace without variables removes them all; secrets merge by default', async () => {
    const deps = fakeDeps();
    const out = io({
      'task-definition': 'td.json',
      'container-name': 'api',
      image: 'busybox:latest',
      'environment-mode': 'replace',
      secrets: 'DB_PASSWORD=arn:aws:ssm:eu-west-2:123456789012:parameter/lp/DB_PASSWORD',
    });
    await main(out, deps);
    const api = (await rendered(deps)).containerDefinitions![1]!;
    expect(api.environment).toEqual([]);
    expect(api.secrets).toEqual([
      { name: 'DB_PASSWORD', valueFrom: 'arn:aws:ssm:eu-west-2:123456789012:parameter/lp/DB_PASSWORD' },
    ]);
    expect(JSON.parse(out.outputs['changes']!)).toEqual([
      { container: 'api', field: 'environment', action: 'removed', name: 'RAILS_ENV' },
      { container: 'api', field: 'environment', action: 'removed', name: 'POSTGRES_HOST' },
      { container: 'api', field: 'secrets', action: 'added', name: 'DB_PASSWORD' },
    ]);
  });

  test('container-name may list several containers: one image and labels for both', async () => {
    const deps = fakeDeps();
    await main(
      io({
        'task-definition': 'td.json',
        'container-name': 'nginx, api',
        image: 'repo/mono:1',
        'docker-labels': '{"sha":"abc"}',
      }),
      deps,
    );
    const containers = (await rendered(deps)).containerDefinitions!;
    expect(containers.map((c) => [c.image, c.dockerLabels])).toEqual([
      ['repo/mono:1', { sha: 'abc' }],
      ['repo/mono:1', { sha: 'abc' }],
    ]);
  });

  // At least 30 bad inputs, each rejected with a message naming the problem, before any AWS call or file write.
  const td = { 'task-definition': 'td.json' };
  const manifest = path.join(REPO_ROOT, 'examples/parameters.yml');
  test.each<[string, Record<string, string>, string | RegExp]>([
    ['no source', {}, 'no task definition source is given'],
    [
      'file and family',
      { ...td, 'task-definition-family': 'web' },
      "inputs 'task-definition' and 'task-definition-family': more than one",
    ],
    [
      'family and arn',
      { 'task-definition-family': 'web', 'task-definition-arn': 'web:1' },
      'more than one task definition source',
    ],
    [
      'family with revision inside',
      { 'task-definition-family': 'web:3' },
      "task-definition-family': is not a family name",
    ],
    [
      'revision not a number',
      { 'task-definition-family': 'web', 'task-definition-revision': 'latest' },
      'is not a revision number',
    ],
    ['revision alone', { ...td, 'task-definition-revision': '3' }, 'only applies with task-definition-family'],
    ['arn malformed', { 'task-definition-arn': 'arn:aws:ecs:task/web' }, 'is not a task definition ARN'],
    [
      'container name with space',
      { ...td, 'container-name': 'api, my api' },
      "input 'container-name': entry 2 is not a container name",
    ],
    [
      'image with space',
      { ...td, 'container-name': 'api', image: 'repo/api 2' },
      "input 'image': is not an image reference",
    ],
    [
      'images line without =',
      { ...td, images: 'nginx' },
      "input 'images' line 1: has no '=' (the line is not shown: values may be secret)",
    ],
    ['images twice', { ...td, images: 'api=a\napi=b' }, "container 'api' is given an image twice"],
    [
      'image and images for one',
      { ...td, 'container-name': 'api', image: 'a', images: 'api=b' },
      "both give container 'api' an image",
    ],
    [
      'image and images for the only container',
      { 'task-definition': 'one.yml', image: 'a', images: 'api=b' },
      "input 'image' and input 'images': both give container 'api' an image",
    ],
    [
      'images unknown container',
      { ...td, images: 'web=x' },
      "input 'images': there is no container 'web' in the task definition — the containers are: nginx, api",
    ],
    [
      'image without container-name',
      { ...td, image: 'x' },
      "input 'container-name': is needed to know which of the 2 containers to change — use one of: nginx, api",
    ],
    ['unknown container-name', { ...td, 'container-name': 'worker', image: 'x' }, "there is no container 'worker'"],
    [
      'environment line without =',
      { ...td, 'environment-variables': 'PORT' },
      "input 'environment-variables' line 1: has no '='",
    ],
    ['secrets line without name', { ...td, secrets: '=arn:x' }, "input 'secrets' line 1: has no name before ="],
    [
      'environment name',
      { ...td, 'environment-variables': 'A=1\n\n1PORT=1' },
      "input 'environment-variables' line 3: does not start with a valid variable name",
    ],
    [
      'images line without a container name',
      { ...td, images: 'api=x\nmy api=y' },
      "input 'images' line 2: does not start with a container name",
    ],
    ['environment twice', { ...td, 'environment-variables': 'A=1\nA=2' }, "'A' is given twice"],
    [
      'environment-mode',
      { ...td, 'environment-mode': 'append' },
      "input 'environment-mode': is not one of the allowed values — use one of: merge, replace",
    ],
    ['secret without valueFrom', { ...td, secrets: 'DB_PASSWORD=' }, "'DB_PASSWORD' has no valueFrom"],
    [
      'a secret value where its reference belongs',
      {
        ...td,
        'container-name': 'api',
        image: 'a',
        secrets: 'A=arn:aws:ssm:eu-west-2:1:parameter/a\nDB_PASSWORD=p@ss w0rd!',
      },
      "input 'secrets' line 2 (DB_PASSWORD): is not a Parameter Store name, path or ARN, nor a Secrets Manager ARN (not shown",
    ],
    ['secret and variable', { ...td, secrets: 'A=arn:x', 'environment-variables': 'A=1' }, "'A' is in both"],
    ['secrets-mode', { ...td, 'secrets-mode': 'overwrite' }, "input 'secrets-mode': is not one of the allowed values"],
    [
      'environment needs container-name',
      { ...td, 'environment-variables': 'A=1' },
      'is needed to know which of the 2 containers to change',
    ],
    [
      'manifest without environment',
      { ...td, 'parameters-manifest': manifest },
      "input 'environment': is required with parameters-manifest",
    ],
    ['environment without manifest', { ...td, environment: 'production' }, 'only applies with parameters-manifest'],
    [
      'manifest unknown environment',
      { ...td, 'parameters-manifest': manifest, environment: 'qa', 'aws-region': 'eu-west-2' },
      "input 'environment': is not an environment of",
    ],
    [
      'manifest missing',
      { ...td, 'parameters-manifest': 'nope.yml', environment: 'production' },
      /input 'parameters-manifest': file '.*nope\.yml' does not exist/,
    ],
    [
      'manifest without region',
      { ...td, 'parameters-manifest': manifest, environment: 'production' },
      "input 'aws-region': is needed to build the SSM parameter ARNs",
    ],
    ['account id', { ...td, 'aws-account-id': '12345' }, "input 'aws-account-id': is not an AWS account ID"],
    ['region', { ...td, 'aws-region': 'London' }, "input 'aws-region': is not an AWS region code"],
    [
      'log options JSON',
      { ...td, 'container-name': 'api', image: 'a', 'log-configuration-options': '{"awslogs-group": ' },
      "input 'log-configuration-options': is not valid JSON",
    ],
    [
      'log driver',
      { ...td, 'container-name': 'api', image: 'a', 'log-configuration-log-driver': 'cloudwatch' },
      'logConfiguration.logDriver: is not a log driver',
    ],
    [
      'labels not strings',
      { ...td, 'container-name': 'api', 'docker-labels': '{"version": 2}' },
      "input 'docker-labels' key 'version': must be a string",
    ],
    ['command quote', { ...td, 'container-name': 'api', command: 'bin/rails "server' }, 'unterminated " quote'],
    ['command pipe', { ...td, 'container-name': 'api', command: 'rake db:migrate | tee log' }, "shell operator '|'"],
    ['cpu', { ...td, cpu: 'fast' }, "input 'cpu': is not a CPU size"],
    ['memory', { ...td, memory: 'lots' }, "input 'memory': is not a memory size"],
    ['Fargate size', { ...td, cpu: '256', memory: '4096' }, '4096 MiB is not allowed with cpu 256 on Fargate'],
    [
      'task role',
      { ...td, 'task-role-arn': 'api role' },
      "input 'task-role-arn': is neither an IAM role ARN nor a role name",
    ],
    [
      'execution role',
      { ...td, 'execution-role-arn': 'arn:aws:iam::123:role/x' },
      "input 'execution-role-arn': is neither an IAM role ARN nor a role name",
    ],
    ['reserved tag', { ...td, tags: 'aws:owner=me' }, "input 'tags': a tag key starts with aws:, which AWS reserves"],
    [
      'unknown-keys value',
      { ...td, 'unknown-keys': 'ignore' },
      "input 'unknown-keys': is not one of the allowed values",
    ],
    [
      'unknown keys as errors',
      { 'task-definition': 'typo.json', 'unknown-keys': 'error' },
      'keys the ECS API does not know (the SDK would drop them silently): containerDefinitions[0].imagee',
    ],
    [
      'file missing',
      { 'task-definition': 'missing.json' },
      /file 'missing\.json': file '.*missing\.json' does not exist/,
    ],
    ['file not JSON', { 'task-definition': 'broken.json' }, 'is not valid JSON'],
    ['file not YAML', { 'task-definition': 'broken.yml' }, 'is not valid YAML'],
    [
      'hostPort in file',
      { 'task-definition': 'hostport.json' },
      'hostPort: is 8080 but containerPort is 80; under awsvpc they must be equal',
    ],
    [
      'family not in ECS',
      { 'task-definition-family': 'missing-family' },
      "input 'task-definition-family': ECS cannot find the task definition 'missing-family'",
    ],
  ])('rejects %s', async (_name, inputs, message) => {
    const deps = fakeDeps();
    await expect(main(io(inputs), deps)).rejects.toThrow(message);
    expect(deps.files.size).toBe(0);
    expect(deps.calls.filter((c) => c.startsWith('sts'))).toEqual([]);
  });

  test('a multi-line value is refused without quoting any of its lines', async () => {
    const pem = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----';
    const error = await main(
      io({ ...td, 'container-name': 'api', 'environment-variables': `KEY=${pem}` }),
      fakeDeps(),
    ).catch((e: unknown) => e as Error);
    expect(error?.message).toContain("input 'environment-variables' line 2: has no '='");
    expect(error?.message).not.toMatch(/MIIEvQ|PRIVATE KEY/);
  });

  test('all input problems are reported at once', async () => {
    await expect(main(io({ ...td, cpu: 'x', memory: 'y', 'environment-mode': 'z' }), fakeDeps())).rejects.toThrow(
      /^3 problems:/,
    );
  });
});
