import { errorMessage, type Log } from '@deploy-actions/core';

export type FinalState = 'success' | 'failure';

/** Reports the deploy to GitHub Deployments; never decides the outcome (AWS does). */
export interface DeploymentReporter {
  start(): Promise<void>;
  finish(state: FinalState, description: string): Promise<void>;
  readonly id: number | undefined;
}

export interface GitHubDeploymentOptions {
  readonly token: string;
  /** owner/repo */
  readonly repository: string;
  readonly ref: string;
  readonly environment: string;
  readonly environmentUrl?: string | undefined;
  readonly logUrl?: string | undefined;
  readonly description: string;
  readonly log: Log;
  /** REST API base; default GITHUB_API_URL (GitHub Enterprise, or a local stand-in in tests), else api.github.com. */
  readonly apiUrl?: string | undefined;
  /** Node's fetch unless a test injects one. */
  readonly fetch?: typeof fetch;
  /** Per request; a GitHub outage must not hold the deploy. Default 10 s. */
  readonly timeoutMs?: number;
}

/** A REST call that failed: the method, path and status, with GitHub's own message (never the token). */
export class GitHubApiError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
  ) {
    super(message);
    this.name = 'GitHubApiError';
  }
}

/**
 * fetch says only "fetch failed"; the reason (refused, DNS, TLS) is in its cause. Read by shape, not
 * instanceof: fetch's errors come from Node's own realm.
 */
function fetchFailure(error: unknown, timeoutMs: number): string {
  const e = (error ?? {}) as { name?: unknown; message?: unknown; cause?: { message?: unknown } };
  if (e.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  const message = typeof e.message === 'string' ? e.message : errorMessage(error);
  return typeof e.cause?.message === 'string' ? `${message} (${e.cause.message})` : message;
}

/**
 * The three REST calls this reporter makes, over Node's own fetch: no client library (and its HTTP stack) is
 * bundled for them. Headers as GitHub documents for the REST API; `token` auth as @actions/github sends it.
 */
function restClient(options: GitHubDeploymentOptions) {
  const base = (options.apiUrl ?? (process.env['GITHUB_API_URL'] || 'https://api.github.com')).replace(/\/+$/, '');
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 10_000;
  return async (path: string, body: Record<string, unknown>): Promise<Record<string, unknown>> => {
    let response: Response;
    try {
      response = await doFetch(`${base}${path}`, {
        method: 'POST',
        headers: {
          accept: 'application/vnd.github+json',
          authorization: `token ${options.token}`,
          'content-type': 'application/json; charset=utf-8',
          'user-agent': 'deploy-actions/deploy-service',
          'x-github-api-version': '2022-11-28',
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new GitHubApiError(`POST ${path}: ${fetchFailure(error, timeoutMs)}`, undefined);
    }
    const text = await response.text();
    let data: unknown;
    try {
      data = text === '' ? {} : JSON.parse(text);
    } catch {
      data = {};
    }
    const json = data !== null && typeof data === 'object' ? (data as Record<string, unknown>) : {};
    if (!response.ok) {
      const why = typeof json['message'] === 'string' ? `: ${json['message']}` : '';
      throw new GitHubApiError(`POST ${path} answered ${response.status}${why}`, response.status);
    }
    return json;
  };
}

/**
 * A GitHub deployment for the ref with statuses in_progress, then success or failure. Errors warn and never
 * fail the deploy.
 */
export function githubDeployments(options: GitHubDeploymentOptions): DeploymentReporter {
  const post = restClient(options);
  const [owner = '', repo = ''] = options.repository.split('/');
  const deployments = `/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}/deployments`;
  let id: number | undefined;
  const status = async (state: 'in_progress' | FinalState, description: string): Promise<void> => {
    if (id === undefined) return;
    await post(`${deployments}/${id}/statuses`, {
      state,
      description: description.slice(0, 140),
      ...(options.environmentUrl ? { environment_url: options.environmentUrl } : {}),
      ...(options.logUrl ? { log_url: options.logUrl } : {}),
      auto_inactive: true,
    });
  };
  return {
    get id() {
      return id;
    },
    async start() {
      try {
        const created = await post(deployments, {
          ref: options.ref,
          environment: options.environment,
          description: options.description.slice(0, 140),
          auto_merge: false,
          required_contexts: [],
        });
        // 202 (a merge happened or is needed) carries a message and no deployment.
        if (typeof created['id'] === 'number') id = created['id'];
        await status('in_progress', options.description);
        if (id !== undefined) options.log.info(`GitHub deployment ${id} for ${options.environment}: in_progress`);
      } catch (error) {
        options.log.warning(`GitHub deployment not recorded: ${errorMessage(error)}`);
      }
    },
    async finish(state, description) {
      try {
        await status(state, description);
        if (id !== undefined) options.log.info(`GitHub deployment ${id}: ${state}`);
      } catch (error) {
        options.log.warning(`GitHub deployment status not recorded: ${errorMessage(error)}`);
      }
    },
  };
}
