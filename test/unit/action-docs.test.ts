// Every action's README documents exactly the inputs and outputs its action.yml declares, and every action.yml
// runs its committed bundle on node24.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from '@deploy-actions/testing';

interface ActionYml {
  name?: string;
  description?: string;
  inputs?: Record<string, { description?: string; required?: boolean; default?: string }>;
  outputs?: Record<string, { description?: string }>;
  runs?: { using?: string; main?: string };
}

const actionsDir = path.join(REPO_ROOT, 'actions');
const actions = readdirSync(actionsDir).filter((name) => existsSync(path.join(actionsDir, name, 'action.yml')));

/** Names in backticks in the first column of the table that follows `## <heading>`. */
export function documentedNames(readme: string, heading: string): string[] {
  const section = readme
    .split(/^## /m)
    .find((part) => part.startsWith(`${heading}\n`) || part.startsWith(`${heading} `));
  if (section === undefined) return [];
  const names: string[] = [];
  for (const line of section.split('\n')) {
    const match = /^\|\s*`([^`]+)`\s*\|/.exec(line);
    if (match?.[1] !== undefined) names.push(match[1]);
  }
  return names;
}

test('there are actions to check', () => {
  expect(actions.length).toBeGreaterThan(0);
});

describe.each(actions)('actions/%s', (name) => {
  const yml = parse(readFileSync(path.join(actionsDir, name, 'action.yml'), 'utf8')) as ActionYml;
  const readmePath = path.join(actionsDir, name, 'README.md');

  test('runs its bundle on node24', () => {
    expect(yml.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
    expect(existsSync(path.join(actionsDir, name, 'dist', 'index.js'))).toBe(true);
    expect(JSON.parse(readFileSync(path.join(actionsDir, name, 'dist', 'package.json'), 'utf8'))).toEqual({
      type: 'module',
    });
  });

  test('every input and output has a description', () => {
    for (const [key, spec] of Object.entries({ ...yml.inputs, ...yml.outputs })) {
      expect([key, typeof spec.description === 'string' && spec.description.trim() !== '']).toEqual([key, true]);
    }
  });

  test('README documents exactly the inputs of action.yml', () => {
    const readme = readFileSync(readmePath, 'utf8');
    expect(documentedNames(readme, 'Inputs').sort()).toEqual(Object.keys(yml.inputs ?? {}).sort());
  });

  test('README documents exactly the outputs of action.yml', () => {
    const readme = readFileSync(readmePath, 'utf8');
    expect(documentedNames(readme, 'Outputs').sort()).toEqual(Object.keys(yml.outputs ?? {}).sort());
  });
});

test('documentedNames reads only the named section', () => {
  const readme = '## Inputs\n| name | x |\n|---|---|\n| `a` | 1 |\n| `b` | 2 |\n\n## Outputs\n| `c` | 3 |\n';
  expect(documentedNames(readme, 'Inputs')).toEqual(['a', 'b']);
  expect(documentedNames(readme, 'Outputs')).toEqual(['c']);
  expect(documentedNames(readme, 'Missing')).toEqual([]);
});
