import type { PackageSize } from './bundle-stats.mjs';
export interface BuildResult {
  readonly name: string;
  readonly bytes: number;
  readonly packages: readonly PackageSize[];
  readonly sources: readonly string[];
  readonly chunks: readonly { readonly file: string; readonly bytes: number }[];
  readonly code: string;
}
export const BUDGETS: Readonly<Record<string, number>>;
export function problems(build: BuildResult, texts: readonly string[]): string[];
