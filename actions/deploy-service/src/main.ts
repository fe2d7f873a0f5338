import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  actionCredentials,
  awsClientConfig,
  DeployActionsError,
  errorMessage,
  md,
  runAction,
  type ActionIO,
} from '@deploy-actions/core';
import {
  ATTEMPT_TIMEOUT_MS,
  deployService,
  deploySummary,
  githubDeployments,
  realClock,
  registerOnly,
  type DeployDeps,
  type DeployResult,
  type DeploymentReporter,
} from '@deploy-actions/deploy';
import { AWS_ACTIONS_INPUTS } from './aws-actions';
import { readOptions, redactor } from './options';

export const ACTION = 'deploy-service';

/**
 * Every output, set on every run (empty when it does not apply), so `if: failure()` steps can read them.
 * run-task-arn is a JSON array, as aws-actions sets it (`[]` when run-task was asked for and no task started).
 */
function outputs(
  r: DeployResult | undefined,
  reporter: DeploymentReporter | undefined,
  ranTask: boolean,
): Record<string, string> {
  const values: Record<string, string | undefined> = {
    'task-definition-arn': r?.taskDefinitionArn,
    'previous-task-definition-arn': r?.previousTaskDefinitionArn,
    'deployment-id': r?.deploymentId,
    'service-deployment-arn': r?.serviceDeploymentArn,
    'github-deployment-id': reporter?.id !== undefined ? String(reporter.id) : undefined,
    outcome: r?.outcome ?? 'failed',
    cause: r?.cause,
    'lifecycle-stage': r?.lifecycleStage,
    'run-task-arn': ranTask ? JSON.stringify(r?.runTaskArn !== undefined ? [r.runTaskArn] : []) : undefined,
    'console-url': r?.links?.deployments,
    'duration-seconds': r ? String(r.durationSeconds) : undefined,
  };
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v ?? '']));
}

export async function main(io: ActionIO): Promise<void> {
  const options = await readOptions(io);
  for (const warning of options.warnings) io.log.warning(warning);
  // The SDK does not retry: deploy-service retries transient errors itself, until each phase's deadline.
  const config = awsClientConfig(
    { region: options.region, actionName: ACTION, maxAttempts: 1, credentials: actionCredentials(io) },
    io.env,
  );
  // Each attempt is abandoned after its time limit: a reply that never comes cannot hold the step.
  const requestHandler = { requestTimeout: ATTEMPT_TIMEOUT_MS, connectionTimeout: 3_000, throwOnRequestTimeout: true };
  const logClients = new Map<string, CloudWatchLogsClient>();
  const deps: DeployDeps = {
    ecs: new ECSClient({ ...config, requestHandler }),
    elb: new ElasticLoadBalancingV2Client({ ...config, requestHandler }),
    logs: (region) => {
      const key = region ?? config.region;
      let client = logClients.get(key);
      if (client === undefined) {
        client = new CloudWatchLogsClient({ ...config, region: key, requestHandler });
        logClients.set(key, client);
      }
      return client;
    },
    clock: realClock,
    log: io.log,
    redact: redactor(options.secrets),
  };
  const deploy = { ...options.deploy, region: config.region };
  const { service } = deploy;
  const ranTask = deploy.runTask !== undefined;
  let reporter: DeploymentReporter | undefined;
  if (options.github && service !== undefined) {
    const env = io.env;
    const repository = env['GITHUB_REPOSITORY'] ?? '';
    reporter = githubDeployments({
      token: options.github.token,
      repository,
      ref: env['GITHUB_SHA'] ?? env['GITHUB_REF'] ?? 'HEAD',
      environment: options.github.environment,
      environmentUrl: options.github.environmentUrl,
      logUrl: env['GITHUB_RUN_ID']
        ? `${env['GITHUB_SERVER_URL'] ?? 'https://github.com'}/${repository}/actions/runs/${env['GITHUB_RUN_ID']}`
        : undefined,
      description: `${service} in ${deploy.cluster}`,
      log: io.log,
    });
  }
  let result: DeployResult;
  try {
    result =
      service === undefined
        ? await registerOnly(deps, deploy)
        : await deployService(deps, { ...deploy, service }, reporter);
  } catch (error) {
    // Before the service was touched (the service is missing, registration refused): still say so everywhere.
    const message = deps.redact(errorMessage(error));
    for (const [name, value] of Object.entries(outputs(undefined, reporter, ranTask))) io.setOutput(name, value);
    await io.writeSummary(md.heading('deploy-service: ❌ failed before changing anything') + md.paragraph(message));
    await reporter?.finish('failure', message);
    throw error;
  }
  for (const [name, value] of Object.entries(outputs(result, reporter, ranTask))) io.setOutput(name, value);
  await io.writeSummary(deps.redact(deploySummary(result, deploy)));
  if (result.outcome === 'succeeded' || (result.outcome === 'in-progress' && result.cause === undefined)) {
    io.log.info(`deploy-service: ${result.message} in ${result.durationSeconds} s`);
    return;
  }
  throw new DeployActionsError(result.message);
}

export function run(io?: ActionIO): Promise<void> {
  return runAction({ name: ACTION, inputHints: AWS_ACTIONS_INPUTS }, main, io);
}
