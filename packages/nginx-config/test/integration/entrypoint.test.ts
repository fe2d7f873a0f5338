// The generated /docker-entrypoint.d script that pins a Service Connect API name from /etc/hosts, run by
// a real POSIX shell exactly as the official entrypoint sources it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { apiHostsScript } from '@deploy-actions/nginx-config';
import { sourceApiHostsScript } from '../support/entrypoint';

// What ECS writes for a Service Connect client: an IPv4 and an IPv6 address of the local proxy per name.
const SERVICE_CONNECT_HOSTS = [
  '127.0.0.1 localhost',
  '# Service Connect',
  '127.255.0.1 api.learning-platform',
  '2600:f0f0:0:0:0:0:0:1 api.learning-platform',
  '127.255.0.2 API-Staging.learning-platform other-alias',
  '',
].join('\n');

// dash is Debian's sh; the official Alpine image uses busybox ash (tested when installed).
const shells = [['sh'], ['bash'], ['busybox', 'sh']].filter(
  ([program]) => spawnSync('sh', ['-c', `command -v ${program}`]).status === 0,
);

describe.each(shells.map((shell) => [shell.join(' '), shell] as const))(
  '19-site-api-upstream.envsh under %s',
  (_name, shell) => {
    const run = (env: Record<string, string>, hosts = SERVICE_CONNECT_HOSTS) => sourceApiHostsScript(env, hosts, shell);

    test.each([
      ['http://api.learning-platform:3000', 'http://127.255.0.1:3000'], // Service Connect name -> IPv4
      ['http://api-staging.learning-platform:3000', 'http://127.255.0.2:3000'], // names are case-insensitive
      ['http://other-alias', 'http://127.255.0.2'],
      ['https://api.learning-platform', 'https://127.255.0.1'],
      ['http://api.internal.example:8080', 'http://api.internal.example:8080'], // not in hosts: DNS at request time
      ['http://10.0.4.4:3000', 'http://10.0.4.4:3000'],
      ['http://learning-platform:3000', 'http://learning-platform:3000'], // no partial matches
    ])('%s -> %s', (upstream, expected) => {
      const result = run({ SITE_API_UPSTREAM: upstream });
      expect(result.status).toBe(0);
      expect(result.upstream).toBe(expected);
      expect(result.log).toContain('19-site-api-upstream.envsh:');
    });

    test('no hosts file, no upstream, quiet logs: nothing changes and the entrypoint is not failed', () => {
      expect(run({}, '')).toMatchObject({ status: 0, upstream: '' });
      const quiet = run({ SITE_API_UPSTREAM: 'http://api.learning-platform:3000', NGINX_ENTRYPOINT_QUIET_LOGS: '1' });
      expect(quiet).toMatchObject({ status: 0, upstream: 'http://127.255.0.1:3000', log: '' });
    });
  },
);

test('shellcheck finds nothing in the script', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'nginx-envsh-'));
  try {
    const file = path.join(dir, 'script.sh');
    writeFileSync(file, apiHostsScript());
    const result = spawnSync('shellcheck', ['-s', 'sh', file], { encoding: 'utf8' });
    expect(result.error).toBeUndefined();
    expect(result.stdout).toBe('');
    expect(result.status).toBe(0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
