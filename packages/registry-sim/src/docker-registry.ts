import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

export interface DockerRegistry {
  readonly host: string;
  readonly url: string;
  stop(): Promise<void>;
}

export const DOCKER_REGISTRY_BIN = '/usr/bin/docker-registry';

/** Waits until a server process answers HTTP at `url`; kills it and fails with its stderr if it does not. */
export async function waitUntilServing(
  child: ChildProcess,
  url: string,
  name: string,
  timeoutMs: number,
): Promise<void> {
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await fetch(url, { signal: AbortSignal.timeout(1000) });
      return;
    } catch {
      if (child.exitCode !== null || Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`${name} did not start on ${url}:\n${stderr}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/**
 * An htpasswd line with a bcrypt hash (all docker-registry accepts). Uses Python's crypt (libxcrypt has
 * bcrypt) and falls back to the bcrypt module; no apache2-utils needed. Cost 4 keeps tests fast.
 */
export function htpasswdLine(user: string, password: string, python = 'python3'): string {
  const script = [
    'import sys',
    'try:',
    '    import crypt; h = crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16))',
    'except Exception:',
    '    import bcrypt; h = bcrypt.hashpw(sys.argv[1].encode(), bcrypt.gensalt(4)).decode()',
    'print(h)',
  ].join('\n');
  const hash = execFileSync(python, ['-W', 'ignore', '-c', script, password], { encoding: 'utf8' }).trim();
  if (!hash.startsWith('$2')) throw new Error(`could not make a bcrypt hash (got '${hash.slice(0, 4)}…')`);
  return `${user}:${hash}`;
}

/**
 * Starts Debian's docker-registry (CNCF distribution 2.8) on 127.0.0.1:port with filesystem storage in a
 * temporary directory, optionally behind htpasswd Basic auth, and waits until it answers.
 */
export async function startDockerRegistry(options: {
  port: number;
  users?: Readonly<Record<string, string>>;
}): Promise<DockerRegistry> {
  const dir = await mkdtemp(path.join(tmpdir(), 'docker-registry-'));
  const lines = [
    'version: 0.1',
    'log:',
    '  level: error',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${path.join(dir, 'data')}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${options.port}`,
    '  secret: test-only-secret',
  ];
  if (options.users) {
    const file = path.join(dir, 'htpasswd');
    await writeFile(
      file,
      Object.entries(options.users)
        .map(([u, p]) => htpasswdLine(u, p))
        .join('\n') + '\n',
    );
    lines.push('auth:', '  htpasswd:', '    realm: test-registry', `    path: ${file}`);
  }
  const config = path.join(dir, 'config.yml');
  await writeFile(config, lines.join('\n') + '\n');
  const child = spawn(DOCKER_REGISTRY_BIN, ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  const url = `http://127.0.0.1:${options.port}`;
  await waitUntilServing(child, `${url}/v2/`, 'docker-registry', 20000);
  return {
    host: `127.0.0.1:${options.port}`,
    url,
    stop: async () => {
      if (child.exitCode === null) {
        await new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        });
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
