import { Inputs, type ActionIO } from '@deploy-actions/core';

/** In-memory IO for unit tests of mains: records logs, outputs, secrets and the summary. */
export interface MemoryIO extends ActionIO {
  readonly lines: string[];
  readonly outputs: Record<string, string>;
  readonly secrets: string[];
  summary: string;
}

export function memoryIO(inputs: Record<string, string>, env: NodeJS.ProcessEnv = {}): MemoryIO {
  const lines: string[] = [];
  const io: MemoryIO = {
    inputs: new Inputs((name) => inputs[name] ?? ''),
    lines,
    outputs: {},
    secrets: [],
    summary: '',
    log: {
      info: (m) => lines.push(m),
      debug: (m) => lines.push(`debug: ${m}`),
      notice: (m) => lines.push(`notice: ${m}`),
      warning: (m) => lines.push(`warning: ${m}`),
      error: (m) => lines.push(`error: ${m}`),
      group: async (name, fn) => {
        lines.push(`group: ${name}`);
        return fn();
      },
    },
    setSecret: (v) => io.secrets.push(v),
    setOutput: (name, value) => {
      io.outputs[name] = value;
    },
    writeSummary: async (markdown) => {
      io.summary += markdown;
    },
    env,
  };
  return io;
}

/**
 * A memoryIO whose inputs behave as under the runner with the action's metadata: only the declared inputs may
 * be read (reading another is the error bundleIO raises), and every name read is recorded, so a test can hold
 * what an action reads against what its action.yml declares.
 */
export function recordingIO(
  declared: Iterable<string>,
  inputs: Record<string, string>,
  env: NodeJS.ProcessEnv = {},
): MemoryIO & { readonly read: ReadonlySet<string> } {
  const read = new Set<string>();
  const base = memoryIO(inputs, env);
  const recorded = new Inputs((name) => {
    read.add(name);
    return inputs[name] ?? '';
  }, new Set(declared));
  return Object.assign(base, { inputs: recorded, read });
}
