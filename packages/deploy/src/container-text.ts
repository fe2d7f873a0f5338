import type { DeployDeps } from './deps';

/**
 * The one gate for text that comes from a task or its containers (log lines, stopped reasons, container
 * reasons) before it is printed, put in the summary or returned: such text may hold values deploy-service
 * never saw (ECS injects secrets into containers), so anything that makes it safe to show belongs here.
 */
export function containerText(deps: Pick<DeployDeps, 'redact'>, text: string): string {
  return deps.redact(text.replace(/\r?\n$/, ''));
}
