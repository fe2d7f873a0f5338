// Task definitions: registration with ECS's own validation, revisions per family, describe, deregister, lists.
import { paginate } from '../context';
import { AwsError, type Obj, epochSeconds, num, obj, objList, reqStr, str, strList } from '../protocol';
import type { EcsWorld, TaskDef } from './model';

/**
 * RunTask's and UpdateService's volumeConfigurations: each names a volume the task definition configures at
 * launch, and its managed EBS volume has the role ECS creates it with.
 */
export function checkVolumeConfigurations(td: TaskDef, configs: Obj[]): void {
  const atLaunch = objList(td.body, 'volumes')
    .filter((v) => v['configuredAtLaunch'] === true)
    .map((v) => str(v, 'name'));
  for (const config of configs) {
    if (!atLaunch.includes(reqStr(config, 'name'))) {
      throw new AwsError(
        'InvalidParameterException',
        'The volume name specified in the volume configuration does not match a volume configured at launch in the task definition.',
      );
    }
    const ebs = obj(config, 'managedEBSVolume');
    if (ebs === undefined || str(ebs, 'roleArn') === undefined) {
      throw new AwsError('InvalidParameterException', 'managedEBSVolume.roleArn must be specified.');
    }
  }
}

/** What ECS refuses in a RunTask request about the task definition and the launch, before placing anything. */
export function checkRunTask(td: TaskDef, input: Obj): void {
  if (str(input, 'launchType') !== undefined && objList(input, 'capacityProviderStrategy').length > 0) {
    throw new AwsError(
      'InvalidParameterException',
      'Specifying both a launch type and capacity provider strategy is not supported.',
    );
  }
  const names = objList(td.body, 'containerDefinitions').map((c) => str(c, 'name'));
  for (const o of objList(obj(input, 'overrides') ?? {}, 'containerOverrides')) {
    const name = str(o, 'name') ?? '';
    if (!names.includes(name)) {
      throw new AwsError(
        'InvalidParameterException',
        `Override for container named ${name} is not a container in the TaskDefinition.`,
      );
    }
  }
  checkVolumeConfigurations(td, objList(input, 'volumeConfigurations'));
}

export class TaskDefinitions {
  constructor(private readonly world: EcsWorld) {}

  images(td: TaskDef): string[] {
    return objList(td.body, 'containerDefinitions').map((c) => str(c, 'image') ?? '');
  }

  register(input: Obj): Obj {
    const family = reqStr(input, 'family', 'ClientException');
    if (!/^[A-Za-z0-9_-]{1,255}$/.test(family)) {
      throw new AwsError(
        'ClientException',
        'Family contains invalid characters; up to 255 letters, numbers, hyphens and underscores are allowed.',
      );
    }
    const containers = objList(input, 'containerDefinitions');
    if (containers.length === 0) throw new AwsError('ClientException', 'Container list cannot be empty.');
    for (const c of containers) {
      const name = str(c, 'name');
      if (name === undefined) throw new AwsError('ClientException', 'Container.name should not be null or empty.');
      if (str(c, 'image') === undefined) {
        throw new AwsError('ClientException', 'Container.image should not be null or empty.');
      }
      if (
        str(input, 'memory') === undefined &&
        num(c, 'memory') === undefined &&
        num(c, 'memoryReservation') === undefined
      ) {
        throw new AwsError(
          'ClientException',
          `Invalid setting for container '${name}'. At least one of 'memory' or 'memoryReservation' must be specified.`,
        );
      }
    }
    const revisions = this.world.taskDefs.get(family) ?? [];
    this.world.taskDefs.set(family, revisions);
    const revision = (revisions.at(-1)?.revision ?? 0) + 1;
    const body: Obj = { ...input };
    delete body['tags'];
    const td: TaskDef = {
      arn: this.world.arn('task-definition', `${family}:${revision}`),
      family,
      revision,
      status: 'ACTIVE',
      body,
      registeredAt: this.world.now,
      deregisteredAt: undefined,
      tags: objList(input, 'tags').map((t) => ({ key: reqStr(t, 'key'), value: str(t, 'value') ?? '' })),
    };
    revisions.push(td);
    return { taskDefinition: this.describe(td), tags: td.tags };
  }

  describe(td: TaskDef): Obj {
    const fargate = str(td.body, 'networkMode') === 'awsvpc';
    return {
      ...td.body,
      taskDefinitionArn: td.arn,
      family: td.family,
      revision: td.revision,
      status: td.status,
      requiresAttributes: [
        { name: 'com.amazonaws.ecs.capability.logging-driver.awslogs' },
        { name: 'ecs.capability.execution-role-awslogs' },
        { name: 'com.amazonaws.ecs.capability.docker-remote-api.1.19' },
        ...(fargate ? [{ name: 'ecs.capability.task-eni' }] : []),
      ],
      compatibilities: fargate ? ['EC2', 'FARGATE'] : ['EC2'],
      registeredAt: epochSeconds(td.registeredAt),
      registeredBy: `arn:aws:sts::${this.world.ctx.accountId}:assumed-role/deploy/sim`,
      ...(td.deregisteredAt !== undefined ? { deregisteredAt: epochSeconds(td.deregisteredAt) } : {}),
    };
  }

  handle(op: string, input: Obj): Obj | undefined {
    switch (op) {
      case 'RegisterTaskDefinition':
        return this.register(input);
      case 'DescribeTaskDefinition': {
        const td = this.world.taskDef(reqStr(input, 'taskDefinition', 'ClientException'));
        const withTags = strList(input, 'include').includes('TAGS');
        return { taskDefinition: this.describe(td), ...(withTags ? { tags: td.tags } : {}) };
      }
      case 'DeregisterTaskDefinition': {
        const ref = reqStr(input, 'taskDefinition', 'ClientException');
        if (!/:\d+$/.test(ref)) throw new AwsError('ClientException', 'Revision is missing.');
        const td = this.world.taskDef(ref);
        if (td.status === 'ACTIVE') {
          td.status = 'INACTIVE';
          td.deregisteredAt = this.world.now;
        }
        return { taskDefinition: this.describe(td) };
      }
      case 'ListTaskDefinitionFamilies': {
        const prefix = str(input, 'familyPrefix') ?? '';
        const status = str(input, 'status') ?? 'ACTIVE';
        const families = [...this.world.taskDefs.entries()]
          .filter(([f, revs]) => f.startsWith(prefix) && (status === 'ALL' || revs.some((r) => r.status === status)))
          .map(([f]) => f)
          .sort();
        const { page, nextToken } = paginate(families, num(input, 'maxResults'), str(input, 'nextToken'), 100);
        return { families: page, nextToken };
      }
      case 'ListTaskDefinitions': {
        const family = str(input, 'familyPrefix');
        const status = str(input, 'status') ?? 'ACTIVE';
        let all = [...this.world.taskDefs.entries()]
          .filter(([f]) => family === undefined || f === family)
          .sort(([a], [b]) => a.localeCompare(b))
          .flatMap(([, revs]) => revs)
          .filter((t) => t.status === status);
        if (str(input, 'sort') === 'DESC') all = all.reverse();
        const { page, nextToken } = paginate(all, num(input, 'maxResults'), str(input, 'nextToken'), 100);
        return { taskDefinitionArns: page.map((t) => t.arn), nextToken };
      }
      default:
        return undefined;
    }
  }
}
