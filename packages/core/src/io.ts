import { bundleActionSpec, refuseUndeclaredInputs, type ActionSpec, type InputHints } from './action-spec';
import { errorMessage } from './errors';
import { Inputs } from './inputs';
import { Runner } from './runner';
import type { SetSecret } from './mask';

export interface Log {
  info(message: string): void;
  debug(message: string): void;
  notice(message: string): void;
  warning(message: string): void;
  error(message: string): void;
  group<T>(name: string, fn: () => Promise<T>): Promise<T>;
}

/** Everything an action's main touches of the runner; injected so tests can run mains in-process. */
export interface ActionIO {
  readonly inputs: Inputs;
  readonly log: Log;
  readonly setSecret: SetSecret;
  setOutput(name: string, value: string): void;
  writeSummary(markdown: string): Promise<void>;
  readonly env: NodeJS.ProcessEnv;
}

/**
 * The real runner: INPUT_*, workflow commands on stdout, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY. With the action's
 * spec, reading an input action.yml does not declare is an error.
 */
export function runnerIO(
  env: NodeJS.ProcessEnv = process.env,
  spec?: ActionSpec,
  runner: Runner = new Runner(env),
): ActionIO {
  return {
    inputs: new Inputs((name) => runner.getInput(name), spec && new Set(spec.inputs.keys())),
    log: {
      info: (m) => runner.info(m),
      debug: (m) => runner.debug(m),
      notice: (m) => runner.notice(m),
      warning: (m) => runner.warning(m),
      error: (m) => runner.error(m),
      group: (name, fn) => runner.group(name, fn),
    },
    setSecret: (v) => runner.setSecret(v),
    setOutput: (name, value) => runner.setOutput(name, value),
    writeSummary: async (markdown) => {
      if (!env['GITHUB_STEP_SUMMARY']) return;
      await runner.appendSummary(markdown);
    },
    env,
  };
}

/**
 * The runner's IO for the running bundle: its action.yml is read first, and inputs it does not declare (a typo
 * the runner would only warn about) are refused before main reads anything.
 */
export function bundleIO(env: NodeJS.ProcessEnv = process.env, hints: InputHints = {}): ActionIO {
  const spec = bundleActionSpec();
  refuseUndeclaredInputs(spec, env, hints);
  return runnerIO(env, spec);
}

/** An action's name, and what to say about inputs other tools have that it does not (see InputHints). */
export interface ActionIdentity {
  readonly name: string;
  readonly inputHints?: InputHints;
}

/**
 * Runs an action's main and reports failure exactly once, prefixed with the action's name. The only place
 * in the suite that calls setFailed. Without `io` it runs as the bundle under the runner (see bundleIO).
 */
export async function runAction(
  action: string | ActionIdentity,
  main: (io: ActionIO) => Promise<void>,
  io?: ActionIO,
  fail: (message: string) => void = (m) => new Runner().setFailed(m),
): Promise<void> {
  const { name: actionName, inputHints } = typeof action === 'string' ? { name: action, inputHints: {} } : action;
  let actionIO = io;
  try {
    actionIO ??= bundleIO(process.env, inputHints);
    await main(actionIO);
  } catch (error) {
    (actionIO?.log.debug ?? ((m: string) => new Runner().debug(m)))(
      error instanceof Error && error.stack ? error.stack : String(error),
    );
    fail(`${actionName}: ${errorMessage(error)}`);
  }
}
