// The expression evaluator the contract test and the demo use to read our workflows, checked against the
// runner's documented rules (case-insensitive names and comparisons, loose equality, operand-returning
// && and ||, null for missing properties, implicit success() in if:).
import {
  condition,
  evaluate,
  interpolate,
  propertyPaths,
  tokenize,
  type EvaluationContext,
  type Value,
} from '../support/expressions';

const context: EvaluationContext = {
  contexts: {
    inputs: { image: '', environment: 'Production', 'wait-for-minutes': 15, 'role-to-assume': 'arn:role' },
    steps: {
      render: { outputs: { 'task-definition': '/tmp/td.json' } },
      build: { outputs: { image: 'r/i@sha256:1' } },
    },
    needs: { plan: { outputs: { services: '["frontend","api"]' }, result: 'success' } },
    vars: { AWS_DEPLOY_ROLE_ARN: 'arn:vars' },
    matrix: { service: 'api' },
  },
};

test.each<[string, Value]>([
  ["inputs.image == ''", true],
  ["inputs.environment == 'production'", true],
  ["inputs.ENVIRONMENT != 'PRODUCTION'", false],
  ['inputs.image || vars.AWS_DEPLOY_ROLE_ARN', 'arn:vars'],
  ["inputs['role-to-assume'] || vars.AWS_DEPLOY_ROLE_ARN", 'arn:role'],
  ['inputs.role-to-assume && inputs.environment', 'Production'],
  ['steps.build.outputs.image || inputs.image', 'r/i@sha256:1'],
  ['steps.missing.outputs.image || inputs.image', ''],
  ['steps.missing.outputs.image', null],
  ["inputs.image != '' && 'yes' || 'no'", 'no'],
  ['inputs.wait-for-minutes > 10', true],
  ["inputs.wait-for-minutes == '15'", true],
  ['!inputs.image', true],
  ["!(inputs.image == '')", false],
  ["format('deploy-{0}-{1}', matrix.service, inputs.environment)", 'deploy-api-Production'],
  ["contains(fromJSON(needs.plan.outputs.services), 'API')", true],
  ["startsWith(inputs.role-to-assume, 'ARN:')", true],
  ["endsWith('abc', 'C')", true],
  ["join(fromJSON(needs.plan.outputs.services), ' ')", 'frontend api'],
  ["'it''s'", "it's"],
  ['null == 0', true],
  ['true == 1', true],
  ["needs.plan.result == 'success'", true],
  ['fromJSON(needs.plan.outputs.services)[1]', 'api'],
])('%s', (expression, expected) => {
  expect(evaluate(expression, context)).toEqual(expected);
});

test.each([
  ['inputs.', /property name/],
  ["'open", /unterminated/],
  ['a ? b', /unexpected character/],
  ['inputs.*.x', /not supported/],
  ['hashFiles(x)', /not supported/],
  ['(a', /expected '\)'/],
])('rejects %s', (expression, message) => {
  expect(() => evaluate(expression, context)).toThrow(message);
});

test('interpolate renders values like the runner: null as empty, numbers as text', () => {
  expect(interpolate('${{ inputs.wait-for-minutes }}m ${{ steps.x.outputs.y }}|${{ inputs.image }}|', context)).toBe(
    '15m ||',
  );
  expect(interpolate('no expressions', context)).toBe('no expressions');
});

test.each<[string | boolean | undefined, 'success' | 'failure' | undefined, boolean]>([
  ["inputs.image == ''", undefined, true],
  ["inputs.image == ''", 'failure', false],
  ["${{ inputs.image == '' }}", undefined, true],
  ["${{ !cancelled() && needs.plan.result == 'success' }}", 'failure', true],
  ['always()', 'failure', true],
  [undefined, undefined, true],
  [undefined, 'failure', false],
  [false, undefined, false],
])('condition(%s) with status %s', (text, status, expected) => {
  expect(condition(text, status === undefined ? context : { ...context, status })).toBe(expected);
});

test('propertyPaths lists what an expression reads, not what its strings contain', () => {
  expect(propertyPaths("steps.render.outputs.task-definition || 'steps.fake.outputs.x'")).toEqual([
    ['steps', 'render', 'outputs', 'task-definition'],
  ]);
  expect(propertyPaths("needs.a.outputs.x && inputs['b'] == format('{0}', matrix.s)")).toEqual([
    ['needs', 'a', 'outputs', 'x'],
    ['inputs', 'b'],
    ['matrix', 's'],
  ]);
});

test('tokenize keeps hyphenated names whole and reads negative numbers', () => {
  expect(tokenize('inputs.role-to-assume == -1').map((t) => t.value)).toEqual([
    'inputs',
    '.',
    'role-to-assume',
    '==',
    -1,
  ]);
});
