// JSON inputs for parts of ECS requests, checked against the SDK's own shapes; and keep-null-value-keys.
import { ConfigErrors } from '@deploy-actions/core';
import {
  CONTAINER_OVERRIDE,
  SERVICE_MANAGED_EBS_VOLUME,
  TAG,
  checkApiShape,
  cleanTaskDefinition,
} from '@deploy-actions/taskdef';

const WHERE = "input 'run-task-container-overrides'";
const problems = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigErrors) return error.errors.map((e) => e.message);
    throw error;
  }
  return [];
};

test('a container override of every field ECS takes comes back as given (numbers from text converted)', () => {
  const override = {
    name: 'api',
    command: ['bin/rails', 'db:migrate'],
    environment: [{ name: 'RAILS_ENV', value: '' }],
    environmentFiles: [{ value: 'arn:aws:s3:::bucket/app.env', type: 's3' }],
    cpu: '256',
    memory: 512,
    memoryReservation: 256,
    resourceRequirements: [{ type: 'GPU', value: '1' }],
  };
  expect(checkApiShape([override], { list: CONTAINER_OVERRIDE }, WHERE)).toEqual([{ ...override, cpu: 256 }]);
});

test.each([
  [
    'an unknown key, with the closest known one',
    [{ name: 'api', commmand: ['x'] }],
    [`${WHERE} at [0].commmand: is not a field ECS knows — did you mean 'command'?`],
  ],
  [
    'a command as text instead of a list',
    [{ name: 'api', command: 'bin/rails db:migrate' }],
    [`${WHERE} at [0].command: must be a list, not text — write it as a list: [...]`],
  ],
  [
    'an object where the list belongs (names the shape, never the value)',
    { name: 'api' },
    [`${WHERE}: must be a list, not an object — write it as a list: [{"name": ...}]`],
  ],
])('refused: %s', (_name, value, expected) => {
  expect(problems(() => checkApiShape(value, { list: CONTAINER_OVERRIDE }, WHERE))).toEqual(expected);
});

test('every problem at once, across tags and a volume', () => {
  expect(problems(() => checkApiShape([{ key: 'a', valu: 'b' }, 'x'], { list: TAG }, "input 'run-task-tags'"))).toEqual(
    [
      "input 'run-task-tags' at [0].valu: is not a field ECS knows — did you mean 'value'?",
      'input \'run-task-tags\' at [1]: must be an object, not text — write it as an object: {"key": ..., "value": ...}',
    ],
  );
  expect(problems(() => checkApiShape({ roleArn: 'r', sizeInGiB: 'big' }, SERVICE_MANAGED_EBS_VOLUME, 'v'))).toEqual([
    'v at sizeInGiB: must be a number, not text',
  ]);
});

test('keep-null-value-keys: "" of the named keys is kept, others are still "not set"', () => {
  const td = {
    family: 'f',
    taskRoleArn: '',
    containerDefinitions: [{ name: 'c', image: 'i', user: '', workingDirectory: '', command: [] }],
  };
  const kept = cleanTaskDefinition(td, 'td', { keepEmpty: new Set(['user']) });
  expect(kept.taskDefinition).toEqual({
    family: 'f',
    containerDefinitions: [{ name: 'c', image: 'i', user: '', command: [] }],
  });
  expect(kept.emptied).toEqual(['taskRoleArn', 'containerDefinitions[0].workingDirectory']);
});
