import { randomUUID } from 'node:crypto';
import { appendFileSync, constants, existsSync } from 'node:fs';
import { access, appendFile } from 'node:fs/promises';
import { EOL } from 'node:os';

/**
 * The Actions runner's protocol for a JavaScript action, byte for byte as @actions/core 3 speaks it: inputs from
 * INPUT_<NAME>, workflow commands on stdout, file commands (GITHUB_OUTPUT, GITHUB_STATE) as heredocs with a
 * random delimiter, and the step summary file. Our own because @actions/core also imports its OIDC client,
 * whose HTTP stack (@actions/http-client, undici: about 450 KB) would be bundled and evaluated at every start
 * although no action asks for an ID token. Contract tests compare it with @actions/core.
 */

/** Where an annotation points; the runner's names for these properties differ (see commandProperties). */
export interface AnnotationProperties {
  readonly title?: string | undefined;
  readonly file?: string | undefined;
  readonly startLine?: number | undefined;
  readonly endLine?: number | undefined;
  readonly startColumn?: number | undefined;
  readonly endColumn?: number | undefined;
}

export interface InputOptions {
  readonly required?: boolean;
  /** Default true, as in @actions/core. */
  readonly trimWhitespace?: boolean;
}

type Properties = Readonly<Record<string, string | number | undefined>>;

/** `%`, CR and LF are escaped in a command's message so one command stays one line. */
export function escapeData(value: string): string {
  return value.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Properties also escape `:` and `,`, the separators of `::name key=value,key=value::`. */
export function escapeProperty(value: string): string {
  return escapeData(value).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/**
 * `::command key=value,...::message`. Properties with an empty value are left out; like @actions/core, any
 * property key at all adds the space after the name (the runner reads `::warning ::text` as `::warning::text`).
 */
export function formatCommand(command: string, properties: Properties, message: string): string {
  const props = Object.entries(properties)
    .filter(([, value]) => Boolean(value))
    .map(([key, value]) => `${key}=${escapeProperty(String(value))}`);
  const space = Object.keys(properties).length > 0 ? ' ' : '';
  return `::${command}${space}${props.join(',')}::${escapeData(message)}`;
}

function commandProperties(p: AnnotationProperties): Properties {
  if (Object.keys(p).length === 0) return {};
  return {
    title: p.title,
    file: p.file,
    line: p.startLine,
    endLine: p.endLine,
    col: p.startColumn,
    endColumn: p.endColumn,
  };
}

/** A file command record: `name<<DELIM`, the value, `DELIM`, with a delimiter no value can contain by chance. */
export function keyValueRecord(name: string, value: string, delimiter = `ghadelimiter_${randomUUID()}`): string {
  // A value that contains the delimiter could forge further records; refuse rather than write it.
  if (name.includes(delimiter))
    throw new Error(`Unexpected input: name should not contain the delimiter "${delimiter}"`);
  if (value.includes(delimiter)) {
    throw new Error(`Unexpected input: value should not contain the delimiter "${delimiter}"`);
  }
  return `${name}<<${delimiter}${EOL}${value}${EOL}${delimiter}`;
}

/** The runner of one step: its environment and its stdout, injected so tests can read what it was told. */
export class Runner {
  constructor(
    private readonly env: NodeJS.ProcessEnv = process.env,
    private readonly write: (text: string) => void = (text) => {
      process.stdout.write(text);
    },
  ) {}

  /** INPUT_ + the name upper-cased with spaces as `_` (hyphens kept), trimmed unless asked not to. */
  getInput(name: string, options: InputOptions = {}): string {
    const value = this.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '';
    if (options.required === true && value === '') throw new Error(`Input required and not supplied: ${name}`);
    return options.trimWhitespace === false ? value : value.trim();
  }

  /** Booleans as the YAML 1.2 core schema writes them; anything else is an error, never a default. */
  getBooleanInput(name: string, options: InputOptions = {}): boolean {
    const value = this.getInput(name, options);
    if (['true', 'True', 'TRUE'].includes(value)) return true;
    if (['false', 'False', 'FALSE'].includes(value)) return false;
    throw new TypeError(
      `Input does not meet YAML 1.2 "Core Schema" specification: ${name}\n` +
        'Support boolean input list: `true | True | TRUE | false | False | FALSE`',
    );
  }

  setOutput(name: string, value: string): void {
    this.keyValue('OUTPUT', 'set-output', name, value);
  }

  saveState(name: string, value: string): void {
    this.keyValue('STATE', 'save-state', name, value);
  }

  getState(name: string): string {
    return this.env[`STATE_${name}`] ?? '';
  }

  /** Registers a value the runner replaces with *** in everything the job prints from now on. */
  setSecret(value: string): void {
    this.command('add-mask', {}, value);
  }

  info(message: string): void {
    this.write(`${message}${EOL}`);
  }

  /** Always written; the runner shows it only with step debug logging on. */
  debug(message: string): void {
    this.command('debug', {}, message);
  }

  notice(message: string, properties: AnnotationProperties = {}): void {
    this.command('notice', commandProperties(properties), message);
  }

  warning(message: string, properties: AnnotationProperties = {}): void {
    this.command('warning', commandProperties(properties), message);
  }

  error(message: string, properties: AnnotationProperties = {}): void {
    this.command('error', commandProperties(properties), message);
  }

  async group<T>(name: string, fn: () => Promise<T>): Promise<T> {
    this.command('group', {}, name);
    try {
      return await fn();
    } finally {
      this.command('endgroup', {}, '');
    }
  }

  /** An error annotation, and the step fails when the process exits. */
  setFailed(message: string): void {
    process.exitCode = 1;
    this.error(message);
  }

  isDebug(): boolean {
    return this.env['RUNNER_DEBUG'] === '1';
  }

  /** Appends Markdown (and a line end) to the job summary file, as summary.addRaw(text, true).write() does. */
  async appendSummary(markdown: string): Promise<void> {
    const file = this.env['GITHUB_STEP_SUMMARY'];
    if (!file) {
      throw new Error(
        'Unable to find environment variable for $GITHUB_STEP_SUMMARY. Check if your runtime environment supports job summaries.',
      );
    }
    try {
      await access(file, constants.R_OK | constants.W_OK);
    } catch {
      throw new Error(
        `Unable to access summary file: '${file}'. Check if the file has correct read/write permissions.`,
      );
    }
    await appendFile(file, `${markdown}${EOL}`, { encoding: 'utf8' });
  }

  private command(command: string, properties: Properties, message: string): void {
    this.write(`${formatCommand(command, properties, message)}${EOL}`);
  }

  /** GITHUB_<FILE> when the runner provides it; else the deprecated stdout command older runners read. */
  private keyValue(file: 'OUTPUT' | 'STATE', command: string, name: string, value: string): void {
    const path = this.env[`GITHUB_${file}`];
    if (!path) {
      if (file === 'OUTPUT') this.write(EOL);
      this.command(command, { name }, value);
      return;
    }
    if (!existsSync(path)) throw new Error(`Missing file at path: ${path}`);
    appendFileSync(path, `${keyValueRecord(name, value)}${EOL}`, { encoding: 'utf8' });
  }
}
