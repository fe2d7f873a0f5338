// Our tar writer read by GNU tar (what container runtimes' extractors are checked against).
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { createTar, deterministicGzip } from '../../src';

const run = promisify(execFile);
const long = `usr/share/nginx/html/${'deep/'.repeat(40)}file.js`;

test('GNU tar lists and extracts the layer with owners, modes, mtimes and long/non-ASCII names', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'gnutar-'));
  try {
    const archive = path.join(dir, 'layer.tar.gz');
    const entries = [
      { type: 'dir' as const, path: 'usr/share/nginx/html' },
      { type: 'file' as const, path: 'usr/share/nginx/html/index.html', content: Buffer.from('<h1>x</h1>') },
      { type: 'file' as const, path: long, content: Buffer.from('long') },
      { type: 'file' as const, path: 'usr/share/nginx/html/café.html', content: Buffer.from('é') },
    ];
    await writeFile(archive, deterministicGzip(createTar(entries, { mtime: 1714557600 })));
    const { stdout } = await run('tar', ['--numeric-owner', '--utc', '-tvzf', archive]);
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(4);
    for (const line of lines) expect(line).toMatch(/^[d-]rw[x-]r-[x-]r-[x-] 0\/0 +\d+ 2024-05-01 10:00 /);
    expect(lines.map((l) => l.split(' ').pop())).toEqual([
      'usr/share/nginx/html/',
      'usr/share/nginx/html/café.html',
      long, // byte order: "deep/" sorts before "index.html"
      'usr/share/nginx/html/index.html',
    ]);
    await run('tar', ['-xzf', archive, '-C', dir]);
    expect(await readFile(path.join(dir, long), 'utf8')).toBe('long');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
