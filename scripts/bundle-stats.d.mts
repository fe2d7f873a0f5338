export interface SourceMapV3 {
  readonly sources: readonly string[];
  readonly mappings: string;
}
export interface PackageSize {
  readonly name: string;
  readonly bytes: number;
}
export function packageOf(source: string, own?: string): string;
export function packageSizes(code: string, map: SourceMapV3, own?: string): PackageSize[];
