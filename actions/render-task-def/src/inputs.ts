import type { FieldInputs, RenderLabels } from '@deploy-actions/taskdef';

/** Input names in one place (aws-actions/amazon-ecs-render-task-definition's where they exist). */
export const INPUT = {
  taskDefinition: 'task-definition',
  family: 'task-definition-family',
  revision: 'task-definition-revision',
  arn: 'task-definition-arn',
  containerName: 'container-name',
  image: 'image',
  images: 'images',
  envFiles: 'env-files',
  environment: 'environment-variables',
  environmentMode: 'environment-mode',
  secrets: 'secrets',
  secretsMode: 'secrets-mode',
  manifest: 'parameters-manifest',
  manifestEnvironment: 'environment',
  accountId: 'aws-account-id',
  region: 'aws-region',
  logDriver: 'log-configuration-log-driver',
  logOptions: 'log-configuration-options',
  dockerLabels: 'docker-labels',
  command: 'command',
  cpu: 'cpu',
  memory: 'memory',
  taskRoleArn: 'task-role-arn',
  executionRoleArn: 'execution-role-arn',
  tags: 'tags',
  unknownKeys: 'unknown-keys',
} as const;

/** `input 'name'`, how every message names an input. */
export function input(name: string): string {
  return `input '${name}'`;
}

/** The task definition fields this action's inputs set, so validation messages can name them. */
export const FIELD_INPUTS: FieldInputs = {
  image: INPUT.image,
  cpu: INPUT.cpu,
  memory: INPUT.memory,
  taskRoleArn: INPUT.taskRoleArn,
  executionRoleArn: INPUT.executionRoleArn,
  logDriver: INPUT.logDriver,
};

/** How the render library names its options in messages: this action's inputs. */
export const RENDER_LABELS: RenderLabels = {
  containers: input(INPUT.containerName),
  image: input(INPUT.image),
  images: input(INPUT.images),
  manifestSecrets: input(INPUT.manifest),
};
