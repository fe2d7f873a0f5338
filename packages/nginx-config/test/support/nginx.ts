import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { waitForHttp } from '@deploy-actions/testing';
import type { FileEntry } from '../../src/envsubst';

export const NGINX_BIN = ['/usr/sbin/nginx', '/usr/local/sbin/nginx'].find((bin) => existsSync(bin)) ?? 'nginx';

/**
 * Lays out a prefix directory the way the official image does (conf.d included inside http{}), with the
 * rendered files from renderTemplates written under DIR/conf.d. The wrapper stands in for the image's own
 * /etc/nginx/nginx.conf and only adds what running unprivileged needs (pid, temp paths).
 */
export function layout(dir: string, rendered: readonly FileEntry[]): string {
  for (const sub of ['conf.d', 'tmp']) mkdirSync(path.join(dir, sub), { recursive: true });
  for (const file of rendered) {
    const target = path.join(dir, 'conf.d', path.basename(file.path));
    writeFileSync(target, file.content);
  }
  const tmp = path.join(dir, 'tmp');
  const conf = path.join(dir, 'nginx.conf');
  writeFileSync(
    conf,
    [
      `pid ${dir}/nginx.pid;`,
      'error_log stderr notice;',
      'worker_processes 1;',
      'events { worker_connections 256; }',
      'http {',
      '    include /etc/nginx/mime.types;',
      '    default_type application/octet-stream;',
      '    sendfile on;',
      ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `    ${t}_temp_path ${tmp}/${t};`),
      `    include ${dir}/conf.d/*.conf;`,
      '}',
      '',
    ].join('\n'),
  );
  return conf;
}

/** `nginx -t` on a laid-out prefix: exit code and output. */
export function nginxTest(dir: string, conf: string): { ok: boolean; output: string } {
  // stdout is /dev/null, not a pipe: libuv's pipes are sockets, which open("/dev/stdout") refuses (ENXIO).
  const result = spawnSync(NGINX_BIN, ['-t', '-p', dir, '-c', conf], {
    encoding: 'utf8',
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return { ok: result.status === 0, output: result.stderr };
}

export interface RunningNginx {
  /** Access log lines: what nginx wrote to its stdout. */
  accessLog(): string[];
  stderr(): string;
  stop(): Promise<void>;
}

/** Starts nginx in the foreground and waits until the health endpoint answers. */
export async function startNginx(
  dir: string,
  conf: string,
  port: number,
  healthPath = '/healthz',
): Promise<RunningNginx> {
  // stdout goes to a file (as a container runtime gives it a fifo): a socket could not be opened as /dev/stdout.
  const logFile = path.join(dir, 'stdout.log');
  const fd = openSync(logFile, 'w');
  const child: ChildProcess = spawn(NGINX_BIN, ['-p', dir, '-c', conf, '-g', 'daemon off;'], {
    stdio: ['ignore', fd, 'pipe'],
  });
  closeSync(fd);
  const accessLog = (): string[] =>
    readFileSync(logFile, 'utf8')
      .split('\n')
      .filter((line) => line !== '');
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGQUIT');
    });
  try {
    await waitForHttp(`http://127.0.0.1:${port}${healthPath}`, 10000);
  } catch (error) {
    await stop();
    throw new Error(`nginx did not start: ${String(error)}\n${stderr}`);
  }
  return { accessLog, stderr: () => stderr, stop };
}
