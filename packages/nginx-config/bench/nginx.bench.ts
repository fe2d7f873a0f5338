// Figures for the generated configuration in Debian's nginx on 127.0.0.1: generation cost and size, then
// requests per second and latency for each kind of route (keep-alive clients, 16 in flight). The machine
// is shared, so these are indications, not limits; nothing here asserts.
import { createServer } from 'node:http';
import { Agent, request } from 'node:http';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { freePort } from '@deploy-actions/testing';
import type { Figure } from '../../../scripts/bench';
import { imageEnvironment, nginxFiles, renderTemplates } from '../src/index';
import { layout, startNginx } from '../test/support/nginx';

function get(agent: Agent, port: number, urlPath: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: urlPath, agent, headers: { host: 'app.test', ...headers } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

async function load(port: number, urlPath: string, total: number, headers: Record<string, string> = {}) {
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < total) {
        next += 1;
        const t = performance.now();
        const status = await get(agent, port, urlPath, headers);
        latencies.push(performance.now() - t);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const pct = (p: number): number => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
  return {
    rps: total / seconds,
    p50: pct(0.5),
    p99: pct(0.99),
    statuses: [...statuses].map(([s, n]) => `${n}×${s}`).join(' '),
  };
}

export default async function bench(): Promise<Figure[]> {
  const figures: Figure[] = [];
  const rounds = 200;
  const t0 = performance.now();
  for (let i = 0; i < rounds; i++) nginxFiles({ listen: String(8000 + i) });
  figures.push({ name: 'generate (nginxFiles)', value: ((performance.now() - t0) * 1000) / rounds, unit: 'µs/call' });
  figures.push({ name: 'template size', value: nginxFiles({})[0]!.content.length, unit: 'bytes' });

  const work = mkdtempSync(path.join(tmpdir(), 'nginx-bench-'));
  chmodSync(work, 0o755);
  const html = path.join(work, 'html');
  mkdirSync(path.join(html, 'assets'), { recursive: true });
  writeFileSync(path.join(html, 'index.html'), '<!doctype html><div id="app"></div>'.padEnd(2048, ' '));
  const js = 'export const x = 1;\n'.repeat(5000);
  writeFileSync(path.join(html, 'assets', 'app-1.js'), js);
  writeFileSync(path.join(html, 'assets', 'app-1.js.gz'), gzipSync(js, { level: 9 }));
  const upstream = createServer((_req, res) => res.end('{"ok":true}'));
  const upstreamPort = await freePort();
  await new Promise<void>((resolve) => upstream.listen(upstreamPort, '127.0.0.1', resolve));
  const port = await freePort();
  const deadPort = await freePort();
  const options = { listen: `127.0.0.1:${port}`, root: html };
  const env = {
    ...imageEnvironment(options),
    NGINX_LOCAL_RESOLVERS: '127.0.0.1:53',
    SITE_SERVER_NAMES: 'app.test',
    SITE_API_UPSTREAM: `http://127.0.0.1:${upstreamPort}`,
  };
  const dir = path.join(work, 'site');
  const nginx = await startNginx(dir, layout(dir, renderTemplates(nginxFiles(options), env)), port);
  const downDir = path.join(work, 'down');
  const downPort = await freePort();
  const downOptions = { listen: `127.0.0.1:${downPort}`, root: html };
  const down = await startNginx(
    downDir,
    layout(
      downDir,
      renderTemplates(nginxFiles(downOptions), {
        ...env,
        ...imageEnvironment(downOptions),
        NGINX_LOCAL_RESOLVERS: '127.0.0.1:53',
        SITE_SERVER_NAMES: 'app.test',
        SITE_API_UPSTREAM: `http://127.0.0.1:${deadPort}`,
      }),
    ),
    downPort,
  );
  try {
    const cases: [string, number, string, Record<string, string>][] = [
      ['health', port, '/healthz', {}],
      ['SPA deep link -> index.html', port, '/courses/1/lessons/2', {}],
      ['asset, gzip_static (100 KB -> .gz)', port, '/assets/app-1.js', { 'accept-encoding': 'gzip' }],
      ['missing asset (404)', port, '/assets/nope.js', {}],
      ['API proxied (node upstream)', port, '/api/ping', {}],
      ['API down (502)', downPort, '/api/ping', {}],
    ];
    for (const [name, p, url, headers] of cases) {
      await load(p, url, 200, headers); // warm-up
      const r = await load(p, url, 3000, headers);
      figures.push({ name: `${name}: throughput`, value: Math.round(r.rps), unit: 'req/s', note: r.statuses });
      figures.push({ name: `${name}: p50 / p99`, value: `${r.p50.toFixed(2)} / ${r.p99.toFixed(2)}`, unit: 'ms' });
    }
  } finally {
    await nginx.stop();
    await down.stop();
    await new Promise((resolve) => upstream.close(resolve));
    rmSync(work, { recursive: true, force: true });
  }
  return figures;
}
