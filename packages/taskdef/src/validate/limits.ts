import type { Check } from './context';

/**
 * Amazon ECS service quotas that RegisterTaskDefinition enforces and no setting raises, from
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html: "Containers per task
 * definition: 10 (not adjustable)" and "Task definition size: 64 KiB (not adjustable)".
 */
export const MAX_CONTAINERS = 10;
export const MAX_TASK_DEFINITION_BYTES = 64 * 1024;
const QUOTAS =
  'Amazon ECS service quotas, https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html';

export function limits(c: Check): void {
  const count = c.containers.length;
  if (count > MAX_CONTAINERS) {
    c.at(
      'containerDefinitions',
      `has ${count} containers; ECS allows at most ${MAX_CONTAINERS} per task definition (${QUOTAS})`,
      'split the containers over several task definitions or services',
    );
  }
  const bytes = Buffer.byteLength(JSON.stringify(c.td), 'utf8');
  if (bytes > MAX_TASK_DEFINITION_BYTES) {
    c.at(
      'the whole task definition',
      `is ${(bytes / 1024).toFixed(1)} KiB; ECS registers at most ${MAX_TASK_DEFINITION_BYTES / 1024} KiB (${QUOTAS})`,
      'move large values (environment, commands) to environmentFiles, Parameter Store or the image',
    );
  }
}
