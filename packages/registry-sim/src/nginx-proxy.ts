import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { waitUntilServing } from './docker-registry';

export const NGINX_BIN = ['/usr/sbin/nginx', '/usr/local/sbin/nginx'].find((bin) => existsSync(bin)) ?? 'nginx';

export interface NginxProxy {
  readonly host: string;
  stop(): Promise<void>;
}

/**
 * Debian's nginx as the reverse proxy in front of a registry, the way registries are often run: it closes a
 * client connection that stays idle for `keepaliveTimeout` seconds (nginx's keepalive_timeout, like a load
 * balancer's idle timeout) and streams uploads through unbuffered. Its own process, so it keeps its timers
 * while the process under test is busy.
 */
export async function startNginxProxy(options: {
  target: string;
  port: number;
  keepaliveTimeout: number;
}): Promise<NginxProxy> {
  const dir = await mkdtemp(path.join(tmpdir(), 'nginx-proxy-'));
  await mkdir(path.join(dir, 'tmp'));
  const conf = path.join(dir, 'nginx.conf');
  await writeFile(
    conf,
    [
      `pid ${dir}/nginx.pid;`,
      'error_log stderr error;',
      'worker_processes 1;',
      'events { worker_connections 256; }',
      'http {',
      '    access_log off;',
      ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `    ${t}_temp_path ${dir}/tmp/${t};`),
      `    keepalive_timeout ${options.keepaliveTimeout}s;`,
      '    server {',
      `        listen 127.0.0.1:${options.port};`,
      '        client_max_body_size 0;',
      '        location / {',
      `            proxy_pass http://${options.target};`,
      '            proxy_http_version 1.1;',
      '            proxy_set_header Host $http_host;',
      '            proxy_request_buffering off;',
      '            proxy_buffering off;',
      '            proxy_read_timeout 120s;',
      '        }',
      '    }',
      '}',
      '',
    ].join('\n'),
  );
  const child = spawn(NGINX_BIN, ['-p', dir, '-c', conf, '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
  await waitUntilServing(child, `http://127.0.0.1:${options.port}/v2/`, 'nginx (registry proxy)', 10000);
  return {
    host: `127.0.0.1:${options.port}`,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        await new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          child.kill('SIGQUIT');
        });
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
