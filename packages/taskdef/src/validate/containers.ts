import { containerLabel, duplicates, NAME, type Check } from './context';
/** What no registry reference contains: whitespace, or the brackets of an unfilled template (<IMAGE>, {{x}}). */
const NOT_A_REFERENCE = /[\s<>{}]/;

export function containerSet(c: Check): void {
  if (c.containers.length === 0) {
    c.at('containerDefinitions', 'has no containers', 'add at least one container with a name and an image');
    return;
  }
  // Only valid names are compared and named; an invalid one is reported by its index below.
  const names = c.containers.map((d) => d.name ?? '').filter((n) => NAME.test(n));
  for (const name of duplicates(names)) {
    c.at('containerDefinitions', `the container name '${name}' is used twice`, 'give each container its own name');
  }
  if (!c.containers.some((d) => d.essential !== false)) {
    c.at('containerDefinitions', 'has no essential container', 'set "essential": true on the main container');
  }
  c.containers.forEach((d, i) => {
    if (!d.name)
      c.at(`${containerLabel(i, d)}.name`, 'is missing', 'give the container a name (letters, digits, - and _)');
    else if (!NAME.test(d.name)) {
      c.at(
        `${containerLabel(i, d)}.name`,
        'is not a valid container name',
        'use letters, digits, hyphens and underscores',
      );
    }
  });
}

/**
 * An image must be set before registration (AWS refuses an empty one). In a multi-step render a container this
 * step does not change may still hold "" or a placeholder that a later step fills, so there it is a warning.
 */
export function images(c: Check): void {
  c.containers.forEach((d, i) => {
    const path = `${containerLabel(i, d)}.image`;
    const missing = !d.image || d.image.trim() === '';
    const placeholder = !missing && NOT_A_REFERENCE.test(d.image ?? '');
    if (!missing && !placeholder) return;
    const problem = missing ? 'is missing' : 'is not an image reference (it looks like an unfilled placeholder)';
    if (c.untouched(d)) {
      c.warn(path, `${problem}; a later step must set it before the task definition is registered`);
    } else {
      c.at(path, problem, c.fix('image', 'set "image" to e.g. registry/repository:tag or repository@sha256:...'));
    }
  });
}

export function containerResources(c: Check): void {
  const { taskCpu, taskMemory } = c;
  let sumMemory = 0;
  let sumCpu = 0;
  c.containers.forEach((d, i) => {
    const at = (field: string, problem: string, fix?: string): void =>
      c.at(`${containerLabel(i, d)}.${field}`, problem, fix);
    const hard = d.memory;
    const soft = d.memoryReservation;
    if (hard !== undefined) {
      sumMemory += hard;
      if (hard < 6) at('memory', `${hard} MiB is too little`, 'use at least 6 MiB');
      if (taskMemory !== undefined && hard > taskMemory) {
        at('memory', `${hard} MiB is more than the task's ${taskMemory} MiB`, 'lower it or raise the task memory');
      }
    }
    if (soft !== undefined) {
      if (hard !== undefined && soft > hard) {
        at(
          'memoryReservation',
          `${soft} MiB is more than the container's memory ${hard} MiB`,
          'make it at most memory',
        );
      }
      if (taskMemory !== undefined && soft > taskMemory) {
        at(
          'memoryReservation',
          `${soft} MiB is more than the task's ${taskMemory} MiB`,
          'lower it or raise the task memory',
        );
      }
    }
    if (!c.fargate && taskMemory === undefined && hard === undefined && soft === undefined) {
      at(
        'memory',
        'is missing and the task has no memory',
        'set the container memory or memoryReservation, or the task memory',
      );
    }
    if (d.cpu !== undefined) {
      sumCpu += d.cpu;
      if (taskCpu !== undefined && d.cpu > taskCpu) {
        at('cpu', `${d.cpu} CPU units is more than the task's ${taskCpu}`, 'lower it or raise the task cpu');
      }
    }
    if (d.healthCheck && (d.healthCheck.command ?? []).length === 0) {
      at('healthCheck.command', 'is empty', 'use e.g. ["CMD-SHELL", "curl -f http://localhost/ || exit 1"]');
    }
    if (c.fargate && d.privileged) at('privileged', 'is not supported on Fargate', 'remove it');
  });
  if (taskMemory !== undefined && sumMemory > taskMemory) {
    c.at(
      'containerDefinitions',
      `the containers' memory adds up to ${sumMemory} MiB, more than the task's ${taskMemory} MiB`,
      'lower container memory or raise the task memory',
    );
  }
  if (taskCpu !== undefined && sumCpu > taskCpu) {
    c.at(
      'containerDefinitions',
      `the containers' cpu adds up to ${sumCpu}, more than the task's ${taskCpu}`,
      'lower container cpu or raise the task cpu',
    );
  }
}
