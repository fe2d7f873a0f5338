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
