import * as path from 'node:path';
import { REPO_ROOT, type MemoryIO } from '@deploy-actions/testing';
import { main } from '../../src/main';
import { ACCOUNT, fakeDeps, ioIn, makeWorkspace, platform, rendered } from './fixtures';

let workspace: string;
beforeAll(async () => {
  workspace = await makeWorkspace();
});
const io = (inputs: Record<string, string>, env: Record<string, string> = {}): MemoryIO => ioIn(workspace, inputs, env);

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
});
