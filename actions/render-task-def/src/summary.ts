import type { RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import { md } from '@deploy-actions/core';
import type { Change } from '@deploy-actions/taskdef';

const SIGN = { added: '+', changed: '~', removed: '−' } as const;

/** `+NEW ~PORT −OLD` for one container field; names only. */
export function nameList(changes: readonly Change[]): string {
  return changes.map((c) => `${SIGN[c.action]}${c.name ?? ''}`).join(' ');
}

/** One line per change for the log (values only where Change carries them: images, sizes, roles, driver). */
export function describeChange(c: Change): string {
  const subject = `${c.container ? `${c.container}: ` : ''}${c.field}`;
  if (c.name !== undefined) return `${subject} ${c.action} ${c.name}`;
  if (c.before !== undefined && c.after !== undefined) return `${subject} ${c.before} → ${c.after}`;
  if (c.after !== undefined) return `${subject} set to ${c.after}`;
  return `${subject} ${c.action}`;
}

/**
 * The job summary: per container the image before → after and the names of environment variables and secrets
 * added (+), changed (~) and removed (−); never values.
 */
export function renderSummary(args: {
  source: string;
  file: string;
  before: RegisterTaskDefinitionCommandInput;
  after: RegisterTaskDefinitionCommandInput;
  changes: readonly Change[];
  removed: readonly string[];
  unknown: readonly string[];
}): string {
  const { before, after, changes } = args;
  let out = md.heading(`render-task-def: ${after.family ?? ''}`);
  out += md.paragraph(md.raw(`Source ${md.code(args.source)} → ${md.code(args.file)}`));
  const rows = (after.containerDefinitions ?? []).map((c) => {
    const name = c.name ?? '';
    const mine = changes.filter((ch) => ch.container === name);
    const previous = (before.containerDefinitions ?? []).find((p) => p.name === name)?.image ?? '';
    const image =
      previous === c.image
        ? md.raw(`${md.code(c.image ?? '')} (unchanged)`)
        : md.raw(`${md.code(previous)} → ${md.code(c.image ?? '')}`);
    const field = (f: string): string => nameList(mine.filter((ch) => ch.field === f)) || '—';
    const otherFields = [...new Set(mine.map((ch) => ch.field))].filter(
      (f) => !['image', 'environment', 'secrets'].includes(f),
    );
    const other = otherFields.map((f) => {
      const of = mine.filter((ch) => ch.field === f);
      const named = of.filter((ch) => ch.name !== undefined);
      if (named.length > 0) return `${f} ${nameList(named)}`;
      const first = of[0];
      return first?.after !== undefined ? `${f} → ${first.after}` : `${f} ${first?.action ?? ''}`;
    });
    return [md.raw(md.code(name)), image, field('environment'), field('secrets'), other.join(', ') || '—'];
  });
  out += md.table(['Container', 'Image', 'Environment', 'Secrets', 'Other'], rows);
  const task = changes.filter((c) => c.container === undefined).map(describeChange);
  if (task.length > 0) out += `\n${md.heading('Task', 4)}${md.list(task)}`;
  const notes = [
    ...(args.removed.length ? [`Removed read-only fields: ${args.removed.join(', ')}`] : []),
    ...(args.unknown.length ? [`Dropped keys the ECS API does not know: ${args.unknown.join(', ')}`] : []),
  ];
  if (notes.length > 0) out += `\n${md.list(notes)}`;
  return out;
}
