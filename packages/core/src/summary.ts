/** Escapes user text for a Markdown/HTML job summary: no markup, links or table breaks can be injected. */
export function escapeText(text: string): string {
  // Markdown punctuation first, so the entities written afterwards are not escaped again.
  return text
    .replace(/([\\`*_{}[\]()#+!~])/g, '\\$1')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '&#124;')
    .replace(/\r?\n/g, '<br>');
}

/** Inline code with escaping (for names, ARNs, images). */
export function code(text: string): string {
  return `<code>${text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\|/g, '&#124;')}</code>`;
}

/** A cell is user text (escaped) or already-safe markup built with `code`/`raw`. */
export type Cell = string | { readonly raw: string };

export function raw(markup: string): { readonly raw: string } {
  return { raw: markup };
}

function cell(value: Cell): string {
  return typeof value === 'string' ? escapeText(value) : value.raw;
}

/** One table row. */
export function row(cells: readonly Cell[]): string {
  return `| ${cells.map(cell).join(' | ')} |\n`;
}

export function table(headers: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const head = `| ${headers.map(escapeText).join(' | ')} |\n| ${headers.map(() => '---').join(' | ')} |\n`;
  return head + rows.map(row).join('');
}

export function heading(text: string, level = 3): string {
  return `${'#'.repeat(level)} ${escapeText(text)}\n\n`;
}

export function paragraph(text: Cell): string {
  return `${cell(text)}\n\n`;
}

export function list(items: readonly Cell[]): string {
  return `${items.map((item) => `- ${cell(item)}`).join('\n')}\n\n`;
}

/** GitHub drops a step's whole job summary when it is larger than 1 MiB. */
export const SUMMARY_LIMIT_BYTES = 1024 * 1024;

function bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** Cuts one cell's text to `max` characters, saying so (long lines: log lines, reasons, names). */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}

/**
 * A job summary built part by part under a byte budget, so it always stays under GitHub's limit whatever the
 * input. What does not fit is counted, never silently dropped: the summary ends by saying what was cut and where
 * the full detail is. Parts are kept in the order added, so callers add problems first.
 */
export class BoundedSummary {
  private text = '';
  private readonly cut: string[] = [];
  private readonly budget: number;

  /** `full`: where the reader finds everything, e.g. "the step log" or "the report file (output report)". */
  constructor(
    private readonly full: string,
    limit: number = SUMMARY_LIMIT_BYTES,
  ) {
    // Room for the closing note, which names every cut part.
    this.budget = limit - 16 * 1024;
  }

  /** Appends a part if it fits; otherwise records `what` it was. Returns whether it was added. */
  add(markdown: string, what = 'a section'): boolean {
    if (bytes(this.text) + bytes(markdown) > this.budget) {
      this.cut.push(what);
      return false;
    }
    this.text += markdown;
    return true;
  }

  /** A table with as many rows as fit (at most `maxRows`), then one line counting the rows left out. */
  table(headers: readonly string[], rows: readonly (readonly Cell[])[], what: string, maxRows = Infinity): void {
    const head = table(headers, []);
    if (!this.add(head, `the ${what} table`)) return;
    let shown = 0;
    for (const cells of rows) {
      const line = row(cells);
      if (shown >= maxRows || bytes(this.text) + bytes(line) > this.budget) break;
      this.text += line;
      shown++;
    }
    const left = rows.length - shown;
    if (left > 0) {
      this.text += `\n_… and ${left} more ${what} not shown here (${shown} of ${rows.length} shown)._\n`;
      this.cut.push(`${left} of ${rows.length} ${what}`);
    }
    this.text += '\n';
  }

  /** Whether anything was cut. */
  get truncated(): boolean {
    return this.cut.length > 0;
  }

  toString(): string {
    if (this.cut.length === 0) return this.text;
    return `${this.text}\n> Shortened to stay under GitHub's 1 MiB job summary limit: ${this.cut.join('; ')} left out. Everything is in ${this.full}.\n`;
  }
}
