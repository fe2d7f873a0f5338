// Shared by render-task-def's unit tests: the platform's task definition, fake AWS calls, a workspace.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import { memoryIO, type MemoryIO } from '@deploy-actions/testing';
import type { RenderDeps } from '../../src/main';

export const ACCOUNT = '123456789012';

export function platform(): RegisterTaskDefinitionCommandInput {
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

export interface Fake extends RenderDeps {
  readonly calls: string[];
  readonly files: Map<string, string>;
}

export function fakeDeps(
  described: unknown = { taskDefinition: platform(), tags: [{ key: 'team', value: 'web' }] },
): Fake {
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

/** A workspace with the task definition files the tests read (valid, YAML, a typo, broken JSON and YAML). */
export async function makeWorkspace(): Promise<string> {
  const workspace = await mkdtemp(path.join(tmpdir(), 'render-unit-'));
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
  return workspace;
}

export function ioIn(workspace: string, inputs: Record<string, string>, env: Record<string, string> = {}): MemoryIO {
  return memoryIO(inputs, { GITHUB_WORKSPACE: workspace, RUNNER_TEMP: '/runner/temp', ...env });
}

export async function rendered(deps: Fake): Promise<RegisterTaskDefinitionCommandInput> {
  const [text] = [...deps.files.values()];
  return JSON.parse(text ?? 'null') as RegisterTaskDefinitionCommandInput;
}
