import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { apiHostsScript } from '../../src/entrypoint';

/**
 * Sources the generated entrypoint script the way docker-entrypoint.sh does (`set -e`, `. script`) with
 * the given environment and hosts file; returns SITE_API_UPSTREAM afterwards and what the script printed.
 */
export function sourceApiHostsScript(
  env: Record<string, string>,
  hosts: string,
  shell: readonly string[] = ['sh'],
): { upstream: string; log: string; status: number | null } {
  const dir = mkdtempSync(path.join(tmpdir(), 'nginx-envsh-'));
  try {
    const script = path.join(dir, '19-site-api-upstream.envsh');
    const hostsFile = path.join(dir, 'hosts');
    writeFileSync(script, apiHostsScript(), { mode: 0o755 });
    writeFileSync(hostsFile, hosts);
    const [program = 'sh', ...shellArgs] = shell;
    const result = spawnSync(
      program,
      [...shellArgs, '-c', 'set -e; . "$0"; printf "\\n=%s" "${SITE_API_UPSTREAM:-}"', script],
      {
        env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', SITE_HOSTS_FILE: hostsFile, ...env },
        encoding: 'utf8',
        // stdin not a socket: bash would take that for sshd and read ~/.bashrc
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const out = result.stdout;
    const at = out.lastIndexOf('\n=');
    return { upstream: out.slice(at + 2), log: out.slice(0, Math.max(at, 0)) + result.stderr, status: result.status };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
