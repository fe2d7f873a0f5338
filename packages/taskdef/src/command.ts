import { ConfigError, jsonProblem } from '@deploy-actions/core';

const OPERATORS = new Set(['|', ';', '&', '<', '>', '`']);
const SHELL_FIX = 'quote the character, or pass a JSON array such as ["sh", "-c", "..."] to run a shell';

/**
 * A container command from an input: a JSON array of strings, or a shell-style string split into words the way
 * a POSIX shell splits them (whitespace separates; '...' is literal; "..." keeps spaces and honours \" \\ \$ \`;
 * a backslash outside quotes escapes the next character; adjacent parts join: a"b c" → `ab c`). Nothing is
 * expanded, because ECS does not run a shell: unquoted operators (| ; & < > `) and variables ($X, $(…)) are
 * errors rather than a surprise at run time.
 */
export function splitCommand(text: string, where: string): string[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (error) {
      throw new ConfigError(where, `looks like a JSON array but is not valid JSON (${jsonProblem(error, trimmed)})`);
    }
    if (!Array.isArray(parsed) || parsed.some((item) => typeof item !== 'string')) {
      throw new ConfigError(where, 'must be a JSON array of strings', 'e.g. ["bin/rails", "server", "-b", "0.0.0.0"]');
    }
    if (parsed.length === 0) throw new ConfigError(where, 'is an empty array', 'give at least the program to run');
    return parsed as string[];
  }
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  const variable = (at: number): boolean => text[at] === '$' && /[A-Za-z_{(0-9@*#?$!-]/.test(text[at + 1] ?? '');
  while (i < text.length) {
    const ch = text[i] ?? '';
    if (/\s/.test(ch)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      i++;
    } else if (ch === "'") {
      const end = text.indexOf("'", i + 1);
      if (end === -1)
        throw new ConfigError(where, `has an unterminated ' quote at character ${i + 1}`, "close it with '");
      word += text.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (ch === '"') {
      inWord = true;
      i++;
      for (;;) {
        if (i >= text.length) throw new ConfigError(where, 'has an unterminated " quote', 'close it with "');
        const c = text[i] ?? '';
        if (c === '"') {
          i++;
          break;
        }
        if (c === '\\' && ['"', '\\', '$', '`', '\n'].includes(text[i + 1] ?? '')) {
          if (text[i + 1] !== '\n') word += text[i + 1] ?? '';
          i += 2;
        } else if (c === '`' || variable(i)) {
          throw new ConfigError(
            where,
            `has ${c === '$' ? 'a $ expansion' : 'a ` command substitution'} inside "..." at character ${i + 1}, which a shell would expand, but ECS runs no shell`,
            SHELL_FIX,
          );
        } else {
          word += c;
          i++;
        }
      }
    } else if (ch === '\\') {
      if (i + 1 >= text.length)
        throw new ConfigError(where, 'ends with a lone backslash', 'remove it or escape it as \\\\');
      if (text[i + 1] !== '\n') {
        word += text[i + 1] ?? '';
        inWord = true;
      }
      i += 2;
    } else if (OPERATORS.has(ch)) {
      // The operator is one of a fixed set of characters, never a piece of the value.
      throw new ConfigError(
        where,
        `contains the shell operator '${ch}' at character ${i + 1} but ECS runs no shell`,
        SHELL_FIX,
      );
    } else if (variable(i)) {
      throw new ConfigError(
        where,
        `contains a $ expansion at character ${i + 1}, which a shell would expand, but ECS runs no shell`,
        SHELL_FIX,
      );
    } else {
      word += ch;
      inWord = true;
      i++;
    }
  }
  if (inWord) words.push(word);
  if (words.length === 0) throw new ConfigError(where, 'is empty', 'give at least the program to run');
  return words;
}
