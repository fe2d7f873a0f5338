import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { ConfigError, jsonSyntaxProblem } from './errors';

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

export async function parseStructured(where: string, file: string, text: string): Promise<unknown> {
  const isJson = /\.json$/i.test(file);
  // The YAML parser is evaluated only for a YAML file: a run that reads JSON only never pays for it (webpackMode
  // "eager" keeps it in dist/index.js, minified, no extra file to read).
  const yaml = isJson ? undefined : await import(/* webpackMode: "eager", webpackExports: ["parse"] */ 'yaml');
  try {
    if (yaml === undefined) return JSON.parse(text);
    return yaml.parse(text, { prettyErrors: true, uniqueKeys: true });
  } catch (error) {
    const kind = isJson ? 'JSON' : 'YAML';
    // YAML's first line names the place only; the JSON message would quote the input.
    const problem = isJson ? jsonSyntaxProblem(error) : (error as Error).message.split('\n')[0];
    throw new ConfigError(where, `'${file}' is not valid ${kind}: ${problem}`);
  }
}
