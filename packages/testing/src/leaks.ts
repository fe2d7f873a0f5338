// The leak check: everything one run of a bundle leaves where a person (or a later step) can read it, with the
// runner's masking modelled, searched for a secret and for every fragment of it. A cut piece of a secret is the
// leak that matters: the runner masks registered values whole, so a message quoting 30 characters of one shows
// them in clear.
import { readdir, readFile, stat } from 'node:fs/promises';
import * as path from 'node:path';
import type { RunResult } from './runner';

/** Where a text was found, for the report of a leak. */
export interface Exposed {
  readonly where: string;
  readonly text: string;
}

export interface Leak {
  readonly where: string;
  readonly fragment: string;
}

/** The value of an ::add-mask:: command: the runner's command protocol escapes %, CR and LF. */
function unescapeCommand(value: string): string {
  return value.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
}

/**
 * The log as the runner shows it: ::add-mask:: lines are consumed, and every registered value is replaced by
 * *** wherever it occurs whole in a line (longest first). A part of a registered value is not masked, nor is a
 * value that spans lines (only each of its registered lines is).
 */
export function runnerMasked(text: string, masked: readonly string[]): string {
  const values = [...new Set(masked.map(unescapeCommand))].filter((v) => v !== '').sort((a, b) => b.length - a.length);
  return text
    .split('\n')
    .filter((line) => !line.startsWith('::add-mask::'))
    .map((line) => values.reduce((out, value) => out.split(value).join('***'), line))
    .join('\n');
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(full)));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}

/**
 * Every place one run exposes text: the log (stdout and stderr, masked as the runner masks them), the
 * GITHUB_OUTPUT file, the job summary, every file under RUNNER_TEMP (the report and rendered files actions
 * write there), and any extra files the caller names (e.g. files written elsewhere in the workspace).
 */
export async function exposedTexts(result: RunResult, extraFiles: readonly string[] = []): Promise<Exposed[]> {
  const texts: Exposed[] = [
    { where: 'stdout (as the runner shows it)', text: runnerMasked(result.stdout, result.masked) },
    { where: 'stderr (as the runner shows it)', text: runnerMasked(result.stderr, result.masked) },
    { where: 'GITHUB_OUTPUT', text: result.outputFile },
    { where: 'job summary', text: result.summary },
  ];
  for (const file of [...(await filesUnder(result.runnerTemp)), ...extraFiles]) {
    if ((await stat(file).catch(() => undefined))?.isFile()) {
      texts.push({ where: `file ${file}`, text: await readFile(file, 'utf8') });
    }
  }
  return texts;
}

/**
 * Every fragment of `secret` at least `min` characters long that appears in a text (the whole secret is one
 * of them). Only the shortest leaking fragments are reported per place, which is enough to say what leaked.
 */
export function findLeaks(secret: string, texts: readonly Exposed[], min = 6): Leak[] {
  const leaks: Leak[] = [];
  const length = Math.min(min, secret.length);
  for (const { where, text } of texts) {
    for (let i = 0; i + length <= secret.length; i++) {
      const fragment = secret.slice(i, i + length);
      if (text.includes(fragment)) {
        leaks.push({ where, fragment });
        break;
      }
    }
  }
  return leaks;
}

/** The leaks of several secrets in one run; [] when nothing leaked. */
export async function leaksOf(
  result: RunResult,
  secrets: readonly string[],
  options: { extraFiles?: readonly string[]; min?: number } = {},
): Promise<Leak[]> {
  const texts = await exposedTexts(result, options.extraFiles);
  return secrets.flatMap((secret) => findLeaks(secret, texts, options.min));
}

/** Step debug logging on, as a re-run with debug logging sets it: ::debug:: lines are shown. */
export const STEP_DEBUG_ENV: Readonly<Record<string, string>> = { ACTIONS_STEP_DEBUG: 'true', RUNNER_DEBUG: '1' };
