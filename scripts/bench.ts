// `npm run bench`: one entry point that runs every benchmark file (packages/*/bench/*.bench.ts,
// actions/*/bench/*.bench.ts and scripts/bench/*.bench.ts, the bundles side by side with aws-actions') and prints
// its figures. A benchmark file exports `default async function()`
// returning rows of figures; nothing here asserts timings (machines are shared and noisy).
import { readdirSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

export interface Figure {
  readonly name: string;
  readonly value: number | string;
  readonly unit?: string;
  readonly note?: string;
}

const root = path.resolve(import.meta.dirname, '..');
const filter = process.argv[2];
const files: string[] = [];
const dirs = [path.join(root, 'scripts', 'bench')];
for (const top of ['packages', 'actions']) {
  for (const name of readdirSync(path.join(root, top))) dirs.push(path.join(root, top, name, 'bench'));
}
for (const dir of dirs) {
  if (!existsSync(dir)) continue;
  for (const f of readdirSync(dir).sort()) if (f.endsWith('.bench.ts')) files.push(path.join(dir, f));
}
let failed = false;
for (const file of files) {
  const label = path.relative(root, file);
  if (filter && !label.includes(filter)) continue;
  console.log(`\n== ${label}`);
  try {
    const mod = (await import(pathToFileURL(file).href)) as { default: () => Promise<Figure[]> };
    const figures = await mod.default();
    const width = Math.max(...figures.map((f) => f.name.length), 10);
    for (const f of figures) {
      const value =
        typeof f.value === 'number' ? (Number.isInteger(f.value) ? String(f.value) : f.value.toFixed(3)) : f.value;
      console.log(`  ${f.name.padEnd(width)}  ${value}${f.unit ? ` ${f.unit}` : ''}${f.note ? `   (${f.note})` : ''}`);
    }
  } catch (error) {
    failed = true;
    console.error(`  ✗ ${label} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  }
}
if (failed) process.exit(1);
