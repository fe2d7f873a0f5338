import type { InputHints } from '@deploy-actions/core';

const CODEDEPLOY =
  "deploy-service does not start CodeDeploy deployments (a CODE_DEPLOY service is refused): move the service to ECS's own blue/green (deployment controller ECS, deploymentConfiguration.strategy BLUE_GREEN, LINEAR or CANARY), which deploy-service follows stage by stage, and remove the codedeploy-* inputs";

/**
 * Inputs a workflow written for aws-actions/amazon-ecs-deploy-task-definition v2.6.3 may pass that deploy-service
 * does not declare, with what to do instead (the closest-name guess would point elsewhere). Every other input of
 * theirs is one of ours; the runner upper-cases names, so their `run-task-assign-public-IP` is our
 * `run-task-assign-public-ip`.
 */
export const AWS_ACTIONS_INPUTS: InputHints = {
  'codedeploy-appspec': CODEDEPLOY,
  'codedeploy-application': CODEDEPLOY,
  'codedeploy-deployment-group': CODEDEPLOY,
  'codedeploy-deployment-description': CODEDEPLOY,
  'codedeploy-deployment-config': CODEDEPLOY,
  'max-retries':
    "remove it: deploy-service retries throttling, 5xx and network errors itself, with back-off, until each phase's deadline (wait-for-minutes)",
  'wait-max-delay-seconds':
    'use poll-interval-seconds: deploy-service polls at that fixed interval (default 5), never backing off',
  // render-task-def's inputs, given to the deploy step by mistake.
  'container-name':
    'deploy-service takes a rendered task definition: set the image with render-task-def in a step before',
  image: 'deploy-service takes a rendered task definition: set the image with render-task-def in a step before',
};
