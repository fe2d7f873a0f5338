import { closestName } from '@deploy-actions/core';
import { cleanTaskDefinition, READ_ONLY_FIELDS } from '@deploy-actions/taskdef';
import { platformTaskDefinition } from './fixtures';

const WHERE = "file 'td.json'";

/** Follows a path such as `containerDefinitions[0].portMappings[0].hostPort` through an object. */
function lookup(root: unknown, path: string): unknown {
  let node = root;
  for (const part of path.split(/\.|(?=\[)/)) {
    if (node === null || typeof node !== 'object') return undefined;
    const index = /^\[(\d+)\]$/.exec(part);
    node = index ? (node as unknown[])[Number(index[1])] : (node as Record<string, unknown>)[part];
  }
  return node;
}

describe('cleanTaskDefinition', () => {
  test('a clean definition comes back unchanged with nothing reported', () => {
    const td = platformTaskDefinition();
    const result = cleanTaskDefinition(td, WHERE);
    expect(result.taskDefinition).toEqual(td);
    expect(result).toMatchObject({ removed: [], unknown: [], coerced: [] });
  });

  test('the read-only describe fields are the ones the SDK schema derives', () => {
    expect([...READ_ONLY_FIELDS].sort()).toEqual(
      [
        'compatibilities',
        'deleteRequestedAt',
        'deregisteredAt',
        'registeredAt',
        'registeredBy',
        'requiresAttributes',
        'revision',
        'status',
        'taskDefinitionArn',
      ].sort(),
    );
  });

  test('strips every read-only field of a describe output', () => {
    const described = {
      ...platformTaskDefinition(),
      taskDefinitionArn: 'arn:aws:ecs:eu-west-2:123456789012:task-definition/learning-platform:7',
      revision: 7,
      status: 'ACTIVE',
      requiresAttributes: [{ name: 'com.amazonaws.ecs.capability.logging-driver.awslogs' }],
      compatibilities: ['EC2', 'FARGATE'],
      registeredAt: '2026-01-01T00:00:00Z',
      registeredBy: 'arn:aws:sts::123456789012:assumed-role/deploy/gh',
      deregisteredAt: '2026-02-01T00:00:00Z',
    };
    const result = cleanTaskDefinition(described, WHERE);
    expect(result.taskDefinition).toEqual(platformTaskDefinition());
    expect(result.removed.sort()).toEqual(
      [
        'compatibilities',
        'deregisteredAt',
        'registeredAt',
        'registeredBy',
        'requiresAttributes',
        'revision',
        'status',
        'taskDefinitionArn',
      ].sort(),
    );
  });

  test('unwraps {taskDefinition, tags} and keeps the tags', () => {
    const result = cleanTaskDefinition(
      { taskDefinition: { ...platformTaskDefinition(), revision: 3 }, tags: [{ key: 'team', value: 'web' }] },
      WHERE,
    );
    expect(result.taskDefinition.tags).toEqual([{ key: 'team', value: 'web' }]);
    expect(result.taskDefinition.family).toBe('learning-platform');
    expect(result.removed).toEqual(['revision']);
  });

  test.each([
    [{ imagee: 'x' }, 'containerDefinitions[0].imagee', "did you mean 'image'?"],
    [
      { portMappings: [{ containerPort: 80, hostport: 80 }] },
      'containerDefinitions[0].portMappings[0].hostport',
      "'hostPort'",
    ],
    [
      { logConfiguration: { logDriver: 'awslogs', option: {} } },
      'containerDefinitions[0].logConfiguration.option',
      "'options'",
    ],
    [
      { healthCheck: { command: ['CMD'], intervall: 5 } },
      'containerDefinitions[0].healthCheck.intervall',
      "'interval'",
    ],
    [{ xyzzyWobble: true }, 'containerDefinitions[0].xyzzyWobble', undefined],
  ])('reports and drops unknown key %j', (extra, path, hint) => {
    const td = platformTaskDefinition();
    const first = { ...td.containerDefinitions![0], ...extra };
    const result = cleanTaskDefinition({ ...td, containerDefinitions: [first, td.containerDefinitions![1]] }, WHERE);
    expect(result.unknown).toEqual([path]);
    if (hint) expect(result.unknownHints[0]).toContain(hint);
    else expect(result.unknownHints[0]).toBe(path);
    expect(lookup(result.taskDefinition, path)).toBeUndefined();
    expect(lookup(result.taskDefinition, 'containerDefinitions[0].name')).toBe('nginx');
  });

  test('unknown top-level keys', () => {
    const result = cleanTaskDefinition({ ...platformTaskDefinition(), familly: 'x', $schema: 'y' }, WHERE);
    expect(result.unknown).toEqual(['familly', '$schema']);
  });

  test('map keys (labels, log options) are free-form, not unknown', () => {
    const td = platformTaskDefinition();
    td.containerDefinitions![0]!.dockerLabels = { 'com.example.anything': 'x' };
    expect(cleanTaskDefinition(td, WHERE).unknown).toEqual([]);
  });

  test.each([
    ['cpu', 256, '256'],
    ['memory', 512, '512'],
  ])('coerces YAML number %s to the string the API expects', (field, given, expected) => {
    const result = cleanTaskDefinition({ ...platformTaskDefinition(), [field]: given }, WHERE);
    expect(result.taskDefinition[field as 'cpu']).toBe(expected);
    expect(result.coerced).toEqual([field]);
  });

  test('coerces numeric strings and boolean strings in containers', () => {
    const td = platformTaskDefinition();
    const c = { ...td.containerDefinitions![1], memory: '512', essential: 'true' };
    const result = cleanTaskDefinition({ ...td, containerDefinitions: [td.containerDefinitions![0], c] }, WHERE);
    expect(result.taskDefinition.containerDefinitions![1]).toMatchObject({ memory: 512, essential: true });
    expect(result.coerced.sort()).toEqual(['containerDefinitions[1].essential', 'containerDefinitions[1].memory']);
  });

  test('nulls are dropped quietly', () => {
    const result = cleanTaskDefinition({ ...platformTaskDefinition(), taskRoleArn: null }, WHERE);
    expect('taskRoleArn' in result.taskDefinition).toBe(false);
  });

  test.each([
    [[], 'is not a task definition (found a list)'],
    ['text', 'is not a task definition (found text)'],
    [null, 'is not a task definition (found null)'],
    [{ family: 'x', containerDefinitions: {} }, 'at containerDefinitions: must be a list, not an object'],
    [{ family: 'x', containerDefinitions: ['nginx'] }, 'at containerDefinitions[0]: must be an object, not text'],
    [
      { family: 'x', containerDefinitions: [{ memory: 'lots' }] },
      'containerDefinitions[0].memory: must be a number, not text',
    ],
    [
      { family: 'x', containerDefinitions: [{ essential: 'yes' }] },
      'containerDefinitions[0].essential: must be true or false',
    ],
    [{ family: ['x'] }, 'at family: must be a string, not a list'],
    [
      { family: 'x', containerDefinitions: [{ dockerLabels: ['a=b'] }] },
      'dockerLabels: must be an object of names to values',
    ],
  ])('wrong structure %j is an error naming the path', (input, message) => {
    expect(() => cleanTaskDefinition(input, WHERE)).toThrow(message);
  });

  test('all structure errors are reported together', () => {
    expect(() =>
      cleanTaskDefinition({ family: 1.5, containerDefinitions: [{ memory: 'a', cpu: 'b' }] }, WHERE),
    ).toThrow(/2 problems:[\s\S]*memory[\s\S]*cpu/);
  });
});

describe('closestName', () => {
  test.each([
    ['imagee', 'image'],
    ['enviroment', 'environment'],
    ['containerdefinitions', 'containerDefinitions'],
    ['qqqqqq', undefined],
  ])('%s → %s', (key, expected) => {
    expect(closestName(key, ['image', 'environment', 'containerDefinitions', 'name'])).toBe(expected);
  });
});
