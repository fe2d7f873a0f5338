import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';

/**
 * Blob content the registry client can send more than once (a retry, a second chunk): a byte range is
 * opened as a fresh stream for every request, so a layer on disk is never read into memory.
 */
export interface BlobSource {
  readonly size: number;
  /** Bytes [start, end) as a new stream. */
  open(start: number, end: number): ReadableStream<Uint8Array>;
}

/** What pushBlob takes: bytes, a source, or a function producing either once the blob is really needed. */
export type BlobContent = Buffer | BlobSource | (() => Promise<Buffer | BlobSource>);

export function bufferSource(data: Buffer): BlobSource {
  return {
    size: data.length,
    open: (start, end) =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          if (end > start) controller.enqueue(data.subarray(start, end));
          controller.close();
        },
      }),
  };
}

/** A blob written to a file (a layer built under RUNNER_TEMP). */
export function fileSource(file: string, size: number): BlobSource {
  return {
    size,
    // createReadStream's end is inclusive; an empty range is never opened (the transport sends no stream).
    open: (start, end) =>
      Readable.toWeb(
        createReadStream(file, { start, end: end - 1, highWaterMark: 1024 * 1024 }),
      ) as ReadableStream<Uint8Array>,
  };
}

export async function resolveContent(content: BlobContent): Promise<Buffer | BlobSource> {
  return typeof content === 'function' ? content() : content;
}
