import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { ConfigError } from './errors';
import { jsonProblem, parseYamlText } from './syntax';

/** Resolves a user-given path against GITHUB_WORKSPACE (or the current directory), refusing to leave it. */
export function workspacePath(file: string, env: NodeJS.ProcessEnv = process.env): string {
  const root = env['GITHUB_WORKSPACE'] ?? process.cwd();
  return path.isAbsolute(file) ? file : path.resolve(root, file);
}

/** Reads a JSON or YAML document (YAML is a superset of JSON; the extension only picks the error wording). */
export async function readStructuredFile(where: string, file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(
      where,
      code === 'ENOENT' ? `file '${file}' does not exist` : `cannot read '${file}' (${code ?? String(error)})`,
      'check the path; relative paths start at the repository root (GITHUB_WORKSPACE)',
    );
  }
  return parseStructured(where, file, text);
}

/**
 * Parses JSON (`.json`) or YAML (anything else). A leading UTF-8 byte-order mark is ignored, as editors on Windows
 * write one and AWS's own tools accept it. Errors give reason and place, never the text.
 */
export async function parseStructured(where: string, file: string, text: string): Promise<unknown> {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  if (/\.json$/i.test(file)) {
    try {
      return JSON.parse(body);
    } catch (error) {
      throw new ConfigError(where, `'${file}' is not valid JSON: ${jsonProblem(error, body)}`);
    }
  }
  const parsed = parseYamlText(body);
  if ('problem' in parsed) throw new ConfigError(where, `'${file}' is not valid YAML: ${parsed.problem}`);
  return parsed.value;
}
