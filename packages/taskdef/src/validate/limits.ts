import type { Check } from './context';

/**
 * Amazon ECS service quotas that RegisterTaskDefinition enforces and no request raises:
 * - "Containers per task definition": 10, not adjustable (the Amazon ECS Developer Guide's service quotas page,
 *   https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html).
 * - "Task definition size limit": 64 KiB, not adjustable (the same page's table in AWS's documentation source,
 *   github.com/awsdocs/amazon-ecs-developer-guide doc_source/service-quotas.md). ECS answers a larger one with
 *   "Max allowed length is '65536' bytes", so the limit is the UTF-8 bytes of the JSON request.
 */
export const MAX_CONTAINERS = 10;
export const MAX_TASK_DEFINITION_BYTES = 64 * 1024;
const QUOTAS = 'https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html';

export function limits(c: Check): void {
  const count = c.containers.length;
  if (count > MAX_CONTAINERS) {
    c.at(
      'containerDefinitions',
      `has ${count} containers; ECS allows at most ${MAX_CONTAINERS} (Amazon ECS service quota "Containers per task definition": ${MAX_CONTAINERS}, not adjustable; ${QUOTAS})`,
      'split the containers over several task definitions or services',
    );
  }
  const bytes = Buffer.byteLength(JSON.stringify(c.td), 'utf8');
  if (bytes > MAX_TASK_DEFINITION_BYTES) {
    c.at(
      'the whole task definition',
      `is ${(bytes / 1024).toFixed(1)} KiB; ECS registers at most ${MAX_TASK_DEFINITION_BYTES / 1024} KiB (Amazon ECS service quota "Task definition size limit": ${MAX_TASK_DEFINITION_BYTES / 1024} KiB, not adjustable; ${QUOTAS})`,
      'move large values (environment, commands) to environmentFiles, Parameter Store or the image',
    );
  }
}
