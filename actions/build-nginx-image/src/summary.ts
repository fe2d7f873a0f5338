import { md } from '@deploy-actions/core';
import { formatPlatform, type BuiltImage } from '@deploy-actions/oci';
import type { BuildNginxImageOptions } from './options';

// GitHub drops a step summary above 1 MiB. Everything here that grows with the input (tags, base layers,
// left-out files) is capped, and each name is cut, so the summary stays a few KiB whatever the input.
const MAX_TAGS = 20;
const MAX_LAYER_ROWS = 30;
const MAX_LEFT_OUT = 10;
const MAX_NAME = 100;

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 / 1024 / 1024).toFixed(2)} GiB`;
}

function cut(text: string, max = MAX_NAME): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** "a, b, c … and 7 more": at most `max` items, each cut to a readable length. */
export function listSome(items: readonly string[], max: number): string {
  const shown = items.slice(0, max).map((i) => cut(i));
  return items.length > max ? `${shown.join(', ')} … and ${items.length - max} more` : shown.join(', ');
}

function tagsCell(tags: readonly string[]): { raw: string } {
  const shown = tags.slice(0, MAX_TAGS).map(md.code).join(' ');
  return md.raw(tags.length > MAX_TAGS ? `${shown} … and ${tags.length - MAX_TAGS} more` : shown);
}

export function dockerSummary(name: string, digest: string, options: BuildNginxImageOptions): string {
  return (
    md.heading('build-nginx-image (docker builder)') +
    md.table(
      ['', ''],
      [
        ['Image', md.raw(md.code(`${name}@${digest}`))],
        ['Tags', tagsCell(options.tags)],
        ['Platform', formatPlatform(options.platform)],
      ],
    )
  );
}

export function imageSummary(
  name: string,
  built: BuiltImage,
  leftOut: readonly string[],
  options: BuildNginxImageOptions,
): string {
  const { pushed, plan, layers } = built;
  const uploaded = pushed.blobs.filter((b) => b.action === 'uploaded');
  const reused = new Set(layers.filter((l) => l.origin === 'reused').map((l) => l.digest));
  const rows = pushed.blobs.map((b) => [
    b.source,
    md.raw(md.code(b.digest.slice(0, 19))),
    bytes(b.size),
    reused.has(b.digest) ? `${b.action} — unchanged, not compressed` : b.action,
  ]);
  const shownRows = rows.slice(0, MAX_LAYER_ROWS);
  const more = rows.length - shownRows.length;
  return (
    md.heading('build-nginx-image') +
    md.table(
      ['', ''],
      [
        ['Image', md.raw(md.code(`${name}@${pushed.digest}`))],
        ['Tags', tagsCell(pushed.tags)],
        ['Base', md.raw(md.code(`${options.base.registry}/${options.base.repository}@${plan.base.digest}`))],
        ['Platform', formatPlatform(options.platform)],
        ['Files', `${layers.reduce((n, l) => n + l.files, 0)}`],
        [
          'Left out',
          leftOut.length === 0
            ? 'nothing'
            : `${leftOut.length} dotfile${leftOut.length === 1 ? '' : 's'}: ${listSome(leftOut, MAX_LEFT_OUT)} — include-dotfiles: true publishes them`,
        ],
        ['Compressed size', bytes(plan.size)],
        ['Uploaded', `${bytes(pushed.blobBytesUploaded)} in ${uploaded.length} of ${pushed.blobs.length} blobs`],
      ],
    ) +
    '\n' +
    md.table(['Layer', 'Digest', 'Size', 'Push'], shownRows) +
    (more > 0 ? md.paragraph(`… and ${more} more blobs (all of them are in the log).`) : '')
  );
}
