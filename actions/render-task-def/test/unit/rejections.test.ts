// Bad inputs and files, each rejected with a message naming the problem, before any AWS call or file write.
import * as path from 'node:path';
import { REPO_ROOT, type MemoryIO } from '@deploy-actions/testing';
import { main } from '../../src/main';
import { fakeDeps, ioIn, makeWorkspace } from './fixtures';

let workspace: string;
beforeAll(async () => {
  workspace = await makeWorkspace();
});
const io = (inputs: Record<string, string>, env: Record<string, string> = {}): MemoryIO => ioIn(workspace, inputs, env);

describe('render-task-def rejects', () => {
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
