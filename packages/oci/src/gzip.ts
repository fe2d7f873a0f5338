import { createHash } from 'node:crypto';
import { constants, crc32, deflateRaw, deflateRawSync, gunzipSync, type ZlibOptions } from 'node:zlib';
import type { TarPiece } from './tar';

/**
 * How a layer is compressed. The archive is cut into segments of at most `segmentBytes`; each is deflated on
 * its own (ending in a sync flush, the last one in the final block) and the pieces are joined into one gzip
 * member. With `storeIncompressible`, file content that does not shrink by 5 % at level 1 (images, fonts,
 * video: already compressed) goes into segments that are stored, not deflated: that costs next to no CPU and
 * next to no space. The bytes depend only on the archive and this recipe, never on how many segments are
 * compressed at once, so segments can go to several cores and the digest stays reproducible.
 */
export interface GzipRecipe {
  readonly level: number;
  readonly segmentBytes: number;
  readonly storeIncompressible: boolean;
}

/**
 * Chosen from the compression figures of `npm run bench` (actions/build-nginx-image/README.md): deflate runs
 * at about the same speed at every level on media and gains nothing there, so storing media is what saves
 * the time; on the text, level 6 is within 1 % of level 9's size at a fraction of its time.
 */
export const DEFAULT_GZIP: GzipRecipe = { level: 6, segmentBytes: 4 * 1024 * 1024, storeIncompressible: true };

/** The recipe as text, recorded on each layer so a later build can tell whether it may reuse the blob. */
export function recipeId(recipe: GzipRecipe): string {
  const store = recipe.storeIncompressible ? ';store-incompressible' : '';
  return `gzip;level=${recipe.level};segment=${recipe.segmentBytes}${store}`;
}

// No file name, mtime 0, OS byte 255 ("unknown") rather than the build machine's.
const HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0xff]);

function trailer(crc: number, size: number): Buffer {
  const out = Buffer.alloc(8);
  out.writeUInt32LE(crc >>> 0, 0);
  out.writeUInt32LE(size % 2 ** 32, 4);
  return out;
}

/** Content pieces smaller than this are always deflated: splitting segments for them would cost more. */
const MIN_STORED = 64 * 1024;
const SAMPLE = 8 * 1024;

/** Whether a piece of file content is already compressed: two 8 KiB samples deflated at level 1. */
function incompressible(piece: Buffer): boolean {
  if (piece.length < MIN_STORED) return false;
  const middle = Math.floor(piece.length / 2);
  const sample = Buffer.concat([piece.subarray(0, SAMPLE), piece.subarray(middle, middle + SAMPLE)]);
  return deflateRawSync(sample, { level: 1 }).length > sample.length * 0.95;
}

/** A segment to deflate at `level` (0: stored). */
export interface Segment {
  readonly data: Buffer;
  readonly level: number;
}

/**
 * Cuts pieces into segments: at `segmentBytes`, and where file content changes between compressible and not
 * (headers go with whatever segment is open). Every segment `push` returns is followed by more bytes; the
 * one `finish` returns is the last of the stream.
 */
export class Segmenter {
  private buffer: Buffer;
  private filled = 0;
  /** Whether the open segment is stored; undefined until it holds file content. */
  private stored: boolean | undefined;

  constructor(private readonly recipe: GzipRecipe) {
    this.buffer = Buffer.allocUnsafe(recipe.segmentBytes);
  }

  push(piece: TarPiece): Segment[] {
    const out: Segment[] = [];
    if (piece.kind === 'content' && piece.data.length > 0) {
      const stored = this.recipe.storeIncompressible && incompressible(piece.data);
      if (stored !== this.stored) {
        if (this.stored !== undefined && this.filled > 0) out.push(this.cut());
        this.stored = stored;
      }
    }
    let offset = 0;
    while (offset < piece.data.length) {
      if (this.filled === this.buffer.length) out.push(this.cut());
      const n = piece.data.copy(this.buffer, this.filled, offset);
      this.filled += n;
      offset += n;
    }
    return out;
  }

  /** The open segment: the last of the stream (empty only when nothing was pushed). */
  finish(): Segment {
    return this.cut();
  }

  private cut(): Segment {
    const segment = { data: this.buffer.subarray(0, this.filled), level: this.stored ? 0 : this.recipe.level };
    this.buffer = Buffer.allocUnsafe(this.recipe.segmentBytes);
    this.filled = 0;
    return segment;
  }
}

function segmentOptions(level: number, last: boolean): ZlibOptions {
  return { level, finishFlush: last ? constants.Z_FINISH : constants.Z_SYNC_FLUSH };
}

/** In memory (small layers, tests): the same bytes GzipWriter produces for the same pieces. */
export function gzipPiecesSync(pieces: Iterable<TarPiece>, recipe: GzipRecipe = DEFAULT_GZIP): Buffer {
  const segmenter = new Segmenter(recipe);
  const parts: Buffer[] = [HEADER];
  let crc = 0;
  let size = 0;
  const deflate = (s: Segment, last: boolean): number =>
    parts.push(deflateRawSync(s.data, segmentOptions(s.level, last)));
  for (const piece of pieces) {
    crc = crc32(piece.data, crc);
    size += piece.data.length;
    for (const segment of segmenter.push(piece)) deflate(segment, false);
  }
  deflate(segmenter.finish(), true);
  parts.push(trailer(crc, size));
  return Buffer.concat(parts);
}

/** Deterministic gzip of plain bytes (no file content, so nothing is stored). */
export function deterministicGzip(data: Buffer, recipe: GzipRecipe = DEFAULT_GZIP): Buffer {
  return gzipPiecesSync([{ kind: 'header', data }], recipe);
}

const deflateAsync = (data: Buffer, options: ZlibOptions): Promise<Buffer> =>
  new Promise((resolve, reject) => deflateRaw(data, options, (error, out) => (error ? reject(error) : resolve(out))));

export interface GzipResult {
  /** sha256 of the compressed bytes: the layer's digest. */
  readonly digest: string;
  /** sha256 of the input: the layer's diff_id. */
  readonly diffId: string;
  readonly size: number;
  readonly inputSize: number;
}

/**
 * Streaming deterministic gzip: pieces are hashed (diff_id) and cut into segments, up to `concurrency`
 * segments are deflated at once on libuv's thread pool (never on the event loop), and the output is written
 * in order through `write` and hashed (digest). Memory is about (concurrency + 2) segments, whatever the size
 * of the input.
 */
export class GzipWriter {
  private readonly inputHash = createHash('sha256');
  private readonly outputHash = createHash('sha256');
  private crc = 0;
  private inputSize = 0;
  private outputSize = 0;
  private readonly segmenter: Segmenter;
  private readonly pending: Promise<Buffer>[] = [];

  constructor(
    private readonly write: (data: Buffer) => Promise<void>,
    recipe: GzipRecipe = DEFAULT_GZIP,
    private readonly concurrency = 1,
  ) {
    this.segmenter = new Segmenter(recipe);
  }

  async start(): Promise<void> {
    await this.emit(HEADER);
  }

  async add(piece: TarPiece): Promise<void> {
    this.inputHash.update(piece.data);
    this.crc = crc32(piece.data, this.crc);
    this.inputSize += piece.data.length;
    for (const segment of this.segmenter.push(piece)) await this.dispatch(segment, false);
  }

  async finish(): Promise<GzipResult> {
    await this.dispatch(this.segmenter.finish(), true);
    while (this.pending.length > 0) await this.emit(await this.pending.shift()!);
    await this.emit(trailer(this.crc, this.inputSize));
    return {
      digest: `sha256:${this.outputHash.digest('hex')}`,
      diffId: `sha256:${this.inputHash.digest('hex')}`,
      size: this.outputSize,
      inputSize: this.inputSize,
    };
  }

  /** Starts deflating a segment, first writing out the oldest ones while too many are in flight. */
  private async dispatch(segment: Segment, last: boolean): Promise<void> {
    while (this.pending.length >= Math.max(1, this.concurrency)) await this.emit(await this.pending.shift()!);
    const job = deflateAsync(segment.data, segmentOptions(segment.level, last));
    // Awaited in order; this only keeps a failure from being reported as unhandled meanwhile.
    job.catch(() => undefined);
    this.pending.push(job);
  }

  private async emit(data: Buffer): Promise<void> {
    this.outputHash.update(data);
    this.outputSize += data.length;
    await this.write(data);
  }
}

export function gunzip(data: Buffer): Buffer {
  return gunzipSync(data);
}

export function sha256(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}
