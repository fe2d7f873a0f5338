// A generated static site shaped like a real build's output: an index.html, minified-looking JS and CSS
// (compressible, about 4:1 with gzip) and media (images, fonts, video: incompressible), two thirds of the
// bytes media. Everything comes from fixed seeds, so the same size always gives the same files.
import { createCipheriv } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';

export interface GeneratedSite {
  readonly files: number;
  readonly bytes: number;
  readonly mediaBytes: number;
}

/** xorshift32: a fixed sequence of numbers for sizes and word choices. */
function numbers(seed: number): () => number {
  let s = seed;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 0x100000000;
  };
}

/** A vocabulary of identifiers and punctuation: text drawn from it compresses like minified JS. */
function vocabulary(random: () => number): Buffer[] {
  const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_$';
  const words: Buffer[] = [];
  for (const p of ['function', 'return', 'const', 'let', 'if', 'else', '=>', '{', '}', '(', ')', ';', ',', '.']) {
    words.push(Buffer.from(p));
  }
  while (words.length < 4096) {
    let w = '';
    const length = 2 + Math.floor(random() * 10);
    for (let i = 0; i < length; i++) w += letters[Math.floor(random() * letters.length)];
    words.push(Buffer.from(w));
  }
  return words;
}

function text(size: number, random: () => number, words: readonly Buffer[]): Buffer {
  const out = Buffer.alloc(size);
  let at = 0;
  while (at < size) {
    const word = words[Math.floor(random() * words.length)]!;
    at += word.copy(out, at);
    if (at < size) out[at++] = random() < 0.3 ? 0x3b : 0x20;
  }
  return out;
}

/** Writes a site of about `bytes` bytes into `dir` (files of 30 KB to 1.5 MB, 300 per directory). */
export async function generateSite(dir: string, bytes: number): Promise<GeneratedSite> {
  const random = numbers(42);
  const words = vocabulary(numbers(7));
  // AES-128-CTR over zeros: a fast, seeded stream of incompressible bytes.
  const media = createCipheriv('aes-128-ctr', Buffer.alloc(16, 1), Buffer.alloc(16, 2));
  await mkdir(dir, { recursive: true });
  await writeFile(
    path.join(dir, 'index.html'),
    '<!doctype html><div id="root"></div><script src="/assets/app.js"></script>',
  );
  let total = 0;
  let mediaBytes = 0;
  let files = 1;
  let folder = '';
  while (total < bytes) {
    if ((files - 1) % 300 === 0) {
      folder = path.join(dir, 'assets', `d${Math.floor(files / 300)}`);
      await mkdir(folder, { recursive: true });
    }
    const isMedia = files % 3 !== 0;
    const size = Math.min(30_000 + Math.floor(random() * 1_500_000), Math.max(bytes - total, 1));
    const content = isMedia ? media.update(Buffer.alloc(size)) : text(size, random, words);
    await writeFile(path.join(folder, `chunk-${files}.${isMedia ? 'webp' : 'js'}`), content);
    total += size;
    if (isMedia) mediaBytes += size;
    files++;
  }
  return { files, bytes: total, mediaBytes };
}
