// How the site layer is compressed, measured rather than guessed: on a generated site (BENCH_COMPRESSION_MIB,
// default 256 MiB, two thirds media), the tar + sha256 pass alone (what a re-push costs), then deterministic
// gzip at each level, with segments of several sizes and with several segments compressed at once (libuv's
// thread pool: the cores this machine has). Output goes nowhere, so disk speed does not count. Prints
// figures; asserts nothing.
import { availableParallelism, tmpdir } from 'node:os';
import { mkdtemp, rm } from 'node:fs/promises';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import {
  directoryEntries,
  GzipWriter,
  layerDiffId,
  NGINX_HTML_ROOT,
  tarPieces,
  type GzipRecipe,
} from '@deploy-actions/oci';
import type { Figure } from '../../../scripts/bench';
import { generateSite } from './site';

const MIB = 1024 * 1024;
const SITE_MIB = Number(process.env['BENCH_COMPRESSION_MIB'] ?? '256');

export default async function bench(): Promise<Figure[]> {
  const dir = await mkdtemp(path.join(process.env['RUNNER_TEMP'] ?? tmpdir(), 'bench-gzip-'));
  try {
    const site = await generateSite(dir, SITE_MIB * MIB);
    const { entries } = await directoryEntries(dir, { root: NGINX_HTML_ROOT, where: 'bench' });
    const mtime = 1714557600;
    const figures: Figure[] = [
      {
        name: 'site',
        value: site.bytes / MIB,
        unit: 'MiB',
        note: `${site.files} files, ${availableParallelism()} cores`,
      },
    ];
    const timed = async (
      run: () => Promise<number | undefined>,
    ): Promise<{ s: number; out: number | undefined; stallMs: number }> => {
      const loop = monitorEventLoopDelay({ resolution: 10 });
      loop.enable();
      const started = performance.now();
      const out = await run();
      const s = (performance.now() - started) / 1000;
      loop.disable();
      return { s, out, stallMs: loop.max / 1e6 };
    };
    const hashed = await timed(async () => {
      await layerDiffId(entries, mtime);
      return undefined;
    });
    figures.push({
      name: 'tar + sha256 only (diff_id)',
      value: site.bytes / MIB / hashed.s,
      unit: 'MiB/s',
      note: `${hashed.s.toFixed(1)} s, longest event-loop stall ${hashed.stallMs.toFixed(0)} ms`,
    });
    const gzip = async (recipe: GzipRecipe, concurrency: number): Promise<Figure> => {
      const r = await timed(async () => {
        const writer = new GzipWriter(async () => undefined, recipe, concurrency);
        await writer.start();
        for await (const piece of tarPieces(entries, { mtime })) await writer.add(piece);
        return (await writer.finish()).size;
      });
      return {
        name: `level ${recipe.level}${recipe.storeIncompressible ? ' + store' : ''}, ${recipe.segmentBytes / MIB} MiB segments, ${concurrency} at once`,
        value: site.bytes / MIB / r.s,
        unit: 'MiB/s',
        note: `${r.s.toFixed(1)} s, ${(r.out! / MIB).toFixed(1)} MiB (${((100 * r.out!) / site.bytes).toFixed(1)} %), stall ${r.stallMs.toFixed(0)} ms`,
      };
    };
    const plain = { segmentBytes: 4 * MIB, storeIncompressible: false };
    for (const level of [1, 3, 6, 9]) figures.push(await gzip({ ...plain, level }, 2));
    const store = { level: 6, segmentBytes: 4 * MIB, storeIncompressible: true };
    for (const segmentBytes of [1 * MIB, 4 * MIB, 16 * MIB]) figures.push(await gzip({ ...store, segmentBytes }, 2));
    for (const level of [1, 9]) figures.push(await gzip({ ...store, level }, 2));
    for (const concurrency of [1, 3, 4]) figures.push(await gzip(store, concurrency));
    return figures;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
