/**
 * The shape of the ECS API's RegisterTaskDefinition input, as a tree the cleaner walks. Scalars are
 * 'string' | 'number' | 'boolean' | 'timestamp' | 'document' | 'blob'; maps have free-form keys.
 */
export type Scalar = 'string' | 'number' | 'boolean' | 'timestamp' | 'document' | 'blob';
export type Shape =
  Scalar | { readonly list: Shape } | { readonly map: Shape } | { readonly struct: { readonly [key: string]: Shape } };

export function isStruct(shape: Shape): shape is { readonly struct: { readonly [key: string]: Shape } } {
  return typeof shape === 'object' && 'struct' in shape;
}
export function isList(shape: Shape): shape is { readonly list: Shape } {
  return typeof shape === 'object' && 'list' in shape;
}
export function isMap(shape: Shape): shape is { readonly map: Shape } {
  return typeof shape === 'object' && 'map' in shape;
}
