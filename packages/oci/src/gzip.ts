import { createHash } from 'node:crypto';
import { crc32, deflateRawSync, gunzipSync } from 'node:zlib';

/**
 * gzip with a fixed header: no file name, mtime 0, OS byte 255 ("unknown") rather than the build machine's, so
 * the same bytes in give the same bytes out (and so the same layer digest) on any machine with the same zlib.
 */
export function deterministicGzip(data: Buffer, level = 6): Buffer {
  const header = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0xff]);
  const body = deflateRawSync(data, { level });
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc32(data) >>> 0, 0);
  trailer.writeUInt32LE(data.length % 2 ** 32, 4);
  return Buffer.concat([header, body, trailer]);
}

export function gunzip(data: Buffer): Buffer {
  return gunzipSync(data);
}

export function sha256(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}
