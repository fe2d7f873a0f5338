/**
 * Fargate task sizes (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html):
 * each CPU value allows memory from `min` to `max` MiB in steps of `step`.
 */
export const FARGATE_SIZES: readonly { cpu: number; min: number; max: number; step: number }[] = [
  { cpu: 256, min: 512, max: 2048, step: 512 },
  { cpu: 512, min: 1024, max: 4096, step: 1024 },
  { cpu: 1024, min: 2048, max: 8192, step: 1024 },
  { cpu: 2048, min: 4096, max: 16384, step: 1024 },
  { cpu: 4096, min: 8192, max: 30720, step: 1024 },
  { cpu: 8192, min: 16384, max: 61440, step: 4096 },
  { cpu: 16384, min: 32768, max: 122880, step: 8192 },
];

/** 256 is 0.25 vCPU and only allows 512, 1024 and 2048 (not 1536). */
export function fargateMemoryOptions(cpu: number): number[] {
  if (cpu === 256) return [512, 1024, 2048];
  const size = FARGATE_SIZES.find((s) => s.cpu === cpu);
  if (!size) return [];
  const out: number[] = [];
  for (let m = size.min; m <= size.max; m += size.step) out.push(m);
  return out;
}

/** Task-level cpu: "1024" or "1 vCPU" → CPU units; undefined when not understood. */
export function parseCpuUnits(value: string): number | undefined {
  const units = /^\s*(\d+)\s*$/.exec(value);
  if (units) return Number(units[1]);
  // ".25 vcpu" is how AWS's own examples write a quarter vCPU.
  const vcpu = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*vcpu\s*$/i.exec(value);
  return vcpu ? Math.round(Number(vcpu[1]) * 1024) : undefined;
}

/** Task-level memory: "2048" (MiB) or "2 GB" → MiB; undefined when not understood. */
export function parseMemoryMiB(value: string): number | undefined {
  const mib = /^\s*(\d+)\s*(mib|mb)?\s*$/i.exec(value);
  if (mib) return Number(mib[1]);
  const gb = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*gb\s*$/i.exec(value);
  return gb ? Math.round(Number(gb[1]) * 1024) : undefined;
}

export function describeRange(cpu: number): string {
  const options = fargateMemoryOptions(cpu);
  if (options.length <= 4) return options.join(', ');
  const size = FARGATE_SIZES.find((s) => s.cpu === cpu);
  return size ? `${size.min}..${size.max} in steps of ${size.step}` : '';
}
