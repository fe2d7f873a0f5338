import { containerLabel, duplicates, ENV_NAME, type Check } from './context';

/** Environment variables and secrets: names present and valid, each name once, never both plain and secret. */
export function variables(c: Check): void {
  c.containers.forEach((d, i) => {
    const label = containerLabel(i, d);
    const at = (field: string, problem: string, fix?: string): void => c.at(`${label}.${field}`, problem, fix);
    const envNames = (d.environment ?? []).map((e, j) => {
      if (!e.name) at(`environment[${j}].name`, 'is missing', 'every variable needs a name');
      else if (!ENV_NAME.test(e.name)) {
        at(
          `environment[${j}].name`,
          'is not a valid variable name',
          'use letters, digits and underscores, not starting with a digit',
        );
      }
      if (e.value === undefined) at(`environment[${j}].value`, 'is missing', 'set "value" (use "" for empty)');
      return e.name ?? '';
    });
    // Names are repeated only when they are valid ones (an invalid name is reported by its index above).
    for (const name of duplicates(envNames.filter((n) => ENV_NAME.test(n)))) {
      at('environment', `the variable '${name}' is set twice`, 'keep one entry per name');
    }
    const secretNames = (d.secrets ?? []).map((s, j) => {
      if (!s.name) at(`secrets[${j}].name`, 'is missing', 'every secret needs a name');
      if (!s.valueFrom || s.valueFrom.trim() === '') {
        at(`secrets[${j}].valueFrom`, 'is missing', 'set "valueFrom" to the SSM parameter or Secrets Manager ARN');
      }
      return s.name ?? '';
    });
    for (const name of duplicates(secretNames.filter((n) => ENV_NAME.test(n)))) {
      at('secrets', `the secret '${name}' is set twice`, 'keep one entry per name');
    }
    for (const name of secretNames.filter((n) => ENV_NAME.test(n) && envNames.includes(n))) {
      at('secrets', `'${name}' is both an environment variable and a secret`, 'keep it in one of the two lists');
    }
  });
}

/** Where ECS itself needs the execution role, and refuses the registration without one. */
export function executionRole(c: Check): void {
  if (c.td.executionRoleArn) return;
  const needs: string[] = [];
  c.containers.forEach((d, i) => {
    const label = containerLabel(i, d);
    if ((d.secrets ?? []).length > 0) needs.push(`${label} uses secrets`);
    if ((d.logConfiguration?.secretOptions ?? []).length > 0) needs.push(`${label} uses log secretOptions`);
    if (d.repositoryCredentials) needs.push(`${label} uses private registry credentials`);
    if (c.fargate && d.logConfiguration?.logDriver === 'awslogs') needs.push(`${label} logs to CloudWatch on Fargate`);
    if (c.fargate && /\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\//.test(d.image ?? '')) {
      needs.push(`${label} pulls from ECR on Fargate`);
    }
  });
  const first = needs[0];
  if (first !== undefined) {
    c.at(
      'executionRoleArn',
      `is missing but ${first}${needs.length > 1 ? ` (and ${needs.length - 1} more)` : ''}`,
      c.fix(
        'executionRoleArn',
        'set "executionRoleArn" to a role ECS can use to pull images, read secrets and write logs',
      ),
    );
  }
}
