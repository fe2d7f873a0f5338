/** GetParameters accepts at most 10 names per call. */
export const BATCH_SIZE = 10;

export interface Batch {
  readonly names: string[];
  readonly decrypt: boolean;
}

interface Planned {
  readonly fullName: string;
  /** SecureString with a value rule: its value is needed in clear. */
  readonly needsDecrypt: boolean;
  /** Expected to be a plain String/StringList: its value is returned in clear either way. */
  readonly plain: boolean;
}

/**
 * Groups names into GetParameters batches of 10. Only batches holding a SecureString with a value rule are
 * decrypted; they are topped up with plain String parameters (whose values come back in clear anyway) so the
 * call count stays ⌈N/10⌉, and a SecureString without a rule is never put into a decrypting batch (that costs
 * at most one extra call, when there are too few plain parameters to top the last decrypting batch up).
 */
export function planBatches(items: readonly Planned[]): Batch[] {
  const decrypt = items.filter((i) => i.needsDecrypt).map((i) => i.fullName);
  const plain = items.filter((i) => !i.needsDecrypt && i.plain).map((i) => i.fullName);
  const opaque = items.filter((i) => !i.needsDecrypt && !i.plain).map((i) => i.fullName);
  const batches = chunk(decrypt, true);
  const last = batches[batches.length - 1];
  if (last) last.names.push(...plain.splice(0, BATCH_SIZE - last.names.length));
  return [...batches, ...chunk([...plain, ...opaque], false)];
}

/** Names in GetParameters-sized batches. */
export function chunk(names: readonly string[], decrypt: boolean): Batch[] {
  const batches: Batch[] = [];
  for (let i = 0; i < names.length; i += BATCH_SIZE) batches.push({ names: names.slice(i, i + BATCH_SIZE), decrypt });
  return batches;
}

/** Runs fn over items with at most `limit` in flight; the first error stops new work and is rethrown. */
export async function inPool<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const item = items[next++] as T;
      try {
        await fn(item);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}
