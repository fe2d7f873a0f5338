import { diffTaskDefinitions, renderTaskDefinition, type RenderOptions } from '@deploy-actions/taskdef';
import { platformTaskDefinition } from './fixtures';

const api = (options: RenderOptions) =>
  renderTaskDefinition(platformTaskDefinition(), options).containerDefinitions![1]!;

describe('renderTaskDefinition', () => {
  test('empty options render the definition unchanged and do not touch the input', () => {
    const source = platformTaskDefinition();
    const rendered = renderTaskDefinition(source, {});
    expect(rendered).toEqual(platformTaskDefinition());
    expect(rendered).not.toBe(source);
    expect(diffTaskDefinitions(source, rendered)).toEqual([]);
  });

  test('different images for several containers in one step', () => {
    const source = platformTaskDefinition();
    const rendered = renderTaskDefinition(source, { images: { nginx: 'repo/web@sha256:abc', api: 'repo/api:2' } });
    expect(rendered.containerDefinitions!.map((c) => c.image)).toEqual(['repo/web@sha256:abc', 'repo/api:2']);
    expect(diffTaskDefinitions(source, rendered)).toEqual([
      { container: 'nginx', field: 'image', action: 'changed', before: 'nginx:1.27', after: 'repo/web@sha256:abc' },
      { container: 'api', field: 'image', action: 'changed', before: 'busybox:latest', after: 'repo/api:2' },
    ]);
    expect(source.containerDefinitions![0]!.image).toBe('nginx:1.27');
  });

  test.each<[string, RenderOptions, Partial<Record<string, string>>]>([
    [
      'merge overrides and adds',
      {
        environment: {
          mode: 'merge',
          values: [
            { name: 'PORT', value: '8080' },
            { name: 'NEW', value: 'a=b=c' },
          ],
        },
      },
      { RAILS_ENV: 'production', PORT: '8080', NEW: 'a=b=c' },
    ],
    [
      'replace removes what is not given',
      { environment: { mode: 'replace', values: [{ name: 'ONLY', value: '1' }] } },
      { ONLY: '1' },
    ],
    ['replace with nothing empties', { environment: { mode: 'replace', values: [] } }, {}],
  ])('environment: %s', (_name, options, expected) => {
    const env = Object.fromEntries(
      (api({ containers: ['api'], ...options }).environment ?? []).map((e): [string, string | undefined] => [
        e.name ?? '',
        e.value,
      ]),
    );
    expect(env).toEqual(expected);
  });

  test.each<[string, RenderOptions, Record<string, string>]>([
    [
      'merge',
      { secrets: { mode: 'merge', values: [{ name: 'DB_PASSWORD', value: 'arn:aws:ssm:eu-west-2:1:parameter/x' }] } },
      {
        RAILS_MASTER_KEY: 'arn:aws:ssm:eu-west-2:123456789012:parameter/lp/RAILS_MASTER_KEY',
        DB_PASSWORD: 'arn:aws:ssm:eu-west-2:1:parameter/x',
      },
    ],
    ['replace', { secrets: { mode: 'replace', values: [{ name: 'A', value: 'arn:a' }] } }, { A: 'arn:a' }],
  ])('secrets: %s', (_name, options, expected) => {
    const secrets = Object.fromEntries(
      (api({ containers: ['api'], ...options }).secrets ?? []).map((s): [string, string | undefined] => [
        s.name ?? '',
        s.valueFrom,
      ]),
    );
    expect(secrets).toEqual(expected);
  });

  test('changes list names of variables, never values', () => {
    const source = platformTaskDefinition();
    const rendered = renderTaskDefinition(source, {
      containers: ['api'],
      environment: {
        mode: 'replace',
        values: [
          { name: 'PORT', value: 'hunter2-secret' },
          { name: 'NEW', value: 's3cret' },
        ],
      },
    });
    const changes = diffTaskDefinitions(source, rendered);
    expect(changes).toEqual([
      { container: 'api', field: 'environment', action: 'changed', name: 'PORT' },
      { container: 'api', field: 'environment', action: 'added', name: 'NEW' },
      { container: 'api', field: 'environment', action: 'removed', name: 'RAILS_ENV' },
    ]);
    expect(JSON.stringify(changes)).not.toMatch(/hunter2|s3cret/);
  });

  test('the only container is the default target', () => {
    const source = platformTaskDefinition();
    source.containerDefinitions = [source.containerDefinitions![1]!];
    const rendered = renderTaskDefinition(source, { command: ['bin/rails', 'server'] });
    expect(rendered.containerDefinitions![0]!.command).toEqual(['bin/rails', 'server']);
  });

  test('awslogs defaults: group per family, stream prefix, region', () => {
    const c = renderTaskDefinition(platformTaskDefinition(), {
      containers: ['nginx'],
      logDriver: 'awslogs',
      region: 'eu-west-2',
    }).containerDefinitions![0]!;
    expect(c.logConfiguration).toEqual({
      logDriver: 'awslogs',
      options: {
        'awslogs-group': '/ecs/learning-platform',
        'awslogs-stream-prefix': 'ecs',
        'awslogs-region': 'eu-west-2',
      },
    });
  });

  test('log options merge into the same driver and may contain =', () => {
    const c = api({
      containers: ['api'],
      logOptions: { 'awslogs-datetime-format': '%Y=%m', 'awslogs-group': '/custom' },
    });
    expect(c.logConfiguration?.options).toEqual({
      'awslogs-group': '/custom',
      'awslogs-region': 'eu-west-2',
      'awslogs-stream-prefix': 'ecs',
      'awslogs-datetime-format': '%Y=%m',
    });
  });

  test('a new log driver starts from its own options', () => {
    const c = api({ containers: ['api'], logDriver: 'splunk', logOptions: { 'splunk-url': 'https://s' } });
    expect(c.logConfiguration).toEqual({ logDriver: 'splunk', options: { 'splunk-url': 'https://s' } });
  });

  test('labels merge, command replaces, task fields and tags are set', () => {
    const source = platformTaskDefinition();
    source.tags = [{ key: 'team', value: 'web' }];
    const rendered = renderTaskDefinition(source, {
      containers: ['api'],
      dockerLabels: { 'com.example.sha': 'abc' },
      command: ['bin/rails', 'server'],
      cpu: '1024',
      memory: '2048',
      taskRoleArn: 'arn:aws:iam::123456789012:role/api',
      executionRoleArn: 'arn:aws:iam::123456789012:role/exec',
      tags: { team: 'platform', env: 'production' },
    });
    expect(rendered.containerDefinitions![1]).toMatchObject({
      dockerLabels: { 'com.example.sha': 'abc' },
      command: ['bin/rails', 'server'],
    });
    expect(rendered).toMatchObject({ cpu: '1024', memory: '2048', taskRoleArn: 'arn:aws:iam::123456789012:role/api' });
    expect(rendered.tags).toEqual([
      { key: 'team', value: 'platform' },
      { key: 'env', value: 'production' },
    ]);
    expect(
      diffTaskDefinitions(source, rendered).map(
        (c) => `${c.container ?? '-'} ${c.field} ${c.action} ${c.name ?? c.after ?? ''}`,
      ),
    ).toEqual([
      '- cpu changed 1024',
      '- memory changed 2048',
      '- taskRoleArn added arn:aws:iam::123456789012:role/api',
      '- executionRoleArn changed arn:aws:iam::123456789012:role/exec',
      '- tags changed team',
      '- tags added env',
      'api dockerLabels added com.example.sha',
      'api command added ',
    ]);
  });

  test('manifest secrets go to their container and replace a plain variable of the same name', () => {
    const source = platformTaskDefinition();
    source.containerDefinitions![1]!.environment!.push({ name: 'POSTGRES_HOST', value: 'db.internal' });
    const rendered = renderTaskDefinition(source, {
      manifestSecrets: [
        {
          container: 'api',
          name: 'POSTGRES_HOST',
          valueFrom: 'arn:aws:ssm:eu-west-2:123456789012:parameter/lp/production/POSTGRES_HOST',
        },
        {
          container: 'api',
          name: 'RAILS_MASTER_KEY',
          valueFrom: 'arn:aws:ssm:eu-west-2:123456789012:parameter/lp/production/RAILS_MASTER_KEY',
        },
      ],
    });
    const c = rendered.containerDefinitions![1]!;
    expect(c.secrets).toEqual([
      {
        name: 'RAILS_MASTER_KEY',
        valueFrom: 'arn:aws:ssm:eu-west-2:123456789012:parameter/lp/production/RAILS_MASTER_KEY',
      },
      { name: 'POSTGRES_HOST', valueFrom: 'arn:aws:ssm:eu-west-2:123456789012:parameter/lp/production/POSTGRES_HOST' },
    ]);
    expect(c.environment!.map((e) => e.name)).toEqual(['RAILS_ENV', 'PORT']);
    expect(diffTaskDefinitions(source, rendered)).toEqual([
      { container: 'api', field: 'environment', action: 'removed', name: 'POSTGRES_HOST' },
      { container: 'api', field: 'secrets', action: 'changed', name: 'RAILS_MASTER_KEY' },
      { container: 'api', field: 'secrets', action: 'added', name: 'POSTGRES_HOST' },
    ]);
  });

  test.each<[string, RenderOptions, string]>([
    [
      'unknown image container',
      { images: { web: 'x' } },
      "the images by container: there is no container 'web' in the task definition — the containers are: nginx, api",
    ],
    [
      'unknown target',
      { containers: ['worker'], command: ['x'] },
      "the containers to change: there is no container 'worker'",
    ],
    [
      'no target among two',
      { environment: { mode: 'merge', values: [] } },
      'the containers to change: is needed to know which of the 2 containers to change — use one of: nginx, api',
    ],
    [
      'manifest container missing',
      {
        manifestSecrets: ['A', 'B', 'C', 'D'].map((name) => ({ container: 'rails', name, valueFrom: `arn:${name}` })),
      },
      "the parameters manifest: there is no container 'rails' in the task definition, but the manifest puts 4 parameter(s) there (A, B, C, …) — the containers are: nginx, api; fix 'container' in the manifest",
    ],
  ])('%s', (_name, options, message) => {
    expect(() => renderTaskDefinition(platformTaskDefinition(), options)).toThrow(message);
    // One message per problem, not one per parameter.
    expect(() => renderTaskDefinition(platformTaskDefinition(), options)).not.toThrow(/problems:/);
  });

  test("messages name the caller's inputs, given as labels, and no other action's", () => {
    const labels = {
      containers: "input 'run-task-container'",
      image: "input 'img'",
      images: "input 'imgs'",
      manifestSecrets: "input 'params'",
    };
    const render = (options: RenderOptions) => () => renderTaskDefinition(platformTaskDefinition(), options, labels);
    expect(render({ containers: ['worker'], image: 'x' })).toThrow("input 'run-task-container': there is no container");
    expect(render({ images: { web: 'x' } })).toThrow("input 'imgs': there is no container 'web'");
    expect(render({ containers: ['api'], image: 'a', images: { api: 'b' } })).toThrow(
      "input 'img' and input 'imgs': both give container 'api' an image",
    );
    expect(render({ manifestSecrets: [{ container: 'rails', name: 'A', valueFrom: 'arn:a' }] })).toThrow(
      "input 'params': there is no container 'rails'",
    );
    expect(render({ images: { web: 'x' } })).not.toThrow(/container-name|parameters-manifest/);
  });
});
