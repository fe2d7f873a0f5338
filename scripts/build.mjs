// Rebuilds every action's dist/ (or the ones named on the command line) with ncc, reproducibly:
// dist is emptied first so no stale file survives, and each bundle's size is printed.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const ncc = path.join(root, 'node_modules/@vercel/ncc/dist/ncc/cli.js');
const all = readdirSync(path.join(root, 'actions')).filter((n) => existsSync(path.join(root, 'actions', n, 'src/index.ts')));
const wanted = process.argv.slice(2);
for (const name of wanted) if (!all.includes(name)) throw new Error(`no action '${name}' (have: ${all.join(', ')})`);

for (const name of wanted.length ? wanted : all) {
  const dir = path.join(root, 'actions', name);
  const dist = path.join(dir, 'dist');
  rmSync(dist, { recursive: true, force: true });
  execFileSync(process.execPath, [ncc, 'build', 'src/index.ts', '-o', 'dist', '--minify', '--license', 'licenses.txt', '--quiet', '--target', 'es2022'], {
    cwd: dir,
    stdio: 'inherit',
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  // ncc writes this for ESM sources; written here too so the file is always there and always identical.
  writeFileSync(path.join(dist, 'package.json'), '{\n  "type": "module"\n}\n');
  const size = statSync(path.join(dist, 'index.js')).size;
  console.log(`${name}: dist/index.js ${(size / 1024).toFixed(1)} KiB`);
}
