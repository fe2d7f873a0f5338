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

export function table(headers: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const lines = [
    `| ${headers.map(escapeText).join(' | ')} |`,
    `| ${headers.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
  ];
  return `${lines.join('\n')}\n`;
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
