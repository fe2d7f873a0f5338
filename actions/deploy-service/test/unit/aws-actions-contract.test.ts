// Every input and output of aws-actions/amazon-ecs-deploy-task-definition v2.6.3 (names from its action.yml,
// commit c465972: https://github.com/aws-actions/amazon-ecs-deploy-task-definition/blob/v2.6.3/action.yml) is
// one of ours (the runner upper-cases names, so case does not matter) or refused with what to use instead,
// and the root README's "Switching from aws-actions" table says what ours does with each.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { inputVariable } from '@deploy-actions/core';
import { REPO_ROOT } from '@deploy-actions/testing';
import { AWS_ACTIONS_INPUTS } from '../../src/aws-actions';

const THEIR_INPUTS = [
  'task-definition',
  'desired-count',
  'service',
  'cluster',
  'wait-for-service-stability',
  'wait-for-minutes',
  'wait-max-delay-seconds',
  'codedeploy-appspec',
  'codedeploy-application',
  'codedeploy-deployment-group',
  'codedeploy-deployment-description',
  'codedeploy-deployment-config',
  'force-new-deployment',
  'service-managed-ebs-volume-name',
  'service-managed-ebs-volume',
  'run-task',
  'run-task-container-overrides',
  'run-task-security-groups',
  'run-task-subnets',
  'run-task-assign-public-IP',
  'run-task-capacity-provider-strategy',
  'run-task-launch-type',
  'run-task-started-by',
  'run-task-tags',
  'run-task-managed-ebs-volume-name',
  'run-task-managed-ebs-volume',
  'wait-for-task-stopped',
  'enable-ecs-managed-tags',
  'propagate-tags',
  'keep-null-value-keys',
  'max-retries',
];
const THEIR_OUTPUTS = ['task-definition-arn', 'codedeploy-deployment-id', 'run-task-arn'];

const ours = parse(readFileSync(path.join(REPO_ROOT, 'actions/deploy-service/action.yml'), 'utf8')) as {
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
};
const declared = new Set(Object.keys(ours.inputs).map(inputVariable));
const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
const table = readme.slice(readme.indexOf('→ `deploy-service`'), readme.indexOf('## Documentation'));

test.each(THEIR_INPUTS)('their input %s is ours or refused with a hint, and the README says which', (name) => {
  const isOurs = declared.has(inputVariable(name));
  const hint = Object.hasOwn(AWS_ACTIONS_INPUTS, name.toLowerCase());
  expect([name, isOurs !== hint]).toEqual([name, true]);
  expect(table).toMatch(new RegExp(`^\\| \`${name}\` \\| \\S`, 'm'));
});

test.each(THEIR_OUTPUTS)('their output %s is in the README table', (name) => {
  expect(table).toMatch(new RegExp(`^\\| output \`${name}\` \\| \\S`, 'm'));
});

test('every hint is for a name of theirs (or render-task-def’s) that ours does not declare', () => {
  for (const name of Object.keys(AWS_ACTIONS_INPUTS)) {
    expect([name, declared.has(inputVariable(name))]).toEqual([name, false]);
  }
});
