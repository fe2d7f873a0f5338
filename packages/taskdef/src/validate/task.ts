import { Compatibility, NetworkMode } from '@aws-sdk/client-ecs';
import { describeRange, FARGATE_SIZES, fargateMemoryOptions } from '../fargate';
import { duplicates, enumValues, NAME, type Check } from './context';
/** A role ARN, or the short role name ECS resolves in the task's account (what AWS's own examples use). */
const ROLE = /^(arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}|[\w+=,.@-]{1,64})$/;

export function family(c: Check): void {
  const { family: name } = c.td;
  if (!name) c.at('family', 'is missing', 'set "family": the name the task definition is registered under');
  else if (!NAME.test(name)) {
    c.at('family', 'is not a valid family name', 'use up to 255 letters, digits, hyphens and underscores');
  }
}

export function launchTypes(c: Check): void {
  const { td } = c;
  (td.requiresCompatibilities ?? []).forEach((value, i) => {
    if (!enumValues(Compatibility).includes(value)) {
      c.at(
        `requiresCompatibilities[${i}]`,
        'is not a launch type',
        `use one of: ${enumValues(Compatibility).join(', ')}`,
      );
    }
  });
  if (td.networkMode !== undefined && !enumValues(NetworkMode).includes(td.networkMode)) {
    c.at('networkMode', 'is not a network mode', `use one of: ${enumValues(NetworkMode).join(', ')}`);
  } else if (c.fargate && td.networkMode !== NetworkMode.AWSVPC && td.networkMode !== undefined) {
    c.at('networkMode', `is ${td.networkMode} but Fargate requires awsvpc`, 'set "networkMode": "awsvpc"');
  } else if (c.fargate && td.networkMode === undefined) {
    c.at('networkMode', 'is missing but Fargate requires awsvpc', 'set "networkMode": "awsvpc"');
  }
}

export function taskSize(c: Check): void {
  const { td, taskCpu, taskMemory } = c;
  if (td.cpu !== undefined && taskCpu === undefined) {
    c.at('cpu', 'is not a CPU size', c.fix('cpu', 'use CPU units such as "512" or vCPUs such as "1 vCPU"'));
  }
  if (td.memory !== undefined && taskMemory === undefined) {
    c.at('memory', 'is not a memory size', c.fix('memory', 'use MiB such as "1024" or GB such as "2 GB"'));
  }
  if (!c.fargate) return;
  if (td.cpu === undefined)
    c.at('cpu', 'is missing; Fargate needs a task-level cpu', c.fix('cpu', 'set "cpu", e.g. "256"'));
  if (td.memory === undefined) {
    c.at('memory', 'is missing; Fargate needs a task-level memory', c.fix('memory', 'set "memory", e.g. "512"'));
  }
  if (taskCpu !== undefined && !FARGATE_SIZES.some((s) => s.cpu === taskCpu)) {
    c.at(
      'cpu',
      `${taskCpu} CPU units is not a Fargate size`,
      `use one of: ${FARGATE_SIZES.map((s) => s.cpu).join(', ')}`,
    );
  } else if (taskCpu !== undefined && taskMemory !== undefined && !fargateMemoryOptions(taskCpu).includes(taskMemory)) {
    c.at(
      'memory',
      `${taskMemory} MiB is not allowed with cpu ${taskCpu} on Fargate`,
      `with cpu ${taskCpu} use memory ${describeRange(taskCpu)}`,
    );
  }
}

export function roles(c: Check): void {
  for (const field of ['taskRoleArn', 'executionRoleArn'] as const) {
    const value = c.td[field];
    if (value !== undefined && !ROLE.test(value)) {
      c.at(
        field,
        'is neither an IAM role ARN nor a role name',
        c.fix(field, 'use arn:aws:iam::<12-digit account>:role/<name>, or the role name alone'),
      );
    }
  }
}

export function storageAndVolumes(c: Check): void {
  const storage = c.td.ephemeralStorage?.sizeInGiB;
  if (storage !== undefined && (storage < 21 || storage > 200)) {
    c.at('ephemeralStorage.sizeInGiB', `${storage} GiB is out of range`, 'use 21..200 (the default is 20 GiB)');
  }
  const names = (c.td.volumes ?? []).map((v) => v.name ?? '').filter((n) => NAME.test(n));
  for (const name of duplicates(names)) {
    c.at('volumes', `the volume name '${name}' is used twice`, 'give each volume its own name');
  }
}
