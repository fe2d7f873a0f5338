import { open } from 'node:fs/promises';
import { ConfigError, DeployActionsError } from '@deploy-actions/core';

/** A file on disk whose bytes are read only while the archive is written, so a layer never sits in memory. */
export interface FileSource {
  readonly file: string;
  /** Size when the directory was read; a file that changes size meanwhile fails the build. */
  readonly size: number;
}

/** One entry of a layer. Paths are relative to the image root, '/'-separated, without a leading '/'. */
export type TarEntry =
  | { readonly type: 'file'; readonly path: string; readonly content: Buffer | FileSource; readonly mode?: number }
  | { readonly type: 'dir'; readonly path: string; readonly mode?: number };

export interface TarOptions {
  /** Modification time of every entry, seconds since the epoch (reproducible: never "now"). */
  readonly mtime: number;
}

const BLOCK = 512;

/** Normalises a path for a layer: no leading './' or '/', no '..' or empty segments. */
export function layerPath(raw: string): string {
  const parts = raw
    .replace(/\\/g, '/')
    .split('/')
    .filter((p) => p !== '' && p !== '.');
  if (parts.length === 0 || parts.some((p) => p === '..')) {
    throw new ConfigError(`layer path '${raw}'`, 'is empty or leaves the image root', 'use a path like usr/share/x');
  }
  return parts.join('/');
}

function octal(value: number, width: number): string {
  // width includes the terminating NUL.
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

function writeString(block: Buffer, offset: number, width: number, text: string): void {
  block.write(text, offset, width, 'utf8');
}

/** Splits a name into ustar's prefix (155) and name (100) fields, or undefined when it does not fit. */
function splitUstar(name: string): { prefix: string; name: string } | undefined {
  if (!/^[\x20-\x7e]*$/.test(name)) return undefined;
  if (name.length <= 100) return { prefix: '', name };
  for (let i = name.indexOf('/'); i !== -1; i = name.indexOf('/', i + 1)) {
    const prefix = name.slice(0, i);
    const rest = name.slice(i + 1);
    if (prefix.length <= 155 && rest.length <= 100 && rest.length > 0) return { prefix, name: rest };
  }
  return undefined;
}

function header(name: string, prefix: string, size: number, mode: number, mtime: number, type: string): Buffer {
  const block = Buffer.alloc(BLOCK);
  writeString(block, 0, 100, name);
  writeString(block, 100, 8, octal(mode, 8));
  writeString(block, 108, 8, octal(0, 8)); // uid
  writeString(block, 116, 8, octal(0, 8)); // gid
  writeString(block, 124, 12, octal(size, 12));
  writeString(block, 136, 12, octal(mtime, 12));
  block.fill(' ', 148, 156); // checksum is computed with this field as spaces
  writeString(block, 156, 1, type);
  writeString(block, 257, 6, 'ustar\0');
  writeString(block, 263, 2, '00');
  writeString(block, 265, 32, 'root');
  writeString(block, 297, 32, 'root');
  writeString(block, 329, 8, octal(0, 8));
  writeString(block, 337, 8, octal(0, 8));
  writeString(block, 345, 155, prefix);
  let sum = 0;
  for (const byte of block) sum += byte;
  writeString(block, 148, 8, sum.toString(8).padStart(6, '0') + '\0 ');
  return block;
}

function padding(size: number): Buffer {
  const rest = size % BLOCK;
  return Buffer.alloc(rest === 0 ? 0 : BLOCK - rest);
}

/** A PAX record "LEN path=VALUE\n", where LEN counts its own digits. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let length = Buffer.byteLength(body) + 1;
  while (String(length).length + Buffer.byteLength(body) !== length) length++;
  return `${length}${body}`;
}

function sizeOf(content: Buffer | FileSource): number {
  return Buffer.isBuffer(content) ? content.length : content.size;
}

/** A piece of an archive: header, padding and end blocks, or (at most 1 MiB of) a file's content. */
export interface TarPiece {
  readonly kind: 'header' | 'content';
  readonly data: Buffer;
}

type Part =
  | { readonly kind: 'header'; readonly data: Buffer }
  | { readonly kind: 'content'; readonly content: Buffer | FileSource };

/**
 * The archive as a sequence of parts. Entries sorted by path, every owner root (0:0), one fixed mtime, fixed
 * modes (0644 files, 0755 directories unless given). Names that do not fit ustar get a PAX header, so any path
 * works. The same entries always give the same bytes.
 */
function* tarParts(entries: readonly TarEntry[], options: TarOptions): Generator<Part> {
  if (!Number.isInteger(options.mtime) || options.mtime < 0) {
    throw new ConfigError('layer mtime', `${options.mtime} is not a non-negative whole number of seconds`);
  }
  const byPath = new Map<string, TarEntry>();
  for (const entry of entries) {
    const path = layerPath(entry.path);
    if (byPath.has(path)) throw new ConfigError(`layer path '${path}'`, 'appears twice');
    byPath.set(path, entry);
  }
  for (const path of [...byPath.keys()].sort(compareBytes)) {
    const entry = byPath.get(path)!;
    const name = entry.type === 'dir' ? `${path}/` : path;
    const size = entry.type === 'file' ? sizeOf(entry.content) : 0;
    const mode = entry.mode ?? (entry.type === 'dir' ? 0o755 : 0o644);
    const type = entry.type === 'dir' ? '5' : '0';
    let split = splitUstar(name);
    const headers: Buffer[] = [];
    if (split === undefined) {
      const pax = Buffer.from(paxRecord('path', name), 'utf8');
      headers.push(header('PaxHeader', '', pax.length, 0o644, options.mtime, 'x'), pax, padding(pax.length));
      split = { prefix: '', name: name.slice(-100).replace(/[^\x20-\x7e]/g, '_') };
    }
    headers.push(header(split.name, split.prefix, size, mode, options.mtime, type));
    yield { kind: 'header', data: Buffer.concat(headers) };
    if (entry.type === 'file' && size > 0) {
      yield { kind: 'content', content: entry.content };
      yield { kind: 'header', data: padding(size) };
    }
  }
  yield { kind: 'header', data: Buffer.alloc(BLOCK * 2) };
}

/**
 * File contents are cut into pieces of this size at fixed offsets, however they are read, so anything that
 * depends on pieces (the compression of a segment) depends only on the bytes.
 */
export const TAR_PIECE = 1024 * 1024;

function* slices(data: Buffer): Generator<TarPiece> {
  for (let at = 0; at < data.length; at += TAR_PIECE) {
    yield { kind: 'content', data: data.subarray(at, Math.min(at + TAR_PIECE, data.length)) };
  }
}

/** The archive's pieces from contents in memory (small layers: generated files, tests). */
export function* tarPiecesSync(entries: readonly TarEntry[], options: TarOptions): Generator<TarPiece> {
  for (const part of tarParts(entries, options)) {
    if (part.kind === 'header') yield part;
    else if (Buffer.isBuffer(part.content)) yield* slices(part.content);
    else throw new TypeError(`'${part.content.file}' is on disk: use tarPieces`);
  }
}

/** The whole archive in memory, for small layers whose contents are all bytes (tests, generated files). */
export function createTar(entries: readonly TarEntry[], options: TarOptions): Buffer {
  return Buffer.concat([...tarPiecesSync(entries, options)].map((p) => p.data));
}

/** A file in pieces of TAR_PIECE bytes read at their positions; fails when its size is not what was listed. */
async function* filePieces(source: FileSource): AsyncGenerator<TarPiece> {
  const handle = await open(source.file, 'r');
  try {
    let position = 0;
    for (;;) {
      const piece = Buffer.allocUnsafe(TAR_PIECE);
      let filled = 0;
      while (filled < TAR_PIECE) {
        const { bytesRead } = await handle.read(piece, filled, TAR_PIECE - filled, position + filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      position += filled;
      if (position > source.size) break;
      if (filled > 0) yield { kind: 'content', data: piece.subarray(0, filled) };
      if (filled < TAR_PIECE) break;
    }
    if (position !== source.size) {
      throw new DeployActionsError(
        `'${source.file}' changed while the image was built (${source.size} bytes when listed, ${position > source.size ? 'more' : position} now) — do not write to the site directory during the build`,
      );
    }
  } finally {
    await handle.close();
  }
}

/**
 * The same archive as `createTar`, as pieces: files are read while the archive is consumed, so memory does not
 * grow with the site. A file whose size changed since it was listed fails (its header promised the old size).
 */
export async function* tarPieces(entries: readonly TarEntry[], options: TarOptions): AsyncGenerator<TarPiece> {
  for (const part of tarParts(entries, options)) {
    if (part.kind === 'header') yield part;
    else if (Buffer.isBuffer(part.content)) yield* slices(part.content);
    else yield* filePieces(part.content);
  }
}

/** Byte-wise (not locale) order, so the archive does not depend on the machine's collation. */
function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Reads a tar archive back (ustar + PAX path records); used to verify pulled layers. */
export function readTar(archive: Buffer): {
  path: string;
  type: 'file' | 'dir' | 'other';
  content: Buffer;
  mode: number;
  mtime: number;
  uid: number;
  gid: number;
}[] {
  const out: ReturnType<typeof readTar> = [];
  let offset = 0;
  let paxPath: string | undefined;
  while (offset + BLOCK <= archive.length) {
    const block = archive.subarray(offset, offset + BLOCK);
    if (block.every((b) => b === 0)) break;
    const field = (start: number, width: number): string =>
      block
        .subarray(start, start + width)
        .toString('utf8')
        .replace(/\0.*$/s, '');
    const num = (start: number, width: number): number => parseInt(field(start, width).trim() || '0', 8);
    const size = num(124, 12);
    const type = field(156, 1);
    const content = archive.subarray(offset + BLOCK, offset + BLOCK + size);
    offset += BLOCK + size + padding(size).length;
    if (type === 'x') {
      const match = /\d+ path=([^\n]*)\n/.exec(content.toString('utf8'));
      paxPath = match?.[1];
      continue;
    }
    const prefix = field(345, 155);
    const name = paxPath ?? (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100));
    paxPath = undefined;
    out.push({
      path: name.replace(/\/$/, ''),
      type: type === '0' || type === '' ? 'file' : type === '5' ? 'dir' : 'other',
      content: Buffer.from(content),
      mode: num(100, 8),
      mtime: num(136, 12),
      uid: num(108, 8),
      gid: num(116, 8),
    });
  }
  return out;
}
