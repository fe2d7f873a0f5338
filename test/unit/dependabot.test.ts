// Dependabot covers every pin the README tells users to let a bot move: npm (each lockfile), the SHA-pinned
// actions of our workflows and example callers, and the nginx base image digest, which it can only see in a
// Dockerfile; every other copy of that digest must equal the Dockerfile's, so a Dependabot pull request
// that moves one shows here which files to update with it.
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { REPO_ROOT } from '@deploy-actions/testing';
import { exampleResolver } from '@deploy-actions/infra';
import { workflowFiles } from '../support/workflows';

interface Update {
  'package-ecosystem': string;
  directory?: string;
  directories?: string[];
}
const config = parseYaml(readFileSync(path.join(REPO_ROOT, '.github/dependabot.yml'), 'utf8')) as {
  version: number;
  updates: Update[];
};
const dirs = (ecosystem: string) =>
  config.updates
    .filter((u) => u['package-ecosystem'] === ecosystem)
    .flatMap((u) => u.directories ?? [u.directory ?? '']);

test('npm: every lockfile', () => {
  expect(config.version).toBe(2);
  for (const dir of dirs('npm'))
    expect([dir, existsSync(path.join(REPO_ROOT, dir, 'package-lock.json'))]).toEqual([dir, true]);
  expect(dirs('npm').sort()).toEqual(['/', '/scripts/demo/site']);
});

test('github-actions: every directory with workflows', () => {
  const expected = new Set(
    workflowFiles().map((f) => (f.startsWith('examples/') ? `/${f.split('/.github/')[0]}` : '/')),
  );
  expect(dirs('github-actions').sort()).toEqual([...expected].sort());
});

test('docker: the base image pin, equal wherever else it is written', () => {
  const [dir] = dirs('docker');
  const dockerfile = readFileSync(path.join(REPO_ROOT, dir ?? '', 'Dockerfile'), 'utf8');
  const pin = /^FROM (\S+@sha256:[0-9a-f]{64})$/m.exec(dockerfile)?.[1];
  expect(pin).toMatch(/^public\.ecr\.aws\/nginx\/nginx:/);
  const copies: [string, string][] = [
    [
      'actions/build-nginx-image/action.yml',
      readFileSync(path.join(REPO_ROOT, 'actions/build-nginx-image/action.yml'), 'utf8'),
    ],
    [
      'actions/build-nginx-image/src/options.ts',
      readFileSync(path.join(REPO_ROOT, 'actions/build-nginx-image/src/options.ts'), 'utf8'),
    ],
    [
      'actions/build-nginx-image/README.md',
      readFileSync(path.join(REPO_ROOT, 'actions/build-nginx-image/README.md'), 'utf8'),
    ],
    [
      'infra/platform.yml (SeedNginxImage)',
      String(exampleResolver(REPO_ROOT).template.Parameters['SeedNginxImage']?.Default),
    ],
  ];
  for (const [file, text] of copies) {
    const digests = [...text.matchAll(/public\.ecr\.aws\/nginx\/nginx:[a-z0-9.-]+@sha256:[0-9a-f]{64}/g)].map(
      (m) => m[0],
    );
    expect([file, digests.length > 0 && digests.every((d) => d === pin)]).toEqual([file, true]);
  }
});
