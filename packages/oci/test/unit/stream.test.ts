// The streamed layer build: tar pieces read from disk, segmented deterministic gzip, layer files and the
// in-memory path giving the very same bytes, whatever the number of segments compressed at once.
import { createCipheriv } from 'node:crypto';
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  buildLayer,
  buildLayers,
  createTar,
  DEFAULT_GZIP,
  fileSource,
  gunzip,
  GzipWriter,
  gzipPiecesSync,
  layerDiffId,
  readTar,
  recipeId,
  Segmenter,
  sha256,
  TAR_PIECE,
  tarPieces,
  tarPiecesSync,
  type GzipRecipe,
  type TarEntry,
} from '../../src';

const KIB = 1024;
// Small segments, so a few hundred KiB already make many of them.
const SMALL: GzipRecipe = { level: 6, segmentBytes: 96 * KIB, storeIncompressible: true };

const random = (size: number, seed = 1): Buffer =>
  createCipheriv('aes-128-ctr', Buffer.alloc(16, seed), Buffer.alloc(16, 2)).update(Buffer.alloc(size));
const text = (size: number): Buffer =>
  Buffer.from('const answer = compute(42); '.repeat(Math.ceil(size / 28))).subarray(0, size);

let dir: string;
let entries: TarEntry[];

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'oci-stream-'));
  const files: [string, Buffer][] = [
    ['a/photo.webp', random(300 * KIB)],
    ['a/app.js', text(250 * KIB)],
    ['b/big.bin', random(TAR_PIECE + 5000, 3)], // more than one piece
    ['b/small.css', text(300)],
    ['b/empty.txt', Buffer.alloc(0)],
    ['c/font.woff2', random(70 * KIB, 4)],
  ];
  entries = [{ type: 'dir', path: 'usr/share/nginx/html' }];
  for (const [name, content] of files) {
    const file = path.join(dir, name.replace('/', '-'));
    await writeFile(file, content);
    entries.push({ type: 'file', path: `usr/share/nginx/html/${name}`, content: { file, size: content.length } });
  }
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The same entries with their contents in memory. */
async function inMemory(list: readonly TarEntry[]): Promise<TarEntry[]> {
  return Promise.all(
    list.map(async (e) =>
      e.type === 'file' && !Buffer.isBuffer(e.content) ? { ...e, content: await readFile(e.content.file) } : e,
    ),
  );
}

async function streamed(list: readonly TarEntry[], recipe: GzipRecipe, concurrency: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const writer = new GzipWriter(async (d) => void chunks.push(Buffer.from(d)), recipe, concurrency);
  await writer.start();
  for await (const piece of tarPieces(list, { mtime: 7 })) await writer.add(piece);
  const result = await writer.finish();
  const blob = Buffer.concat(chunks);
  expect([result.digest, result.size]).toEqual([sha256(blob), blob.length]);
  return blob;
}

test('tar pieces read from disk are the bytes createTar makes from memory, file content cut at 1 MiB', async () => {
  const memory = await inMemory(entries);
  const pieces: Buffer[] = [];
  for await (const p of tarPieces(entries, { mtime: 7 })) {
    if (p.kind === 'content') expect(p.data.length).toBeLessThanOrEqual(TAR_PIECE);
    pieces.push(p.data);
  }
  expect(Buffer.concat(pieces).equals(createTar(memory, { mtime: 7 }))).toBe(true);
  expect([...tarPiecesSync(memory, { mtime: 7 })].map((p) => [p.kind, p.data.length])).toEqual(
    (await collect(entries)).map((p) => [p.kind, p.data.length]),
  );
  expect(await layerDiffId(entries, 7)).toBe(sha256(createTar(memory, { mtime: 7 })));
});

async function collect(list: readonly TarEntry[]): Promise<{ kind: string; data: Buffer }[]> {
  const out: { kind: string; data: Buffer }[] = [];
  for await (const p of tarPieces(list, { mtime: 7 })) out.push(p);
  return out;
}

test.each([1, 2, 5])('streamed gzip with %i segment(s) at once = the in-memory bytes', async (concurrency) => {
  const memory = await inMemory(entries);
  const expected = gzipPiecesSync(tarPiecesSync(memory, { mtime: 7 }), SMALL);
  const blob = await streamed(entries, SMALL, concurrency);
  expect(sha256(blob)).toBe(sha256(expected));
  expect(gunzip(blob).equals(createTar(memory, { mtime: 7 }))).toBe(true);
  expect([...blob.subarray(0, 10)]).toEqual([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
});

test('incompressible content is stored, compressible content deflated; both read back', async () => {
  const stored = await streamed(entries, SMALL, 2);
  const deflatedAll = await streamed(entries, { ...SMALL, storeIncompressible: false }, 2);
  const tar = createTar(await inMemory(entries), { mtime: 7 });
  // Random bytes do not shrink either way; storing them costs at most a few bytes per 64 KiB block.
  expect(Math.abs(stored.length - deflatedAll.length)).toBeLessThan(tar.length / 100);
  expect(stored.length).toBeLessThan(tar.length); // the text was compressed
  expect(sha256(stored)).not.toBe(sha256(deflatedAll)); // the recipe matters, hence it is recorded
  expect(recipeId(SMALL)).not.toBe(recipeId({ ...SMALL, storeIncompressible: false }));
  expect(gunzip(stored).equals(tar)).toBe(true);
});

test('segments: cut at the size limit and where content turns (in)compressible; headers join the open one', () => {
  const seg = new Segmenter({ level: 6, segmentBytes: 200 * KIB, storeIncompressible: true });
  const header = (n: number) => ({ kind: 'header' as const, data: Buffer.alloc(n) });
  const content = (data: Buffer) => ({ kind: 'content' as const, data });
  const out = [
    ...seg.push(header(512)),
    ...seg.push(content(text(100 * KIB))),
    ...seg.push(header(512)),
    ...seg.push(content(random(300 * KIB))), // turns: cut; then 200 KiB limit: cut again
    ...seg.push(content(random(10 * KIB))), // small: deflated with whatever follows, so it turns back
    ...seg.push(content(text(50 * KIB))),
  ].map((s) => [s.level, s.data.length]);
  expect(out).toEqual([
    [6, 512 + 100 * KIB + 512],
    [0, 200 * KIB],
    [0, 100 * KIB],
  ]);
  const last = seg.finish();
  expect([last.level, last.data.length]).toEqual([6, 60 * KIB]);
  expect(new Segmenter(SMALL).finish().data.length).toBe(0); // nothing pushed: one empty final segment
});

test('buildLayers writes the layer to a file with the bytes buildLayer makes in memory', async () => {
  const out = await mkdtemp(path.join(tmpdir(), 'oci-layers-'));
  try {
    const [layer] = await buildLayers([{ name: 'site', entries }], { mtime: 7, dir: out, concurrency: 3 });
    const memory = buildLayer({ name: 'site', entries: await inMemory(entries) }, 7);
    expect(layer).toMatchObject({
      digest: memory.digest,
      diffId: memory.diffId,
      size: memory.size,
      files: 6,
      origin: 'built',
      recipe: recipeId(DEFAULT_GZIP),
    });
    expect((await readFile(path.join(out, 'layer-0.tar.gz'))).equals(memory.blob)).toBe(true);
    expect(readTar(gunzip(memory.blob)).map((e) => e.path)).toContain('usr/share/nginx/html/b/big.bin');
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});

test('a layer the target already has (same diff_id and recipe) is not compressed; built only if asked', async () => {
  const out = await mkdtemp(path.join(tmpdir(), 'oci-layers-'));
  try {
    const memory = buildLayer({ name: 'site', entries: await inMemory(entries) }, 7);
    const log: string[] = [];
    const known = new Map([
      [memory.diffId, { digest: memory.digest, size: memory.size, recipe: recipeId(DEFAULT_GZIP) }],
    ]);
    const [layer] = await buildLayers([{ name: 'site', entries }], {
      mtime: 7,
      dir: out,
      known,
      log: (m) => log.push(m),
    });
    expect(layer).toMatchObject({ digest: memory.digest, size: memory.size, origin: 'reused' });
    expect(log).toEqual([
      expect.stringMatching(/^site: unchanged \(diff_id [0-9a-f]{12} is in the target\), not compressed$/),
    ]);
    await expect(readFile(path.join(out, 'layer-0.tar.gz'))).rejects.toThrow(/ENOENT/);
    // The registry lost the blob after all: it is compressed now, and must come out the same.
    const blob = typeof layer!.blob === 'function' ? await layer!.blob() : undefined;
    expect(blob && !Buffer.isBuffer(blob) ? blob.size : -1).toBe(memory.size);

    // Another recipe's layer with the same content is not taken: its digest would differ from a fresh build.
    const other = new Map([[memory.diffId, { digest: `sha256:${'0'.repeat(64)}`, size: 1, recipe: 'gzip;level=9' }]]);
    const [rebuilt] = await buildLayers([{ name: 'site', entries }], { mtime: 7, dir: out, known: other });
    expect(rebuilt).toMatchObject({ digest: memory.digest, origin: 'built' });
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});

test('a file that changes size while the layer is written fails the build, naming it', async () => {
  const file = path.join(dir, 'growing.js');
  await writeFile(file, 'a'.repeat(1000));
  const list: TarEntry[] = [{ type: 'file', path: 'x/growing.js', content: { file, size: 1000 } }];
  await appendFile(file, 'more');
  await expect(collect(list)).rejects.toThrow(
    `'${file}' changed while the image was built (1000 bytes when listed, more now)`,
  );
  await writeFile(file, 'short');
  await expect(collect(list)).rejects.toThrow(`(1000 bytes when listed, 5 now)`);
});

test('fileSource opens any byte range afresh (what a retried upload reads)', async () => {
  const file = path.join(dir, 'range.bin');
  const data = random(3000, 9);
  await writeFile(file, data);
  const source = fileSource(file, data.length);
  const read = async (start: number, end: number): Promise<Buffer> =>
    Buffer.from(await new Response(source.open(start, end)).arrayBuffer());
  expect((await read(0, 3000)).equals(data)).toBe(true);
  expect((await read(1000, 1001)).equals(data.subarray(1000, 1001))).toBe(true);
  expect((await read(2999, 3000)).equals(data.subarray(2999))).toBe(true);
});
