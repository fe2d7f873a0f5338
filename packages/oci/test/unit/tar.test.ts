import { createTar, deterministicGzip, gunzip, layerPath, readTar, sha256, type TarEntry } from '../../src';

const file = (path: string, text: string, mode?: number): TarEntry => ({
  type: 'file',
  path,
  content: Buffer.from(text),
  ...(mode !== undefined ? { mode } : {}),
});

describe('createTar', () => {
  const entries: TarEntry[] = [
    file('usr/share/nginx/html/index.html', '<h1>hi</h1>'),
    { type: 'dir', path: 'usr/share/nginx/html' },
    file('usr/share/nginx/html/assets/app.js', 'x'.repeat(1000)),
    { type: 'dir', path: 'usr/share/nginx/html/assets' },
  ];

  test('same entries in any order give the same bytes', () => {
    const a = createTar(entries, { mtime: 1700000000 });
    const b = createTar([...entries].reverse(), { mtime: 1700000000 });
    expect(sha256(a)).toBe(sha256(b));
    expect(a.length % 512).toBe(0);
  });

  test('a different mtime gives different bytes', () => {
    expect(sha256(createTar(entries, { mtime: 1 }))).not.toBe(sha256(createTar(entries, { mtime: 2 })));
  });

  test('entries are sorted, owned by root, with fixed modes and mtime', () => {
    const read = readTar(createTar(entries, { mtime: 1700000000 }));
    expect(read.map((e) => [e.path, e.type, e.mode.toString(8), e.uid, e.gid, e.mtime])).toEqual([
      ['usr/share/nginx/html', 'dir', '755', 0, 0, 1700000000],
      ['usr/share/nginx/html/assets', 'dir', '755', 0, 0, 1700000000],
      ['usr/share/nginx/html/assets/app.js', 'file', '644', 0, 0, 1700000000],
      ['usr/share/nginx/html/index.html', 'file', '644', 0, 0, 1700000000],
    ]);
    expect(read[2]!.content.toString()).toBe('x'.repeat(1000));
  });

  test.each([
    ['short name', 'a/b.txt'],
    ['name split into ustar prefix', `${'d'.repeat(120)}/${'f'.repeat(90)}`],
    ['name too long for ustar (PAX header)', `${'d'.repeat(200)}/${'f'.repeat(120)}`],
    ['non-ASCII name (PAX header)', 'usr/share/nginx/html/café/ünïcode.html'],
    ['empty file', 'empty'],
  ])('%s round-trips', (_label, path) => {
    const content = path === 'empty' ? '' : `content of ${path}`;
    const [entry] = readTar(createTar([file(path, content, 0o600)], { mtime: 5 }));
    expect(entry).toMatchObject({ path, type: 'file', mode: 0o600, mtime: 5 });
    expect(entry!.content.toString()).toBe(content);
  });

  test.each([
    ['duplicate paths', [file('a', '1'), file('./a', '2')], /appears twice/],
    ['a path leaving the root', [file('../etc/passwd', 'x')], /leaves the image root/],
  ])('rejects %s', (_label, bad, message) => {
    expect(() => createTar(bad, { mtime: 0 })).toThrow(message);
  });

  test('rejects a negative or fractional mtime', () => {
    expect(() => createTar([], { mtime: -1 })).toThrow(/non-negative whole number/);
    expect(() => createTar([], { mtime: 1.5 })).toThrow(/non-negative whole number/);
  });

  test('layerPath normalises leading slashes and dots', () => {
    expect(layerPath('/etc/nginx/./templates/')).toBe('etc/nginx/templates');
  });
});

describe('deterministicGzip', () => {
  const data = Buffer.from('hello '.repeat(1000));

  test('has a fixed header: no name, mtime 0, OS unknown', () => {
    const gz = deterministicGzip(data);
    expect([...gz.subarray(0, 10)]).toEqual([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
  });

  test('round-trips through gunzip and is the same every time', () => {
    const gz = deterministicGzip(data);
    expect(gunzip(gz).equals(data)).toBe(true);
    expect(deterministicGzip(data).equals(gz)).toBe(true);
    expect(gz.length).toBeLessThan(data.length);
  });
});
