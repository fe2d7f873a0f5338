import { LogDriver } from '@aws-sdk/client-ecs';
import { containerLabel, enumValues, type Check } from './context';

const FARGATE_DRIVERS = ['awslogs', 'splunk', 'awsfirelens'];

export function logging(c: Check): void {
  c.containers.forEach((d, i) => {
    const log = d.logConfiguration;
    if (!log) return;
    const at = (field: string, problem: string, fix?: string): void =>
      c.at(`${containerLabel(i, d)}.logConfiguration.${field}`, problem, fix);
    if (!log.logDriver) at('logDriver', 'is missing', c.fix('logDriver', 'set it, e.g. "awslogs"'));
    else if (!enumValues(LogDriver).includes(log.logDriver)) {
      at('logDriver', 'is not a log driver', `use one of: ${enumValues(LogDriver).join(', ')}`);
    } else if (c.fargate && !FARGATE_DRIVERS.includes(log.logDriver)) {
      at('logDriver', `${log.logDriver} is not available on Fargate`, `use one of: ${FARGATE_DRIVERS.join(', ')}`);
    }
    if (log.logDriver !== LogDriver.AWSLOGS) return;
    for (const option of ['awslogs-group', 'awslogs-region']) {
      if (!log.options?.[option]) at(`options.${option}`, 'is missing; awslogs needs it', `set ${option}`);
    }
    if (c.fargate && !log.options?.['awslogs-stream-prefix']) {
      at(
        'options.awslogs-stream-prefix',
        'is missing; Fargate needs it with awslogs',
        'set awslogs-stream-prefix, e.g. "ecs"',
      );
    }
  });
}
