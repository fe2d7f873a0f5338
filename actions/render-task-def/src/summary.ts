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
 * An image as a short cell: the repository's last path segment with its tag, and a digest cut to 12 hex digits
 * (`web@sha256:0123456789ab…`). The full references are in the log and the `changes` output; a 64-digit digest
 * and an ECR host would push the table past a laptop-width page.
 */
export function shortImage(image: string): string {
  const digest = /@sha256:([0-9a-f]{12})[0-9a-f]*$/.exec(image);
  const withoutDigest = digest ? image.slice(0, image.indexOf('@')) : image;
  const slash = withoutDigest.lastIndexOf('/');
  const name = withoutDigest.slice(slash + 1);
  return digest ? `${name}@sha256:${digest[1] ?? ''}…` : name;
}

function counts(changes: readonly Change[], field: string, label: string): string | undefined {
  const mine = changes.filter((c) => c.field === field);
  if (mine.length === 0) return undefined;
  return `${label} ${nameList(mine)}`;
}

export interface SummaryArgs {
  source: string;
  file: string;
  before: RegisterTaskDefinitionCommandInput;
  after: RegisterTaskDefinitionCommandInput;
  changes: readonly Change[];
  removed: readonly string[];
  unknown: readonly string[];
  emptied: readonly string[];
  warnings: readonly string[];
}

/**
 * The job summary: warnings first, then one narrow row per container (short image before → after, and the
 * names of what changed, marked + added, ~ changed, − removed; never values), a legend, and the task-level
 * changes. Bounded under GitHub's summary limit.
 */
export function renderSummary(args: SummaryArgs): string {
  const { before, after, changes } = args;
  const out = new md.BoundedSummary('the step log and the changes output');
  out.add(md.heading(`render-task-def: ${after.family ?? ''}`));
  if (args.warnings.length > 0) out.add(md.list(args.warnings.map((w) => `⚠️ ${w}`)), 'warnings');
  out.add(md.paragraph(md.raw(`${md.code(args.source)} → ${md.code(args.file)}`)));
  const rows = (after.containerDefinitions ?? []).map((c) => {
    const name = c.name ?? '';
    const mine = changes.filter((ch) => ch.container === name);
    const previous = (before.containerDefinitions ?? []).find((p) => p.name === name)?.image ?? '';
    const image =
      previous === c.image
        ? md.raw(`${md.code(shortImage(c.image ?? ''))} (same)`)
        : md.raw(`${md.code(shortImage(previous))} → ${md.code(shortImage(c.image ?? ''))}`);
    const other = [...new Set(mine.map((ch) => ch.field))].filter(
      (f) => !['image', 'environment', 'secrets'].includes(f),
    );
    const cells = [
      counts(mine, 'environment', 'env'),
      counts(mine, 'secrets', 'secrets'),
      ...other.map((f) => counts(mine, f, f)),
    ].filter((x): x is string => x !== undefined);
    return [md.raw(md.code(name)), image, md.clip(cells.join('; ') || '—', 400)];
  });
  out.table(['Container', 'Image', 'Changed'], rows, 'containers');
  out.add(
    md.paragraph(
      'Legend: + added, ~ changed, − removed (names only, never values). Images are shortened; the full references are in the log and the changes output.',
    ),
  );
  const task = changes.filter((c) => c.container === undefined).map(describeChange);
  if (task.length > 0) out.add(`${md.heading('Task', 4)}${md.list(task)}`, 'task changes');
  const notes = [
    ...(args.removed.length ? [`Removed read-only fields: ${args.removed.join(', ')}`] : []),
    ...(args.emptied.length ? [`Left out fields given as "" (not set): ${args.emptied.join(', ')}`] : []),
    ...(args.unknown.length ? [`Dropped keys the ECS API does not know: ${args.unknown.join(', ')}`] : []),
  ];
  if (notes.length > 0) out.add(md.list(notes.map((n) => md.clip(n, 2000))), 'notes');
  return out.toString();
}
