import { ContainerCondition } from '@aws-sdk/client-ecs';
import { containerLabel, enumValues, oneOf, type Check } from './context';

/** dependsOn, volumesFrom and mountPoints must name containers and volumes of this task. */
export function references(c: Check): void {
  const names = c.containers.map((d) => d.name ?? '').filter((n) => n !== '');
  const volumes = (c.td.volumes ?? []).map((v) => v.name ?? '').filter((n) => n !== '');
  c.containers.forEach((d, i) => {
    const at = (field: string, problem: string, fix?: string): void =>
      c.at(`${containerLabel(i, d)}.${field}`, problem, fix);
    const others = names.filter((n) => n !== d.name);
    (d.dependsOn ?? []).forEach((dep, j) => {
      if (dep.containerName !== undefined && dep.containerName === d.name) {
        at(`dependsOn[${j}].containerName`, 'a container cannot depend on itself', 'remove this entry');
      } else if (!dep.containerName || !names.includes(dep.containerName)) {
        at(`dependsOn[${j}].containerName`, 'names no container of this task', oneOf(others, 'remove this entry'));
      }
      if (dep.condition === undefined || !enumValues(ContainerCondition).includes(dep.condition)) {
        at(
          `dependsOn[${j}].condition`,
          'is not a condition',
          `use one of: ${enumValues(ContainerCondition).join(', ')}`,
        );
      }
    });
    (d.volumesFrom ?? []).forEach((v, j) => {
      if (!v.sourceContainer || !others.includes(v.sourceContainer)) {
        at(
          `volumesFrom[${j}].sourceContainer`,
          'names no other container of this task',
          oneOf(others, 'remove this entry'),
        );
      }
    });
    (d.mountPoints ?? []).forEach((m, j) => {
      if (!m.sourceVolume || !volumes.includes(m.sourceVolume)) {
        at(
          `mountPoints[${j}].sourceVolume`,
          'names no volume of this task',
          oneOf(volumes, 'declare the volume under "volumes"'),
        );
      }
    });
  });
}
