// The generated configuration in Debian's real nginx: rendered exactly as the official image's entrypoint
// would, checked with `nginx -t`, then run on 127.0.0.1 against a real upstream HTTP server and a real
// DNS server (for nginx's resolver), checking every promise of the generated configuration over HTTP.
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import { chmodSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { freePort } from '@deploy-actions/testing';
import {
  environmentFor,
  imageEnvironment,
  localResolvers,
  nginxFiles,
  renderTemplates,
  type NginxConfigOptions,
} from '@deploy-actions/nginx-config';
import { startDns, type TestDns } from '../support/dns';
import { sourceApiHostsScript } from '../support/entrypoint';
import { send, type RawResponse } from '../support/http';
import { layout, nginxTest, startNginx, type RunningNginx } from '../support/nginx';

const INDEX = '<!doctype html><title>spa</title><div id="app"></div>';
const APP_JS = 'console.log("plain app");'.repeat(10);
const APP_JS_GZ_MARKER = 'console.log("served from the pre-compressed file");';
const BIG_CSS = '.a{color:red}\n'.repeat(500);
const SECRET = 'AKIAIOSFODNN7EXAMPLE-not-for-the-web';
const DOTFILES: Record<string, string> = {
  '.env': `DB_PASSWORD=${SECRET}\n`,
  '.git/config': `[remote "origin"]\n\turl = https://x:${SECRET}@github.com/o/r\n`,
  '.aws/credentials': `aws_secret_access_key = ${SECRET}\n`,
  'assets/.env.js': SECRET,
  'docs/.htpasswd': SECRET,
  '.well-known/.hidden': SECRET,
  '.well-known/security.txt': 'Contact: mailto:security@zanda360.com\n',
  '.well-known/apple-app-site-association': '{"applinks":{"details":[]}}',
  '.well-known/acme-challenge/token-123': 'token-123.thumbprint',
  'docs/.well-known/x.txt': SECRET,
};

interface Seen {
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly bytes: number;
}

let work: string;
let dns: TestDns;
let upstream: Server;
let upstreamPort: number;
const seen: Seen[] = [];
const running: RunningNginx[] = [];

async function listen(server: Server): Promise<number> {
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return port;
}

/** Options + environment -> rendered like the entrypoint -> nginx started on a free port. */
async function site(name: string, env: Record<string, string>, options: NginxConfigOptions = {}) {
  const port = await freePort();
  const opts: NginxConfigOptions = {
    listen: `127.0.0.1:${port}`,
    root: path.join(work, 'html'),
    proxyReadTimeout: '1s',
    proxyConnectTimeout: '2s',
    resolverValid: '1s',
    resolverTimeout: '2s',
    ...options,
  };
  const containerEnv = {
    ...imageEnvironment(opts),
    [`NGINX_LOCAL_RESOLVERS`]: dns.address, // what 15-local-resolvers.envsh would export
    SITE_REAL_IP_FROM: '127.0.0.1/32', // the test client plays the ALB
    SITE_SERVER_NAMES: 'app.test *.tenants.test',
    ...env,
  };
  const dir = path.join(work, name);
  const conf = layout(dir, renderTemplates(nginxFiles(opts), containerEnv));
  const checked = nginxTest(dir, conf);
  if (!checked.ok) throw new Error(checked.output);
  const nginx = await startNginx(dir, conf, port);
  running.push(nginx);
  return { port, nginx };
}

const header = (res: RawResponse, name: string): string | undefined => {
  const value = res.headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(', ') : value;
};

function expectSecurityHeaders(res: RawResponse): void {
  expect(header(res, 'strict-transport-security')).toBe('max-age=63072000; includeSubDomains');
  expect(header(res, 'x-content-type-options')).toBe('nosniff');
  expect(header(res, 'referrer-policy')).toBe('strict-origin-when-cross-origin');
  expect(header(res, 'x-frame-options')).toBe('SAMEORIGIN');
}

let up: { port: number; nginx: RunningNginx };

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'nginx-config-'));
  chmodSync(work, 0o755); // workers run as an unprivileged user when the tests run as root
  const html = path.join(work, 'html');
  mkdirSync(path.join(html, 'assets'), { recursive: true });
  writeFileSync(path.join(html, 'index.html'), INDEX);
  writeFileSync(path.join(html, 'robots.txt'), 'User-agent: *\n');
  writeFileSync(path.join(html, 'assets', 'app-3f9a1c.js'), APP_JS);
  // Different content on purpose: proves nginx sent the .gz file rather than compressing on the fly.
  writeFileSync(path.join(html, 'assets', 'app-3f9a1c.js.gz'), gzipSync(APP_JS_GZ_MARKER));
  writeFileSync(path.join(html, 'assets', 'big-77ab.css'), BIG_CSS);
  // Dotfiles as a careless build leaves them (build-nginx-image leaves them out of the image unless asked;
  // nginx must refuse them even when they are there), and well-known files real sites serve.
  for (const [name, content] of Object.entries(DOTFILES)) {
    mkdirSync(path.dirname(path.join(html, name)), { recursive: true });
    writeFileSync(path.join(html, name), content);
  }

  dns = await startDns(await freePort());
  dns.records.set('api.test', '127.0.0.1');
  upstream = createServer((req, res) => {
    let bytes = 0;
    req.on('data', (chunk: Buffer) => (bytes += chunk.length));
    req.on('end', () => {
      seen.push({ url: req.url ?? '', headers: req.headers, bytes });
      if (req.url?.startsWith('/api/slow')) return; // never answers: the read timeout must cut it
      res.setHeader('content-type', 'application/json');
      res.setHeader('x-frame-options', 'ALLOWALL'); // nginx must send its own value, once
      res.end(JSON.stringify({ url: req.url, bytes }));
    });
  });
  upstream.on('upgrade', (req, socket) => {
    seen.push({ url: req.url ?? '', headers: req.headers, bytes: 0 });
    socket.end('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
  });
  upstreamPort = await listen(upstream);
  up = await site('up', { SITE_API_UPSTREAM: `http://api.test:${upstreamPort}`, SITE_CLIENT_MAX_BODY_SIZE: '1k' });
});

afterAll(async () => {
  await Promise.all(running.map((n) => n.stop()));
  upstream?.closeAllConnections();
  await new Promise((resolve) => upstream?.close(resolve));
  await dns?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('static site (SPA)', () => {
  test.each([
    ['/', 200, 'no-cache', INDEX],
    ['/index.html', 200, 'no-cache', INDEX],
    ['/courses/42/lessons/7', 200, 'no-cache', INDEX], // deep link -> index.html
    ['/robots.txt', 200, 'no-cache', 'User-agent: *\n'],
    ['/assets/app-3f9a1c.js', 200, 'public, max-age=31536000, immutable', APP_JS],
  ])('%s -> %d with Cache-Control %p', async (url, status, cache, body) => {
    const res = await send(up.port, url);
    expect(res.status).toBe(status);
    expect(res.body.toString()).toBe(body);
    expect(header(res, 'cache-control')).toBe(cache);
    expectSecurityHeaders(res);
  });

  test.each(['/assets/missing-123.js', '/assets/deep/missing.css', '/missing.js', '/img/logo.png'])(
    'a missing asset %s is a 404, not index.html, and is not cached',
    async (url) => {
      const res = await send(up.port, url);
      expect(res.status).toBe(404);
      expect(res.body.toString()).not.toContain('id="app"');
      expect(header(res, 'cache-control')).toBeUndefined();
      expectSecurityHeaders(res);
    },
  );

  test('gzip_static sends the pre-compressed .gz to clients accepting gzip', async () => {
    const gz = await send(up.port, '/assets/app-3f9a1c.js', { headers: { 'accept-encoding': 'gzip' } });
    expect(gz.status).toBe(200);
    expect(header(gz, 'content-encoding')).toBe('gzip');
    expect(gunzipSync(gz.body).toString()).toBe(APP_JS_GZ_MARKER);
    expect(header(gz, 'cache-control')).toBe('public, max-age=31536000, immutable');
    const plain = await send(up.port, '/assets/app-3f9a1c.js');
    expect(header(plain, 'content-encoding')).toBeUndefined();
    expect(plain.body.toString()).toBe(APP_JS);
  });

  test('gzip compresses other text on the fly, with Vary', async () => {
    const res = await send(up.port, '/assets/big-77ab.css', { headers: { 'accept-encoding': 'gzip' } });
    expect(header(res, 'content-encoding')).toBe('gzip');
    expect(header(res, 'vary')).toBe('Accept-Encoding');
    expect(res.body.length).toBeLessThan(BIG_CSS.length / 10);
    expect(gunzipSync(res.body).toString()).toBe(BIG_CSS);
  });
});

describe('dotfiles and well-known URIs', () => {
  test.each([
    '/.env',
    '/.git/config',
    '/.git/',
    '/.aws/credentials',
    '/assets/.env.js',
    '/docs/.htpasswd',
    '/%2Eenv', // decoded before matching
    '/assets/../.env', // normalised before matching
    '/.well-known/.hidden',
    '/docs/.well-known/x.txt', // only the top-level .well-known is special
    '/.well-known', // the directory itself
    '/.missing-dotfile',
  ])('%s -> 404, never the file or index.html', async (url) => {
    const res = await send(up.port, url);
    expect(res.status).toBe(404);
    expect(res.body.toString()).not.toContain(SECRET);
    expect(res.body.toString()).not.toContain('id="app"');
    expectSecurityHeaders(res);
  });

  test.each([
    ['/.well-known/security.txt', 'Contact: mailto:security@zanda360.com\n', 'text/plain'],
    ['/.well-known/apple-app-site-association', '{"applinks":{"details":[]}}', 'application/json'],
    ['/.well-known/acme-challenge/token-123', 'token-123.thumbprint', 'application/octet-stream'],
  ])('%s is served (%p, %s)', async (url, body, type) => {
    const res = await send(up.port, url);
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe(body);
    expect(header(res, 'content-type')).toBe(type);
    expect(header(res, 'cache-control')).toBe('no-cache');
  });

  test('a missing well-known file is a 404, not the SPA', async () => {
    const res = await send(up.port, '/.well-known/openid-configuration');
    expect(res.status).toBe(404);
    expect(res.body.toString()).not.toContain('id="app"');
  });

  test("dot-paths under the API prefix are the API's to answer", async () => {
    const res = await send(up.port, '/api/.well-known/openid-configuration');
    expect(res.status).toBe(200);
    expect(seen.some((s) => s.url === '/api/.well-known/openid-configuration')).toBe(true);
  });

  test('serveDotfiles: true serves them (the explicit opt-in)', async () => {
    const open = await site(
      'dotfiles-served',
      { SITE_API_UPSTREAM: `http://api.test:${upstreamPort}` },
      { serveDotfiles: true },
    );
    expect((await send(open.port, '/docs/.htpasswd')).body.toString()).toBe(SECRET);
    expect((await send(open.port, '/assets/.env.js')).status).toBe(200);
    expect((await send(open.port, '/.well-known/security.txt')).status).toBe(200);
  });
});

describe('health and host names', () => {
  test.each([
    ['app.test', 200],
    ['acme.tenants.test', 200],
    ['10.0.3.17:80', 200], // the ALB health check sends the task IP as Host
  ])('health answers on Host %s', async (host, status) => {
    const res = await send(up.port, '/healthz', { headers: { host } });
    expect(res.status).toBe(status);
    expect(res.body.toString()).toBe('ok\n');
  });

  test.each([
    ['acme.tenants.test', 200],
    ['app.test', 200],
    ['evil.example', 421],
    ['10.0.3.17', 421],
  ])('Host %s -> %d', async (host, status) => {
    const res = await send(up.port, '/courses', { headers: { host } });
    expect(res.status).toBe(status);
    expectSecurityHeaders(res);
  });
});

describe('API reverse proxy', () => {
  test('Host, X-Forwarded-For/-Proto, X-Real-IP reach the upstream; the real client IP is logged', async () => {
    // The client claims 198.51.100.1; the ALB (127.0.0.1 here) appended what it saw: 203.0.113.7.
    const res = await send(up.port, '/api/v1/courses?page=2', {
      headers: {
        host: 'acme.tenants.test',
        'x-forwarded-for': '198.51.100.1, 203.0.113.7',
        'x-forwarded-proto': 'https',
      },
    });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body.toString())).toEqual({ url: '/api/v1/courses?page=2', bytes: 0 });
    expect(header(res, 'x-frame-options')).toBe('SAMEORIGIN');
    expectSecurityHeaders(res);
    const got = seen.find((s) => s.url === '/api/v1/courses?page=2');
    expect(got?.headers['host']).toBe('acme.tenants.test');
    expect(got?.headers['x-forwarded-for']).toBe('198.51.100.1, 203.0.113.7, 127.0.0.1');
    expect(got?.headers['x-forwarded-proto']).toBe('https');
    expect(got?.headers['x-real-ip']).toBe('203.0.113.7');
    expect(got?.headers['x-forwarded-host']).toBe('acme.tenants.test');

    await new Promise((r) => setTimeout(r, 100)); // the access log line is written after the response
    const lines = up.nginx.accessLog().filter((l) => l.includes('/api/v1/courses?page=2'));
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(entry).toMatchObject({
      remote_addr: '203.0.113.7',
      realip_remote_addr: '127.0.0.1',
      host: 'acme.tenants.test',
      method: 'GET',
      uri: '/api/v1/courses?page=2',
      status: 200,
      upstream_addr: `127.0.0.1:${upstreamPort}`,
      upstream_status: '200',
    });
    expect(typeof entry['request_time']).toBe('number');
  });

  test('without X-Forwarded-Proto the scheme nginx saw is sent', async () => {
    await send(up.port, '/api/plain', { headers: { 'x-forwarded-for': '203.0.113.8' } });
    const got = seen.find((s) => s.url === '/api/plain');
    expect(got?.headers['x-forwarded-proto']).toBe('http');
    expect(got?.headers['x-real-ip']).toBe('203.0.113.8');
  });

  test('X-Forwarded-For from an untrusted peer is not believed', async () => {
    const other = await site('untrusted', {
      SITE_API_UPSTREAM: `http://api.test:${upstreamPort}`,
      SITE_REAL_IP_FROM: '10.0.0.0/16',
    });
    await send(other.port, '/api/untrusted', { headers: { 'x-forwarded-for': '198.51.100.66' } });
    const got = seen.find((s) => s.url === '/api/untrusted');
    expect(got?.headers['x-real-ip']).toBe('127.0.0.1');
  });

  test.each([
    [512, 200],
    [4096, 413],
  ])('a %d-byte upload with a 1k limit -> %d', async (size, status) => {
    const url = `/api/upload-${size}`;
    const res = await send(up.port, url, {
      method: 'POST',
      body: Buffer.alloc(size, 97),
      headers: { 'content-type': 'text/plain' },
    });
    expect(res.status).toBe(status);
    expectSecurityHeaders(res);
    const got = seen.find((s) => s.url === url);
    if (status === 200) expect(got?.bytes).toBe(size);
    else expect(got).toBeUndefined();
  });

  test('a WebSocket upgrade passes through to the API', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest({
        host: '127.0.0.1',
        port: up.port,
        path: '/api/cable',
        headers: { host: 'app.test', connection: 'Upgrade', upgrade: 'websocket' },
        signal: AbortSignal.timeout(5000),
      });
      req.on('upgrade', (res, socket) => {
        socket.destroy();
        resolve(res.statusCode ?? 0);
      });
      req.on('response', (res) => resolve(res.statusCode ?? 0));
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(101);
    const got = seen.find((s) => s.url === '/api/cable');
    expect(got?.headers['upgrade']).toBe('websocket');
    expect(got?.headers['connection']).toBe('upgrade');
  });

  test('an API that does not answer in time is cut at proxy_read_timeout with 504', async () => {
    const res = await send(up.port, '/api/slow', { timeoutMs: 10000 });
    expect(res.status).toBe(504);
    expectSecurityHeaders(res);
    console.log(`504 after ${res.ms} ms (proxy_read_timeout 1s)`);
  });
});

describe('API down or not resolvable', () => {
  test('API down: static and health still 200, the API path fails fast with 502', async () => {
    const deadPort = await freePort();
    const down = await site('down', { SITE_API_UPSTREAM: `http://api.test:${deadPort}` });
    expect((await send(down.port, '/healthz')).status).toBe(200);
    expect((await send(down.port, '/courses/1')).body.toString()).toBe(INDEX);
    const res = await send(down.port, '/api/v1/me', { timeoutMs: 5000 });
    expect(res.status).toBe(502);
    expectSecurityHeaders(res);
    console.log(`API down: 502 after ${res.ms} ms`);
  });

  test('API name not resolvable at start: nginx starts, serves, then follows DNS once the name appears', async () => {
    const late = await site('late', { SITE_API_UPSTREAM: `http://api-late.test:${upstreamPort}` });
    expect((await send(late.port, '/healthz')).status).toBe(200);
    expect((await send(late.port, '/')).body.toString()).toBe(INDEX);
    const before = await send(late.port, '/api/late', { timeoutMs: 5000 });
    expect(before.status).toBe(502);
    expect(dns.queries).toContain('api-late.test');

    dns.records.set('api-late.test', '127.0.0.1');
    let after: RawResponse | undefined;
    for (let i = 0; i < 50 && after?.status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 200));
      after = await send(late.port, '/api/late', { timeoutMs: 5000 });
    }
    expect(after?.status).toBe(200);
    expect(late.nginx.stderr()).toContain('could not be resolved');
  });
});

describe("ECS Service Connect (names in /etc/hosts, which nginx's resolver ignores)", () => {
  const hosts = '127.0.0.1 api.learning-platform\n::1 api.learning-platform\n';

  test('unpinned, the name goes to DNS and fails: the reason the entrypoint script exists', async () => {
    const raw = await site('sc-raw', { SITE_API_UPSTREAM: `http://api.learning-platform:${upstreamPort}` });
    expect((await send(raw.port, '/api/sc-raw', { timeoutMs: 5000 })).status).toBe(502);
    expect(dns.queries).toContain('api.learning-platform');
  });

  test('pinned at start by 19-site-api-upstream.envsh, the API is reached without any DNS query', async () => {
    const pinned = sourceApiHostsScript({ SITE_API_UPSTREAM: `http://api.learning-platform:${upstreamPort}` }, hosts);
    expect(pinned.upstream).toBe(`http://127.0.0.1:${upstreamPort}`);
    const queriesBefore = dns.queries.length;
    const sc = await site('sc-pinned', { SITE_API_UPSTREAM: pinned.upstream });
    const res = await send(sc.port, '/api/sc-pinned', { headers: { host: 'acme.tenants.test' } });
    expect(res.status).toBe(200);
    expect(seen.find((s) => s.url === '/api/sc-pinned')?.headers['host']).toBe('acme.tenants.test');
    expect(dns.queries.length).toBe(queriesBefore);
  });
});

describe('logs and rendering', () => {
  test('every access log line is one JSON object', () => {
    const lines = up.nginx.accessLog();
    expect(lines.length).toBeGreaterThan(10);
    for (const line of lines) expect(() => JSON.parse(line) as unknown).not.toThrow();
    // health checks are not logged by default
    expect(lines.some((l) => l.includes('/healthz'))).toBe(false);
  });

  test.each([
    [
      'production',
      environmentFor({
        serverNames: ['zanda360.com', '*.zanda360.com', 'smartlms.co.uk', '*.smartlms.co.uk'],
        apiUpstream: 'http://api.learning-platform:3000',
        realIpFrom: '10.0.0.0/16',
      }),
    ],
    [
      'staging',
      environmentFor({
        serverNames: [
          'staging.zanda360.com',
          '*.staging.zanda360.com',
          'staging.smartlms.co.uk',
          '*.staging.smartlms.co.uk',
        ],
        apiUpstream: 'http://api-staging.learning-platform:3000',
        realIpFrom: '10.0.0.0/16',
        clientMaxBodySize: '100m',
      }),
    ],
    ['image defaults only', {}],
  ])('the %s environment renders a configuration nginx -t accepts', (name, env) => {
    const options: NginxConfigOptions = { root: path.join(work, 'html') };
    const containerEnv: Record<string, string> = {
      ...imageEnvironment(options),
      NGINX_LOCAL_RESOLVERS: localResolvers('nameserver 10.0.0.2\n'),
      ...env,
    };
    const rendered = renderTemplates(nginxFiles(options), containerEnv);
    expect(rendered.map((f) => f.path)).toEqual(['/etc/nginx/conf.d/default.conf']);
    expect(rendered[0]!.content).not.toMatch(/\$\{/);
    const dir = path.join(work, `t-${name.replace(/\W/g, '')}`);
    const result = nginxTest(dir, layout(dir, rendered));
    expect(result.output).toContain('test is successful');
    expect(readFileSync(path.join(dir, 'conf.d', 'default.conf'), 'utf8')).toContain(
      `server_name ${String(containerEnv['SITE_SERVER_NAMES'])};`,
    );
  });
});
