// Fails when a committed bundle differs from a fresh build, or when a bundle still contains an unresolved
// require (ncc exits 0 and leaves eval("require") when it cannot resolve an import).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
execFileSync(process.execPath, [path.join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
let failed = false;
for (const name of readdirSync(path.join(root, 'actions'))) {
  const bundle = path.join(root, 'actions', name, 'dist', 'index.js');
  if (!existsSync(bundle)) continue;
  const text = readFileSync(bundle, 'utf8');
  if (/eval\(["']require["']\)/.test(text)) {
    console.error(`✗ actions/${name}/dist/index.js contains eval("require"): an import was not resolved by ncc`);
    failed = true;
  }
}
const status = execFileSync('git', ['status', '--porcelain', '--', 'actions/*/dist'], { cwd: root, encoding: 'utf8' });
if (status.trim() !== '') {
  console.error('✗ dist differs from a fresh build; run `npm run build` and commit actions/*/dist:\n' + status);
  execFileSync('git', ['--no-pager', 'diff', '--stat', '--', 'actions/*/dist'], { cwd: root, stdio: 'inherit' });
  failed = true;
}
if (failed) process.exit(1);
console.log('✓ dist is up to date and every import is resolved');
