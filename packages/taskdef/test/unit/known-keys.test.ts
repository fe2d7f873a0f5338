import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ECS_SDK_VERSION } from '@deploy-actions/taskdef';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const generator = path.join(root, 'packages/taskdef/src/known-keys.generate.ts');
const generated = path.join(root, 'packages/taskdef/src/known-keys.generated.ts');

describe('known keys follow the installed @aws-sdk/client-ecs', () => {
  test('the committed file names the installed SDK version', () => {
    const pkg = JSON.parse(readFileSync(path.join(root, 'node_modules/@aws-sdk/client-ecs/package.json'), 'utf8')) as {
      version: string;
    };
    expect(ECS_SDK_VERSION).toBe(pkg.version);
  });

  test('regenerating gives the committed file (run the generator after an SDK upgrade)', () => {
    const text = execFileSync(path.join(root, 'node_modules/.bin/tsx'), [generator, '--print'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    expect(text).toBe(readFileSync(generated, 'utf8'));
    // A child process (tsx + prettier): about a second, more on a busy shared machine.
  }, 60000);
});
