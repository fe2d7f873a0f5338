import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { ConfigError } from '@deploy-actions/core';

export interface Created {
  /** Seconds since the epoch: file mtimes in the layers and the image's created time. */
  readonly epoch: number;
  /** RFC 3339, what the OCI created label and config carry. */
  readonly iso: string;
  /** Where it came from, for the log. */
  readonly source: string;
}

export interface CreatedSources {
  readonly env: NodeJS.ProcessEnv;
  /** `git log -1 --format=%ct <sha>` in the workspace; undefined when git or the commit is not there. */
  readonly gitCommitTime?: (workspace: string, sha: string) => Promise<number | undefined>;
  readonly readText?: (file: string) => Promise<string>;
}

export function gitCommitTime(workspace: string, sha: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    execFile('git', ['-C', workspace, 'log', '-1', '--format=%ct', sha], { timeout: 10000 }, (error, stdout) => {
      const n = Number(stdout.trim());
      resolve(error || !Number.isInteger(n) || stdout.trim() === '' ? undefined : n);
    });
  });
}

/**
 * The image's creation time, reproducible for a commit (never "now"): SOURCE_DATE_EPOCH, else the pushed head
 * commit's timestamp from the event payload, else the commit time from git, else the epoch (with a note).
 * It is also every file's mtime, so nginx's Last-Modified/ETag change when a new commit is deployed.
 */
export async function creationTime(sources: CreatedSources): Promise<Created> {
  const { env } = sources;
  const make = (epoch: number, source: string): Created => ({
    epoch,
    iso: new Date(epoch * 1000).toISOString().replace(/\.000Z$/, 'Z'),
    source,
  });
  const sde = env['SOURCE_DATE_EPOCH'];
  if (sde !== undefined && sde !== '') {
    if (!/^\d+$/.test(sde)) throw new ConfigError('SOURCE_DATE_EPOCH', `'${sde}' is not a whole number of seconds`);
    return make(Number(sde), 'SOURCE_DATE_EPOCH');
  }
  const sha = env['GITHUB_SHA'] ?? '';
  const eventPath = env['GITHUB_EVENT_PATH'];
  if (eventPath) {
    try {
      const event = JSON.parse(await (sources.readText ?? ((f) => readFile(f, 'utf8')))(eventPath)) as {
        head_commit?: { id?: string; timestamp?: string };
      };
      const ts = event.head_commit?.id === sha ? event.head_commit.timestamp : undefined;
      const ms = ts ? Date.parse(ts) : NaN;
      if (!Number.isNaN(ms)) return make(Math.floor(ms / 1000), 'the pushed commit (event payload)');
    } catch {
      // no readable payload: fall through to git
    }
  }
  const workspace = env['GITHUB_WORKSPACE'];
  if (workspace && sha) {
    const t = await (sources.gitCommitTime ?? gitCommitTime)(workspace, sha);
    if (t !== undefined) return make(t, 'the commit (git)');
  }
  return make(0, 'none found (set SOURCE_DATE_EPOCH or check out the repository)');
}
