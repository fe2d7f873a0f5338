// Rebuilds every bundle and fails when a committed dist differs from the fresh build, or when a bundle breaks a
// rule of dist-rules.mjs (its size budget; an unresolved require, since ncc exits 0 and leaves eval("require");
// an undeclared external; browser-only code; two builds of one package). Prints each bundle's size and its five
// largest packages, so a growth is easy to explain.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { buildAll, describe } from './build.mjs';
import { problems } from './dist-rules.mjs';

const root = path.resolve(import.meta.dirname, '..');
// Every file under each dist/, committed or new (a bare 'actions/*/dist' pathspec matches no file inside).
const DIST = ':(glob)actions/*/dist/**';
let failed = false;
for (const build of await buildAll()) {
  console.log(describe(build));
  const dist = path.join(root, 'actions', build.name, 'dist');
  const texts = [build.code, ...build.chunks.map((c) => readFileSync(path.join(dist, c.file), 'utf8'))];
  for (const problem of problems(build, texts)) {
    console.error(`✗ actions/${build.name}: ${problem}`);
    failed = true;
  }
}
const status = execFileSync('git', ['status', '--porcelain', '--', DIST], { cwd: root, encoding: 'utf8' });
if (status.trim() !== '') {
  console.error('✗ dist differs from a fresh build; run `npm run build` and commit actions/*/dist:\n' + status);
  execFileSync('git', ['--no-pager', 'diff', '--stat', '--', DIST], { cwd: root, stdio: 'inherit' });
  failed = true;
}
if (failed) process.exit(1);
console.log('✓ dist is up to date, within budget, and every import is resolved');
