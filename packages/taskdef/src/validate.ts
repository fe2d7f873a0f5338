import {
  ApplicationProtocol,
  Compatibility,
  ContainerCondition,
  LogDriver,
  NetworkMode,
  TransportProtocol,
  type ContainerDefinition,
  type RegisterTaskDefinitionCommandInput,
} from '@aws-sdk/client-ecs';
import { ErrorCollector } from '@deploy-actions/core';
import { describeRange, FARGATE_SIZES, fargateMemoryOptions, parseCpuUnits, parseMemoryMiB } from './fargate';

const NAME = /^[A-Za-z0-9_-]{1,255}$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** `containerDefinitions[1] ('nginx')`: index and name, so the user finds the container in either form. */
export function containerLabel(index: number, container: ContainerDefinition | undefined): string {
  return `containerDefinitions[${index}]${container?.name ? ` ('${container.name}')` : ''}`;
}

function enumValues(e: Record<string, string>): string[] {
  return Object.values(e);
}

function duplicates(names: readonly string[]): string[] {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const n of names) (seen.has(n) ? dup : seen).add(n);
  return [...dup];
}

/**
 * Checks a cleaned task definition the way ECS would at registration (and at task start, for the Fargate size
 * table and awsvpc port rules), reporting every problem at once as ConfigErrors. `where` names the source,
 * e.g. `file '.aws/task-definition.json'`.
 */
export function validateTaskDefinition(td: RegisterTaskDefinitionCommandInput, where: string): void {
  const errors = new ErrorCollector();
  const at = (path: string, problem: string, fix?: string): void => errors.add(`${where} at ${path}`, problem, fix);

  if (!td.family) at('family', 'is missing', 'set "family": the name the task definition is registered under');
  else if (!NAME.test(td.family)) {
    at('family', `'${td.family}' is not a valid family name`, 'use up to 255 letters, digits, hyphens and underscores');
  }

  const fargate = (td.requiresCompatibilities ?? []).includes(Compatibility.FARGATE);
  for (const [i, c] of (td.requiresCompatibilities ?? []).entries()) {
    if (!enumValues(Compatibility).includes(c)) {
      at(`requiresCompatibilities[${i}]`, `'${c}' is not a launch type`, `use ${enumValues(Compatibility).join(', ')}`);
    }
  }
  if (td.networkMode !== undefined && !enumValues(NetworkMode).includes(td.networkMode)) {
    at('networkMode', `'${td.networkMode}' is not a network mode`, `use ${enumValues(NetworkMode).join(', ')}`);
  }
  if (fargate && td.networkMode !== NetworkMode.AWSVPC) {
    at(
      'networkMode',
      td.networkMode === undefined
        ? 'is missing but Fargate requires awsvpc'
        : `is '${td.networkMode}' but Fargate requires awsvpc`,
      'set "networkMode": "awsvpc"',
    );
  }
  const awsvpc = td.networkMode === NetworkMode.AWSVPC || (fargate && td.networkMode === undefined);

  // Task size.
  let taskCpu: number | undefined;
  let taskMemory: number | undefined;
  if (td.cpu !== undefined) {
    taskCpu = parseCpuUnits(td.cpu);
    if (taskCpu === undefined) at('cpu', `'${td.cpu}' is not a CPU size`, 'use CPU units such as "512" or "1 vCPU"');
  }
  if (td.memory !== undefined) {
    taskMemory = parseMemoryMiB(td.memory);
    if (taskMemory === undefined)
      at('memory', `'${td.memory}' is not a memory size`, 'use MiB such as "1024" or "2 GB"');
  }
  if (fargate) {
    if (td.cpu === undefined) at('cpu', 'is missing; Fargate needs a task-level cpu', 'set "cpu", e.g. "256"');
    if (td.memory === undefined)
      at('memory', 'is missing; Fargate needs a task-level memory', 'set "memory", e.g. "512"');
    if (taskCpu !== undefined && !FARGATE_SIZES.some((s) => s.cpu === taskCpu)) {
      at(
        'cpu',
        `${taskCpu} CPU units is not a Fargate size`,
        `use one of ${FARGATE_SIZES.map((s) => s.cpu).join(', ')}`,
      );
    } else if (
      taskCpu !== undefined &&
      taskMemory !== undefined &&
      !fargateMemoryOptions(taskCpu).includes(taskMemory)
    ) {
      at(
        'memory',
        `${taskMemory} MiB is not allowed with cpu ${taskCpu} on Fargate`,
        `with cpu ${taskCpu} use memory ${describeRange(taskCpu)}`,
      );
    }
  }
  if (td.taskRoleArn !== undefined && !ROLE_ARN.test(td.taskRoleArn)) {
    at('taskRoleArn', `'${td.taskRoleArn}' is not an IAM role ARN`, 'use arn:aws:iam::<account>:role/<name>');
  }
  if (td.executionRoleArn !== undefined && !ROLE_ARN.test(td.executionRoleArn)) {
    at('executionRoleArn', `'${td.executionRoleArn}' is not an IAM role ARN`, 'use arn:aws:iam::<account>:role/<name>');
  }
  const storage = td.ephemeralStorage?.sizeInGiB;
  if (storage !== undefined && (storage < 21 || storage > 200)) {
    at('ephemeralStorage.sizeInGiB', `${storage} GiB is out of range`, 'use 21..200 (the default is 20 GiB)');
  }
  const volumes = (td.volumes ?? []).map((v) => v.name ?? '');
  for (const name of duplicates(volumes))
    at('volumes', `the volume name '${name}' is used twice`, 'give each volume its own name');

  // Containers.
  const containers = td.containerDefinitions ?? [];
  if (containers.length === 0) {
    at('containerDefinitions', 'has no containers', 'add at least one container with a name and an image');
  }
  const names = containers.map((c) => c.name ?? '');
  for (const name of duplicates(names.filter((n) => n !== ''))) {
    at('containerDefinitions', `the container name '${name}' is used twice`, 'give each container its own name');
  }
  if (containers.length > 0 && !containers.some((c) => c.essential !== false)) {
    at('containerDefinitions', 'has no essential container', 'set "essential": true on the main container');
  }
  let sumMemory = 0;
  let sumCpu = 0;
  const needsExecutionRole: string[] = [];
  const hostPorts = new Map<string, string>();
  containers.forEach((c, i) => {
    const label = containerLabel(i, c);
    const cat = (field: string, problem: string, fix?: string): void => at(`${label}.${field}`, problem, fix);
    if (!c.name) cat('name', 'is missing', 'give the container a name (letters, digits, hyphens, underscores)');
    else if (!NAME.test(c.name))
      cat('name', `'${c.name}' is not a valid container name`, 'use letters, digits, hyphens and underscores');
    if (!c.image || c.image.trim() === '')
      cat('image', 'is missing', 'set "image", or pass the image input for this container');
    else if (/\s/.test(c.image))
      cat('image', `'${c.image}' contains whitespace`, 'use a reference such as registry/repo:tag or repo@sha256:...');

    const hard = c.memory;
    if (hard !== undefined) {
      sumMemory += hard;
      if (hard < 6) cat('memory', `${hard} MiB is too little`, 'use at least 6 MiB');
      if (taskMemory !== undefined && hard > taskMemory) {
        cat('memory', `${hard} MiB is more than the task's ${taskMemory} MiB`, 'lower it or raise the task memory');
      }
    }
    const soft = c.memoryReservation;
    if (soft !== undefined) {
      if (hard !== undefined && soft > hard) {
        cat(
          'memoryReservation',
          `${soft} MiB is more than the container's memory ${hard} MiB`,
          'make it at most memory',
        );
      }
      if (taskMemory !== undefined && soft > taskMemory) {
        cat(
          'memoryReservation',
          `${soft} MiB is more than the task's ${taskMemory} MiB`,
          'lower it or raise the task memory',
        );
      }
    }
    if (!fargate && taskMemory === undefined && hard === undefined && soft === undefined) {
      cat(
        'memory',
        'is missing and the task has no memory',
        'set the container memory or memoryReservation, or the task memory',
      );
    }
    if (c.cpu !== undefined) {
      sumCpu += c.cpu;
      if (taskCpu !== undefined && c.cpu > taskCpu)
        cat('cpu', `${c.cpu} CPU units is more than the task's ${taskCpu}`, 'lower it or raise the task cpu');
    }

    (c.portMappings ?? []).forEach((p, j) => {
      const field = `portMappings[${j}]`;
      if (p.containerPort === undefined && p.containerPortRange === undefined) {
        cat(field, 'has no containerPort', 'set "containerPort"');
      }
      for (const key of ['containerPort', 'hostPort'] as const) {
        const port = p[key];
        if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
          cat(`${field}.${key}`, `${port} is not a port number`, 'use 0..65535');
        }
      }
      if (awsvpc && p.hostPort !== undefined && p.containerPort !== undefined && p.hostPort !== p.containerPort) {
        cat(
          `${field}.hostPort`,
          `is ${p.hostPort} but containerPort is ${p.containerPort}; under awsvpc they must be equal`,
          `remove hostPort or set it to ${p.containerPort}`,
        );
      }
      if (p.protocol !== undefined && !enumValues(TransportProtocol).includes(p.protocol)) {
        cat(`${field}.protocol`, `'${p.protocol}' is not a protocol`, 'use tcp or udp');
      }
      if (p.appProtocol !== undefined && !enumValues(ApplicationProtocol).includes(p.appProtocol)) {
        cat(
          `${field}.appProtocol`,
          `'${p.appProtocol}' is not an app protocol`,
          `use ${enumValues(ApplicationProtocol).join(', ')}`,
        );
      }
      if (awsvpc && p.containerPort !== undefined) {
        const key = `${p.containerPort}/${p.protocol ?? 'tcp'}`;
        const other = hostPorts.get(key);
        if (other !== undefined) {
          cat(
            `${field}.containerPort`,
            `${key} is already used by ${other}; containers of an awsvpc task share one network`,
            'use another port',
          );
        } else hostPorts.set(key, label);
      }
    });
    if (awsvpc && (c.links ?? []).length > 0)
      cat('links', 'is not supported with awsvpc', 'remove links; containers reach each other on localhost');

    const envNames = (c.environment ?? []).map((e, j) => {
      if (!e.name) cat(`environment[${j}].name`, 'is missing', 'every variable needs a name');
      else if (!ENV_NAME.test(e.name))
        cat(
          `environment[${j}].name`,
          `'${e.name}' is not a valid variable name`,
          'use letters, digits and underscores, not starting with a digit',
        );
      if (e.value === undefined)
        cat(`environment[${j}].value`, `is missing for '${e.name ?? ''}'`, 'set "value" (use "" for empty)');
      return e.name ?? '';
    });
    for (const name of duplicates(envNames.filter((n) => n !== ''))) {
      cat('environment', `the variable '${name}' is set twice`, 'keep one entry per name');
    }
    const secretNames = (c.secrets ?? []).map((s, j) => {
      if (!s.name) cat(`secrets[${j}].name`, 'is missing', 'every secret needs a name');
      if (!s.valueFrom || s.valueFrom.trim() === '') {
        cat(
          `secrets[${j}].valueFrom`,
          `is missing for '${s.name ?? ''}'`,
          'set "valueFrom" to the SSM parameter or Secrets Manager ARN',
        );
      }
      return s.name ?? '';
    });
    for (const name of duplicates(secretNames.filter((n) => n !== ''))) {
      cat('secrets', `the secret '${name}' is set twice`, 'keep one entry per name');
    }
    for (const name of secretNames.filter((n) => n !== '' && envNames.includes(n))) {
      cat('secrets', `'${name}' is both an environment variable and a secret`, 'keep it in one of the two lists');
    }
    if (secretNames.length > 0) needsExecutionRole.push(`${label} uses secrets`);
    if (c.repositoryCredentials) needsExecutionRole.push(`${label} uses private registry credentials`);

    const log = c.logConfiguration;
    if (log) {
      if (!log.logDriver) cat('logConfiguration.logDriver', 'is missing', 'set it, e.g. "awslogs"');
      else if (!enumValues(LogDriver).includes(log.logDriver)) {
        cat(
          'logConfiguration.logDriver',
          `'${log.logDriver}' is not a log driver`,
          `use ${enumValues(LogDriver).join(', ')}`,
        );
      } else if (fargate && !['awslogs', 'splunk', 'awsfirelens'].includes(log.logDriver)) {
        cat(
          'logConfiguration.logDriver',
          `'${log.logDriver}' is not available on Fargate`,
          'use awslogs, splunk or awsfirelens',
        );
      }
      if (log.logDriver === LogDriver.AWSLOGS) {
        for (const option of ['awslogs-group', 'awslogs-region']) {
          if (!log.options?.[option])
            cat(`logConfiguration.options.${option}`, 'is missing; awslogs needs it', `set ${option}`);
        }
        if (fargate && !log.options?.['awslogs-stream-prefix']) {
          cat(
            'logConfiguration.options.awslogs-stream-prefix',
            'is missing; Fargate needs it with awslogs',
            'set awslogs-stream-prefix, e.g. "ecs"',
          );
        }
        if (fargate) needsExecutionRole.push(`${label} logs to CloudWatch`);
      }
    }

    (c.dependsOn ?? []).forEach((d, j) => {
      if (!d.containerName || !names.includes(d.containerName)) {
        cat(
          `dependsOn[${j}].containerName`,
          `'${d.containerName ?? ''}' is not a container of this task`,
          `use one of: ${names.join(', ')}`,
        );
      } else if (d.containerName === c.name) {
        cat(`dependsOn[${j}].containerName`, 'a container cannot depend on itself', 'remove this entry');
      }
      if (d.condition === undefined || !enumValues(ContainerCondition).includes(d.condition)) {
        cat(
          `dependsOn[${j}].condition`,
          `'${d.condition ?? ''}' is not a condition`,
          `use ${enumValues(ContainerCondition).join(', ')}`,
        );
      }
    });
    (c.mountPoints ?? []).forEach((m, j) => {
      if (!m.sourceVolume || !volumes.includes(m.sourceVolume)) {
        cat(
          `mountPoints[${j}].sourceVolume`,
          `'${m.sourceVolume ?? ''}' is not a volume of this task`,
          volumes.length ? `use one of: ${volumes.join(', ')}` : 'declare it under "volumes"',
        );
      }
    });
    if (c.healthCheck && (c.healthCheck.command ?? []).length === 0) {
      cat('healthCheck.command', 'is empty', 'use e.g. ["CMD-SHELL", "curl -f http://localhost/ || exit 1"]');
    }
    if (fargate && c.privileged) cat('privileged', 'is not supported on Fargate', 'remove it');
  });
  if (taskMemory !== undefined && sumMemory > taskMemory) {
    at(
      'containerDefinitions',
      `the containers' memory adds up to ${sumMemory} MiB, more than the task's ${taskMemory} MiB`,
      'lower container memory or raise the task memory',
    );
  }
  if (taskCpu !== undefined && sumCpu > taskCpu) {
    at(
      'containerDefinitions',
      `the containers' cpu adds up to ${sumCpu}, more than the task's ${taskCpu}`,
      'lower container cpu or raise the task cpu',
    );
  }
  if (needsExecutionRole.length > 0 && !td.executionRoleArn) {
    at(
      'executionRoleArn',
      `is missing but ${needsExecutionRole[0]}`,
      'set executionRoleArn (input execution-role-arn) to a role ECS can use to pull secrets and write logs',
    );
  }
  errors.throwIfAny();
}
