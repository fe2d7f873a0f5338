// The job summary stays far below GitHub's 1 MiB limit (above it the whole summary is dropped) whatever
// the input: many tags, a base image of hundreds of layers, thousands of left-out files with long names.
import type { BuiltImage, PushedBlob } from '@deploy-actions/oci';
import { memoryIO } from '@deploy-actions/testing';
import { readOptions } from '../../src/options';
import { imageSummary, listSome } from '../../src/summary';

const SHA = '0123456789abcdef0123456789abcdef01234567';
const digest = (i: number): string => `sha256:${i.toString(16).padStart(64, '0')}`;

function built(blobs: number, tags: readonly string[]): BuiltImage {
  const pushed: PushedBlob[] = Array.from({ length: blobs }, (_, i) => ({
    source: i === blobs - 1 ? 'config' : 'base',
    digest: digest(i),
    size: 1000 + i,
    action: 'exists',
    bytes: 0,
  }));
  return {
    plan: { size: 123_456, base: { digest: digest(999_999) } },
    layers: [{ name: 'static files', files: 4242, origin: 'reused', digest: digest(0) }],
    pushed: { digest: digest(1), blobs: pushed, tags, blobBytesUploaded: 0 },
  } as unknown as BuiltImage;
}

test('huge inputs: the summary is a few KiB and says what it cut', () => {
  const tags = Array.from({ length: 1000 }, (_, i) => `release-${i}-${'x'.repeat(100)}`);
  const options = readOptions(
    memoryIO({ directory: 'dist', repository: '127.0.0.1:5000/frontend', tags: tags.join(',') }, { GITHUB_SHA: SHA }),
  );
  const leftOut = Array.from({ length: 10_000 }, (_, i) => `${'deep/'.repeat(200)}.cache-${i}`);
  const text = imageSummary('127.0.0.1:5000/frontend', built(500, options.tags), leftOut, options);
  expect(Buffer.byteLength(text)).toBeLessThan(16 * 1024);
  expect(text).toContain('… and 981 more'); // 1001 tags (the commit SHA first), 20 shown
  expect(text).toContain('… and 470 more blobs');
  expect(text).toMatch(/\| Left out \| 10000 dotfiles: .*… and 9990 more — include-dotfiles: true publishes them \|/);
  expect(text).toContain('| Files | 4242 |');
  expect(text).toContain('| base | <code>sha256:000000000000</code> | 1000 B | exists — unchanged, not compressed |');
});

test('listSome cuts long names and counts the rest', () => {
  expect(listSome(['a', 'b', 'c'], 5)).toBe('a, b, c');
  expect(listSome(['a', 'b', 'c'], 2)).toBe('a, b … and 1 more');
  expect(listSome(['x'.repeat(300)], 1)).toBe(`${'x'.repeat(99)}…`);
});
