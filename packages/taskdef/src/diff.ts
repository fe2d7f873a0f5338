import type { ContainerDefinition, RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';

export type ChangeAction = 'added' | 'changed' | 'removed';

/**
 * One difference between the source and the rendered definition. `before`/`after` are only filled for
 * values that are not confidential (images, sizes, role ARNs, log driver); for environment variables, secrets,
 * labels, log options, tags and commands only the name is given, never the value.
 */
export interface Change {
  readonly container?: string;
  readonly field: string;
  readonly action: ChangeAction;
  readonly name?: string;
  readonly before?: string;
  readonly after?: string;
}

type Named = Record<string, string>;

function diffNamed(before: Named, after: Named, base: Omit<Change, 'action' | 'name'>): Change[] {
  const out: Change[] = [];
  for (const [name, value] of Object.entries(after)) {
    if (!(name in before)) out.push({ ...base, action: 'added', name });
    else if (before[name] !== value) out.push({ ...base, action: 'changed', name });
  }
  for (const name of Object.keys(before)) if (!(name in after)) out.push({ ...base, action: 'removed', name });
  return out;
}

function diffValue(
  before: string | undefined,
  after: string | undefined,
  base: Omit<Change, 'action' | 'before' | 'after'>,
  showValues: boolean,
): Change[] {
  if (before === after) return [];
  const action: ChangeAction = before === undefined ? 'added' : after === undefined ? 'removed' : 'changed';
  return [
    {
      ...base,
      action,
      ...(showValues && before !== undefined && { before }),
      ...(showValues && after !== undefined && { after }),
    },
  ];
}

function toNamed(list: readonly { name?: string | undefined }[] | undefined, value: (item: never) => string): Named {
  const out: Named = {};
  for (const item of list ?? []) if (item.name !== undefined) out[item.name] = value(item as never);
  return out;
}

function containerChanges(name: string, before: ContainerDefinition | undefined, after: ContainerDefinition): Change[] {
  const base = { container: name };
  const b = before ?? {};
  return [
    ...diffValue(b.image, after.image, { ...base, field: 'image' }, true),
    ...diffNamed(
      toNamed(b.environment, (e: { value?: string }) => e.value ?? ''),
      toNamed(after.environment, (e: { value?: string }) => e.value ?? ''),
      { ...base, field: 'environment' },
    ),
    ...diffNamed(
      toNamed(b.secrets, (s: { valueFrom?: string }) => s.valueFrom ?? ''),
      toNamed(after.secrets, (s: { valueFrom?: string }) => s.valueFrom ?? ''),
      { ...base, field: 'secrets' },
    ),
    ...diffValue(
      b.logConfiguration?.logDriver,
      after.logConfiguration?.logDriver,
      { ...base, field: 'logDriver' },
      true,
    ),
    ...diffNamed(b.logConfiguration?.options ?? {}, after.logConfiguration?.options ?? {}, {
      ...base,
      field: 'logOptions',
    }),
    ...diffNamed(b.dockerLabels ?? {}, after.dockerLabels ?? {}, { ...base, field: 'dockerLabels' }),
    ...diffValue(
      b.command === undefined ? undefined : JSON.stringify(b.command),
      after.command === undefined ? undefined : JSON.stringify(after.command),
      { ...base, field: 'command' },
      false,
    ),
  ];
}

/** The changes a render made, per task field and per container, in a stable order. */
export function diffTaskDefinitions(
  before: RegisterTaskDefinitionCommandInput,
  after: RegisterTaskDefinitionCommandInput,
): Change[] {
  const changes: Change[] = [];
  for (const field of ['family', 'cpu', 'memory', 'taskRoleArn', 'executionRoleArn', 'networkMode'] as const) {
    changes.push(...diffValue(before[field], after[field], { field }, true));
  }
  const tags = (list: RegisterTaskDefinitionCommandInput['tags']): Named =>
    Object.fromEntries((list ?? []).map((t) => [t.key ?? '', t.value ?? '']));
  changes.push(...diffNamed(tags(before.tags), tags(after.tags), { field: 'tags' }));
  for (const container of after.containerDefinitions ?? []) {
    const name = container.name ?? '';
    const previous = (before.containerDefinitions ?? []).find((c) => c.name === name);
    changes.push(...containerChanges(name, previous, container));
  }
  return changes;
}
