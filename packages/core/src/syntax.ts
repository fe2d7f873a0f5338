/**
 * Parse errors of JSON and YAML told as reason and location only. The parsers' own messages quote the input
 * (V8 cuts an excerpt of the text into its JSON message; yaml prints the offending line, and names an unresolved
 * alias, which is what an unquoted password starting with '*' becomes). Any of that may be a secret, and a cut
 * piece escapes the runner's masking, so nothing here ever repeats input text.
 */
import { isAlias, isDocument, LineCounter, parseDocument, visit, YAMLParseError, type Document } from 'yaml';

export interface Place {
  readonly line: number;
  readonly column: number;
}

export function placeOf(text: string, offset: number): Place {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      start = i + 1;
    }
  }
  return { line, column: offset - start + 1 };
}

function at(place: Place): string {
  return `at line ${place.line}, column ${place.column}`;
}

/** V8's reasons that are grammar only; anything else (they quote a token or an excerpt) is told generically. */
const JSON_REASONS: readonly [RegExp, string][] = [
  [/^Expected double-quoted property name/, 'expected a double-quoted property name'],
  [/^Expected ':' after property name/, "expected ':' after a property name"],
  [/^Expected ',' or '}' after property value/, "expected ',' or '}' after a property value"],
  [/^Expected ',' or ']' after array element/, "expected ',' or ']' after an array element"],
  [/^Unterminated string/, 'a string is not closed'],
  [/^Bad control character in string literal/, 'a string contains a raw control character (escape it)'],
  [/^Bad escaped character/, 'a string has an invalid escape'],
  [/^Bad Unicode escape/, 'a string has an invalid \\u escape'],
  [/^Unexpected non-whitespace character after JSON/, 'there is more text after the JSON value'],
  [/^Unexpected end of JSON input/, 'the text ends too early'],
  [/^No number after minus sign/, "a '-' is not followed by a number"],
  [/^Exponent part is missing a number/, 'a number has an empty exponent'],
  [/^Unterminated fractional number/, 'a number has no digits after its decimal point'],
];

/**
 * Offset of the first character where `text` stops being JSON (what JSON.parse rejects), for the V8 messages that
 * give no position. A small recursive-descent scan; -1 when the text is valid.
 */
class Stop extends Error {
  constructor(readonly offset: number) {
    super('JSON scan stopped');
  }
}

export function jsonErrorOffset(text: string): number {
  let i = 0;
  const ws = (): void => {
    while (i < text.length && ' \t\r\n'.includes(text[i] ?? '')) i++;
  };
  const fail = (): never => {
    throw new Stop(i);
  };
  const literal = (word: string): void => {
    for (const ch of word) if (text[i++] !== ch) fail();
  };
  const string = (): void => {
    i++;
    for (;;) {
      const ch = text[i];
      if (ch === undefined || ch < ' ') fail();
      if (ch === '"') {
        i++;
        return;
      }
      if (ch === '\\') {
        i++;
        const e = text[i] ?? '';
        if (e === 'u') {
          for (let k = 1; k <= 4; k++) if (!/[0-9a-fA-F]/.test(text[i + k] ?? '')) fail();
          i += 5;
        } else if ('"\\/bfnrt'.includes(e) && e !== '') i++;
        else fail();
      } else i++;
    }
  };
  const number = (): void => {
    if (text[i] === '-') i++;
    if (text[i] === '0') i++;
    else if (/[1-9]/.test(text[i] ?? '')) while (/\d/.test(text[i] ?? '')) i++;
    else fail();
    if (text[i] === '.') {
      i++;
      if (!/\d/.test(text[i] ?? '')) fail();
      while (/\d/.test(text[i] ?? '')) i++;
    }
    if (text[i] === 'e' || text[i] === 'E') {
      i++;
      if (text[i] === '+' || text[i] === '-') i++;
      if (!/\d/.test(text[i] ?? '')) fail();
      while (/\d/.test(text[i] ?? '')) i++;
    }
  };
  const value = (): void => {
    ws();
    const ch = text[i];
    if (ch === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail();
        string();
        ws();
        if (text[i] !== ':') fail();
        i++;
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') {
          i++;
          return;
        } else fail();
      }
    } else if (ch === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') {
          i++;
          return;
        } else fail();
      }
    } else if (ch === '"') string();
    else if (ch === 't') literal('true');
    else if (ch === 'f') literal('false');
    else if (ch === 'n') literal('null');
    else number();
  };
  try {
    value();
    ws();
    return i < text.length ? i : -1;
  } catch (error) {
    return error instanceof Stop ? Math.min(error.offset, text.length) : 0;
  }
}

/** Why and where JSON.parse failed on `text`, e.g. "expected ',' or '}' after a property value at line 3, column 5". */
export function jsonProblem(error: unknown, text: string): string {
  const message = error instanceof Error ? error.message : '';
  const reason = JSON_REASONS.find(([pattern]) => pattern.test(message))?.[1] ?? 'unexpected character';
  const offset = jsonErrorOffset(text);
  return offset < 0 ? reason : `${reason} ${at(placeOf(text, offset))}`;
}

/** yaml's error codes in words (its messages print the line that failed, so they are never passed on). */
const YAML_REASONS: Record<string, string> = {
  BAD_INDENT: 'the indentation is wrong',
  TAB_AS_INDENT: 'a tab is used for indentation (use spaces)',
  BLOCK_AS_IMPLICIT_KEY: 'a mapping is nested on one line (put the value on its own indented line, or quote it)',
  DUPLICATE_KEY: 'a key is given twice in the same mapping',
  MISSING_CHAR: 'a quote or bracket is not closed',
  MULTILINE_IMPLICIT_KEY: 'a key spans several lines',
  UNEXPECTED_TOKEN: 'unexpected text (check indentation and the "- " of list items)',
  BAD_SCALAR_START: 'a plain value starts with a reserved character such as @ or ` (quote the value)',
  BAD_ALIAS: 'an alias (a value starting with *) is malformed (quote values that start with * or &)',
  BAD_DIRECTIVE: 'a % directive is invalid',
  BAD_DQ_ESCAPE: 'a double-quoted string has an invalid escape',
  BLOCK_IN_FLOW: 'a block value appears inside [ ] or { }',
  IMPOSSIBLE: 'the document cannot be parsed',
  KEY_OVER_1024_CHARS: 'a key is longer than 1024 characters',
  MISSING_ANCHOR: 'an alias (a value starting with *) refers to no anchor (quote values that start with * or &)',
  MULTIPLE_ANCHORS: 'a node has two anchors (&)',
  MULTIPLE_DOCS: 'the file holds several YAML documents (---); give one',
  MULTIPLE_TAGS: 'a node has two tags (!)',
  TAG_RESOLVE_FAILED: 'a tag (!) cannot be resolved (quote values that start with !)',
  UNEXPECTED_ALIAS: 'an alias (*) appears where it is not allowed (quote values that start with *)',
  ALIAS_PROPS: 'an alias (*) has an anchor or tag',
};

function firstUnresolvedAlias(doc: Document, lines: LineCounter): Place | undefined {
  let found: number | undefined;
  visit(doc, {
    Alias(_, node) {
      if (found === undefined && isAlias(node) && node.resolve(doc) === undefined) found = node.range?.[0] ?? 0;
      return found === undefined ? undefined : visit.BREAK;
    },
  });
  if (found === undefined) return undefined;
  const pos = lines.linePos(found);
  return { line: pos.line, column: pos.col };
}

/** Parses YAML (one document, unique keys); errors are ConfigError-ready sentences without input text. */
export function parseYamlText(text: string): { value: unknown } | { problem: string } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { uniqueKeys: true, lineCounter: lines, prettyErrors: false });
  if (!isDocument(doc)) return { problem: 'the document cannot be parsed' };
  const error = doc.errors[0];
  if (error instanceof YAMLParseError) {
    const pos = lines.linePos(error.pos[0]);
    return { problem: `${YAML_REASONS[error.code] ?? 'syntax error'} ${at({ line: pos.line, column: pos.col })}` };
  }
  try {
    return { value: doc.toJS({ maxAliasCount: 100 }) };
  } catch {
    // An alias without its anchor (e.g. an unquoted password `*x9`), or an alias bomb past maxAliasCount.
    const place = firstUnresolvedAlias(doc, lines);
    const reason = YAML_REASONS['MISSING_ANCHOR'] ?? '';
    return { problem: place ? `${reason} ${at(place)}` : 'aliases (*) expand too far; quote values that start with *' };
  }
}
