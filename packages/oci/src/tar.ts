import { ConfigError } from '@deploy-actions/core';

/** One entry of a layer. Paths are relative to the image root, '/'-separated, without a leading '/'. */
export type TarEntry =
  | { readonly type: 'file'; readonly path: string; readonly content: Buffer; readonly mode?: number }
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

/**
 * A deterministic tar archive: entries sorted by path, every owner root (0:0), one fixed mtime, fixed modes
 * (0644 files, 0755 directories unless given). Names that do not fit ustar get a PAX header, so any path works.
 * The same entries always give the same bytes.
 */
export function createTar(entries: readonly TarEntry[], options: TarOptions): Buffer {
  if (!Number.isInteger(options.mtime) || options.mtime < 0) {
    throw new ConfigError('layer mtime', `${options.mtime} is not a non-negative whole number of seconds`);
  }
  const byPath = new Map<string, TarEntry>();
  for (const entry of entries) {
    const path = layerPath(entry.path);
    if (byPath.has(path)) throw new ConfigError(`layer path '${path}'`, 'appears twice');
    byPath.set(path, entry);
  }
  const chunks: Buffer[] = [];
  for (const path of [...byPath.keys()].sort(compareBytes)) {
    const entry = byPath.get(path)!;
    const name = entry.type === 'dir' ? `${path}/` : path;
    const size = entry.type === 'file' ? entry.content.length : 0;
    const mode = entry.mode ?? (entry.type === 'dir' ? 0o755 : 0o644);
    const type = entry.type === 'dir' ? '5' : '0';
    let split = splitUstar(name);
    if (split === undefined) {
      const pax = Buffer.from(paxRecord('path', name), 'utf8');
      chunks.push(header('PaxHeader', '', pax.length, 0o644, options.mtime, 'x'), pax, padding(pax.length));
      split = { prefix: '', name: name.slice(-100).replace(/[^\x20-\x7e]/g, '_') };
    }
    chunks.push(header(split.name, split.prefix, size, mode, options.mtime, type));
    if (entry.type === 'file') chunks.push(entry.content, padding(size));
  }
  chunks.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(chunks);
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
