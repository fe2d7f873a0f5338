import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The monorepo's root directory. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** The Python with moto and the workflow linters: MOTO_PYTHON, else the repo's .venv, else python3. */
export function pythonBin(env: NodeJS.ProcessEnv = process.env): string {
  if (env['MOTO_PYTHON']) return env['MOTO_PYTHON'];
  const venv = path.join(REPO_ROOT, '.venv/bin/python');
  return existsSync(venv) ? venv : 'python3';
}
