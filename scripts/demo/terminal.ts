/**
 * Job summaries (GitHub-flavoured Markdown with a little HTML, as the actions write them with core's `md`
 * helpers) rendered as plain terminal text: tags stripped, entities and Markdown escapes undone, tables
 * re-aligned in columns. Good enough for what our actions write; not a general Markdown renderer.
 */

const useColour = process.stdout.isTTY === true && process.env['NO_COLOR'] === undefined;
const wrap =
  (open: number, close: number) =>
  (text: string): string =>
    useColour ? `\u001b[${open}m${text}\u001b[${close}m` : text;
export const bold = wrap(1, 22);
export const dim = wrap(2, 22);
export const green = wrap(32, 39);
export const red = wrap(31, 39);
export const yellow = wrap(33, 39);

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** Inline Markdown/HTML → text: `<br>` becomes ' / ' (tables stay one line), other tags go, escapes are undone. */
export function inlineText(text: string): string {
  return text
    .replace(/<br\s*\/?>/gi, ' / ')
    .replace(/<[^>]+>/g, '')
    .replace(/\\([\\`*_{}[\]()#+!~|-])/g, '$1')
    .replace(/`([^`]*)`/g, '$1')
    .replace(/\*\*([^*]+)\*\*/g, '$1')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&#x([0-9a-f]+);/gi, (_, n: string) => String.fromCodePoint(parseInt(n, 16)))
    .replace(/&([a-z]+);/gi, (whole, name: string) => ENTITIES[name.toLowerCase()] ?? whole);
}

/** Splits a Markdown table row at unescaped pipes. */
export function tableCells(line: string): string[] {
  const body = line.trim().replace(/^\|/, '').replace(/\|$/, '');
  const cells: string[] = [];
  let current = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '\\' && body[i + 1] === '|') {
      current += '\\|';
      i++;
    } else if (c === '|') {
      cells.push(current);
      current = '';
    } else current += c;
  }
  cells.push(current);
  return cells.map((c) => inlineText(c.trim()));
}

/** Breaks a cell into lines of at most `max` characters, at spaces where it can. */
export function wrapCell(text: string, max: number): string[] {
  if (text.length <= max) return [text];
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(' ')) {
    let rest = word;
    while (rest.length > max) {
      if (current !== '') lines.push(current);
      lines.push(rest.slice(0, max));
      rest = rest.slice(max);
      current = '';
    }
    if (current === '') current = rest;
    else if (current.length + 1 + rest.length <= max) current += ` ${rest}`;
    else {
      lines.push(current);
      current = rest;
    }
  }
  if (current !== '') lines.push(current);
  return lines;
}

/**
 * Lays rows out in aligned columns (first row is the header when `header` is true); cells wider than
 * `maxWidth` wrap onto more lines of the same row.
 */
export function columns(
  rows: readonly (readonly string[])[],
  header: boolean,
  indent = '  ',
  maxWidth = Number.POSITIVE_INFINITY,
): string[] {
  const width = Math.max(0, ...rows.map((r) => r.length));
  const wrapped = rows.map((r) => Array.from({ length: width }, (_, i) => wrapCell(r[i] ?? '', maxWidth)));
  const widths = Array.from({ length: width }, (_, i) =>
    Math.max(0, ...wrapped.flatMap((r) => (r[i] ?? []).map((l) => l.length))),
  );
  const line = (cells: readonly string[]): string =>
    indent +
    widths
      .map((w, i) => (i === width - 1 ? (cells[i] ?? '') : (cells[i] ?? '').padEnd(w)))
      .join('  ')
      .trimEnd();
  const out: string[] = [];
  wrapped.forEach((r, i) => {
    const height = Math.max(1, ...r.map((c) => c.length));
    for (let l = 0; l < height; l++) out.push(line(r.map((c) => c[l] ?? '')));
    if (header && i === 0 && rows.length > 1)
      out.push(indent + widths.map((w) => '-'.repeat(Math.max(w, 1))).join('  '));
  });
  return out;
}

/** sha256:<64 hex> → sha256:<12 hex>… (summaries stay readable; full digests are in the outputs). */
export const shortDigests = (text: string): string => text.replace(/sha256:([0-9a-f]{12})[0-9a-f]{52}/g, 'sha256:$1…');

const isSeparator = (line: string): boolean => /^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$/.test(line);

/** Renders a job summary as terminal lines. */
export function renderMarkdown(markdown: string, indent = '  '): string[] {
  const lines = shortDigests(markdown)
    .replace(/<\/?(details|summary|p|div|ul|ol|table|thead|tbody)[^>]*>/gi, '\n')
    .replace(/<li[^>]*>/gi, '\n- ')
    .split(/\r?\n/);
  const out: string[] = [];
  let table: string[][] = [];
  let tableHeader = false;
  const flush = (): void => {
    // Key/value tables get wider cells (ARNs stay whole); wide tables wrap their long cells.
    const width = Math.max(0, ...table.map((r) => r.length)) <= 2 ? 110 : 60;
    if (table.length > 0) out.push(...columns(table, tableHeader, indent, width));
    table = [];
    tableHeader = false;
  };
  let blank = true;
  for (const raw of lines) {
    const line = raw.trimEnd();
    if (/^\s*\|.*\|\s*$/.test(line)) {
      if (isSeparator(line)) {
        tableHeader = table.length === 1;
        continue;
      }
      const cells = tableCells(line);
      // A table whose header row is empty (`| | |`) is a key/value list: drop the blank header.
      if (table.length === 0 && cells.every((c) => c === '')) continue;
      table.push(cells);
      blank = false;
      continue;
    }
    flush();
    const heading = /^#{1,6}\s+(.*)$/.exec(line);
    if (heading) {
      if (!blank) out.push('');
      out.push(indent + bold(inlineText(heading[1] ?? '')));
      blank = false;
      continue;
    }
    const text = inlineText(line);
    if (text.trim() === '') {
      if (!blank) out.push('');
      blank = true;
      continue;
    }
    out.push(indent + text.replace(/^(\s*)[*-]\s+/, '$1• '));
    blank = false;
  }
  flush();
  while (out.length > 0 && out[out.length - 1]?.trim() === '') out.pop();
  return out;
}
