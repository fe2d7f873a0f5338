import { getOctokit } from '@actions/github';
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
}

/**
 * A GitHub deployment for the ref with statuses in_progress, then success or failure. The API base is
 * GITHUB_API_URL (GitHub Enterprise, or a local stand-in in tests). Errors warn and never fail the deploy.
 */
export function githubDeployments(options: GitHubDeploymentOptions): DeploymentReporter {
  const octokit = getOctokit(options.token);
  const [owner = '', repo = ''] = options.repository.split('/');
  let id: number | undefined;
  const status = async (state: 'in_progress' | FinalState, description: string): Promise<void> => {
    if (id === undefined) return;
    await octokit.rest.repos.createDeploymentStatus({
      owner,
      repo,
      deployment_id: id,
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
        const created = await octokit.rest.repos.createDeployment({
          owner,
          repo,
          ref: options.ref,
          environment: options.environment,
          description: options.description.slice(0, 140),
          auto_merge: false,
          required_contexts: [],
        });
        if ('id' in created.data) id = created.data.id;
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
