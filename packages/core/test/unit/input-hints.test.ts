import { parseActionSpec, undeclaredInputs } from '../../src/action-spec';

const spec = parseActionSpec(
  'name: deploy-service\ninputs:\n  wait-for-minutes: {}\n  run-task-assign-public-ip: {}\n',
  'action.yml',
);

test('an undeclared input gets its hint instead of the closest name', () => {
  const errors = undeclaredInputs(
    spec,
    { 'INPUT_MAX-RETRIES': '5', 'INPUT_WAIT-FOR-MINUTE': '3' },
    {
      'max-retries': 'retries are built in; remove it',
    },
  );
  expect(errors.map((e) => e.message)).toEqual([
    "input 'max-retries': is not an input of deploy-service — retries are built in; remove it",
    "input 'wait-for-minute': is not an input of deploy-service — did you mean 'wait-for-minutes'?",
  ]);
});

test('names the runner upper-cases alike are one declared input; inherited object keys are no hints', () => {
  const env = { 'INPUT_RUN-TASK-ASSIGN-PUBLIC-IP': 'ENABLED', INPUT_CONSTRUCTOR: 'x' };
  const errors = undeclaredInputs(spec, env, {});
  expect(errors.map((e) => e.message)).toEqual([
    "input 'constructor': is not an input of deploy-service — its inputs are: wait-for-minutes, run-task-assign-public-ip",
  ]);
});
