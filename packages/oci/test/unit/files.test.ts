import { mkdir, mkdtemp, realpath, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { directoryEntries, generatedEntries } from '../../src';

const opts = { root: 'usr/share/nginx/html', where: "input 'directory'", require: 'index.html', replace: true };

async function site(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'site-'));
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), content);
  }
  return dir;
}

test('reads a site into entries under the root, with an opaque whiteout for the base content', async () => {
  const dir = await site({ 'index.html': 'i', 'assets/app.js': 'a' });
  const { entries } = await directoryEntries(dir, opts);
  expect(entries.map((e) => `${e.type} ${e.path}`)).toEqual([
    'dir usr/share/nginx/html',
    'file usr/share/nginx/html/.wh..wh..opq',
    'dir usr/share/nginx/html/assets',
    'file usr/share/nginx/html/assets/app.js',
    'file usr/share/nginx/html/index.html',
  ]);
});

test.each([
  [
    'a missing directory',
    async () => path.join(tmpdir(), 'does-not-exist-xyz'),
    /input 'directory': directory .* does not exist/,
  ],
  ['no index.html', () => site({ 'other.html': 'x' }), /input 'directory': .* has no index\.html/],
  [
    'a file instead of a directory',
    async () => path.join(await site({ 'index.html': 'i' }), 'index.html'),
    /is not a directory/,
  ],
])('rejects %s', async (_label, make, message) => {
  await expect(directoryEntries(await make(), opts)).rejects.toThrow(message);
});

test('follows links inside the site but refuses links out of it', async () => {
  const inside = await site({ 'index.html': 'i', 'a.txt': 'a' });
  await symlink(path.join(inside, 'a.txt'), path.join(inside, 'b.txt'));
  const { entries } = await directoryEntries(inside, opts);
  expect(entries.filter((e) => e.path.endsWith('b.txt')).map((e) => e.type === 'file' && e.content)).toEqual([
    { file: path.join(await realpath(inside), 'b.txt'), size: 1 },
  ]);
  const outside = await site({ 'index.html': 'i' });
  await symlink('/etc/hostname', path.join(outside, 'leak.txt'));
  await expect(directoryEntries(outside, opts)).rejects.toThrow(/'leak.txt' is a symbolic link to outside/);
  const loop = await site({ 'index.html': 'i', 'sub/a.txt': 'a' });
  await symlink(loop, path.join(loop, 'sub/up'));
  await expect(directoryEntries(loop, opts)).rejects.toThrow(/'sub\/up' is a symbolic link loop/);
});

test('generated files come with their parent directories below the top level, and keep their modes', () => {
  const entries = generatedEntries([
    { path: '/etc/nginx/templates/default.conf.template', content: 'x' },
    { path: '/docker-entrypoint.d/19-x.envsh', content: '#!/bin/sh', mode: 0o755 },
  ]);
  expect(entries.map((e) => `${e.type} ${e.path} ${(e.mode ?? 0).toString(8)}`)).toEqual([
    'dir etc/nginx 0',
    'dir etc/nginx/templates 0',
    'file etc/nginx/templates/default.conf.template 0',
    'file docker-entrypoint.d/19-x.envsh 755',
  ]);
});
