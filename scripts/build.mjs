// Rebuilds every action's dist/ (or the ones named on the command line) with ncc, reproducibly: dist is emptied
// first so no stale file survives, and each bundle's size and largest packages are printed.
// The ncc settings that are not defaults, each with its reason, are in build-config.mjs.
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { EXTERNALS, MAIN_FIELDS } from './build-config.mjs';
import { packageSizes } from './bundle-stats.mjs';

const root = path.resolve(import.meta.dirname, '..');
const ncc = createRequire(import.meta.url)(path.join(root, 'node_modules/@vercel/ncc'));

const SOURCE_MAP_COMMENT = '\n//# sourceMappingURL=index.js.map';

export const actionNames = () =>
  readdirSync(path.join(root, 'actions')).filter((n) => existsSync(path.join(root, 'actions', n, 'src/index.ts')));

/**
 * Builds one action into actions/<name>/dist: index.js, its lazily loaded chunks, licenses.txt, package.json.
 * The source map is asked for only to attribute bytes to packages; it is not written (the code without its
 * trailing sourceMappingURL comment is byte-for-byte the build without a map).
 */
export async function buildAction(name) {
  const dir = path.join(root, 'actions', name);
  const dist = path.join(dir, 'dist');
  const cwd = process.cwd();
  process.chdir(dir); // ncc resolves the tsconfig and the license base from the working directory
  let result;
  try {
    result = await ncc(path.join(dir, 'src/index.ts'), {
      minify: true,
      license: 'licenses.txt',
      quiet: true,
      target: 'es2022',
      sourceMap: true,
      sourceMapRegister: false,
      mainFields: MAIN_FIELDS,
      externals: EXTERNALS,
    });
  } finally {
    process.chdir(cwd);
  }
  if (!result.code.endsWith(SOURCE_MAP_COMMENT)) throw new Error(`${name}: ncc output does not end with its map comment`);
  const code = result.code.slice(0, -SOURCE_MAP_COMMENT.length);
  rmSync(dist, { recursive: true, force: true });
  mkdirSync(dist, { recursive: true });
  writeFileSync(path.join(dist, 'index.js'), code);
  const chunks = [];
  const chunkSources = [];
  for (const [file, asset] of Object.entries(result.assets)) {
    if (file.endsWith('.js.map')) chunkSources.push(...JSON.parse(asset.source.toString()).sources);
    if (file.endsWith('.map') || file === 'package.json') continue;
    const text = asset.source.toString().replace(/\n\/\/# sourceMappingURL=\S+\.map$/, '');
    writeFileSync(path.join(dist, file), text);
    if (file.endsWith('.js')) chunks.push({ file, bytes: Buffer.byteLength(text) });
  }
  // ncc writes this for ESM sources; written here so it is always there and always identical.
  writeFileSync(path.join(dist, 'package.json'), '{\n  "type": "module"\n}\n');
  const map = typeof result.map === 'string' ? JSON.parse(result.map) : result.map;
  return {
    name,
    bytes: Buffer.byteLength(code),
    packages: packageSizes(code, map, `actions/${name}`),
    /** Every source file in index.js and in the chunks, as the maps name them. */
    sources: [...map.sources, ...chunkSources],
    chunks: chunks.sort((a, b) => a.file.localeCompare(b.file)),
    code,
  };
}

export function describe(build, top = 5) {
  const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
  const chunkBytes = build.chunks.reduce((sum, c) => sum + c.bytes, 0);
  const lines = [
    `${build.name}: dist/index.js ${kib(build.bytes)}` +
      (build.chunks.length ? ` (+ ${build.chunks.length} chunks loaded on demand, ${kib(chunkBytes)})` : ''),
  ];
  for (const p of build.packages.slice(0, top)) lines.push(`    ${kib(p.bytes).padStart(10)}  ${p.name}`);
  return lines.join('\n');
}

export async function buildAll(wanted = []) {
  const all = actionNames();
  for (const name of wanted) if (!all.includes(name)) throw new Error(`no action '${name}' (have: ${all.join(', ')})`);
  const builds = [];
  // One at a time: ncc's webpack is memory-hungry and the machines are small.
  for (const name of wanted.length ? wanted : all) builds.push(await buildAction(name));
  return builds;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const build of await buildAll(process.argv.slice(2))) console.log(describe(build));
}
