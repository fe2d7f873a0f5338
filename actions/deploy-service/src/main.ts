import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  actionCredentials,
  awsClientConfig,
  DeployActionsError,
  errorMessage,
  runAction,
  type ActionIO,
} from '@deploy-actions/core';
import {
  deployService,
  deploySummary,
  githubDeployments,
  realClock,
  type DeployDeps,
  type DeploymentReporter,
} from '@deploy-actions/deploy';
import { readOptions, redactor } from './options';

export const ACTION = 'deploy-service';

export async function main(io: ActionIO): Promise<void> {
  const options = await readOptions(io);
  for (const warning of options.warnings) io.log.warning(warning);
  const config = awsClientConfig(
    { region: options.region, actionName: ACTION, credentials: actionCredentials(io) },
    io.env,
  );
  // Bounded per-request time so a slow endpoint can never stall the step past its deadline.
  const requestHandler = { requestTimeout: 20_000, connectionTimeout: 5_000 };
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
  const { deploy } = options;
  let reporter: DeploymentReporter | undefined;
  if (options.github) {
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
      description: `${deploy.service} in ${deploy.cluster}`,
      log: io.log,
    });
  }
  let result: Awaited<ReturnType<typeof deployService>>;
  try {
    result = await deployService(deps, deploy, reporter);
  } catch (error) {
    // Before the service was touched (e.g. the service is missing, registration refused): still say so.
    io.setOutput('outcome', 'failed');
    await reporter?.finish('failure', deps.redact(errorMessage(error)));
    throw error;
  }
  const outputs: Record<string, string | undefined> = {
    'task-definition-arn': result.taskDefinitionArn,
    'previous-task-definition-arn': result.previousTaskDefinitionArn,
    'deployment-id': result.deploymentId,
    'github-deployment-id': reporter?.id !== undefined ? String(reporter.id) : undefined,
    outcome: result.outcome,
    'run-task-arn': result.runTaskArn,
    'duration-seconds': String(result.durationSeconds),
  };
  for (const [name, value] of Object.entries(outputs)) io.setOutput(name, value ?? '');
  await io.writeSummary(deps.redact(deploySummary(result, deploy)));
  if (result.outcome !== 'succeeded') throw new DeployActionsError(result.message);
  io.log.info(`deploy succeeded: ${result.message} in ${result.durationSeconds} s`);
}

export function run(io?: ActionIO): Promise<void> {
  return runAction(ACTION, main, io);
}
