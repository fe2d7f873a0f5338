// Which package each byte of a bundle comes from, read from the source map ncc emits with the build (the map
// is used here and never written to dist). Minified code keeps no module names, so the map is the only exact
// attribution: every generated span belongs to the source file of the segment that starts it.
const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DIGIT = new Map([...BASE64].map((c, i) => [c, i]));

/** Decodes one line of a v3 source map's `mappings` into [generatedColumn, sourceIndex | -1] pairs. */
function decodeLine(text, state) {
  const segments = [];
  let column = 0;
  for (const segment of text.split(',')) {
    if (segment === '') continue;
    const fields = [];
    let value = 0;
    let shift = 0;
    for (const c of segment) {
      const digit = DIGIT.get(c);
      if (digit === undefined) throw new Error(`source map: bad base64 digit '${c}'`);
      value += (digit & 31) << shift;
      if (digit & 32) {
        shift += 5;
      } else {
        fields.push(value & 1 ? -(value >>> 1) : value >>> 1);
        value = 0;
        shift = 0;
      }
    }
    column += fields[0];
    if (fields.length >= 4) {
      state.source += fields[1];
      segments.push([column, state.source]);
    } else {
      segments.push([column, -1]);
    }
  }
  return segments;
}

/** The package a bundled source file belongs to: the npm package under the last node_modules, or ours. */
export function packageOf(source, own = '(this action)') {
  const parts = source.split(/[\\/]/);
  const nm = parts.lastIndexOf('node_modules');
  if (nm >= 0) {
    const first = parts[nm + 1] ?? '?';
    return first.startsWith('@') ? `${first}/${parts[nm + 2] ?? '?'}` : first;
  }
  if (source.startsWith('external ')) return '(node built-ins and externals)';
  if (source.startsWith('webpack:') || parts.includes('webpack')) return '(webpack runtime)';
  const packages = parts.indexOf('packages');
  if (packages >= 0 && parts[packages + 1]) return `@deploy-actions/${parts[packages + 1]}`;
  return own;
}

/**
 * Bytes (UTF-8, as on disk) of `code` per package, largest first. Spans no segment maps (ncc's module
 * wrappers, the webpack runtime) are counted as "(unmapped)", so the figures always add up to the file size.
 */
export function packageSizes(code, map, own) {
  const lines = code.split('\n');
  const mappingLines = map.mappings.split(';');
  const sizes = new Map();
  const add = (name, text) => sizes.set(name, (sizes.get(name) ?? 0) + Buffer.byteLength(text));
  const state = { source: 0 };
  lines.forEach((line, i) => {
    const segments = decodeLine(mappingLines[i] ?? '', state);
    if (i < lines.length - 1) add('(unmapped)', '\n');
    let start = 0;
    let owner = '(unmapped)';
    for (const [column, source] of segments) {
      add(owner, line.slice(start, column));
      start = column;
      owner = source >= 0 ? packageOf(map.sources[source] ?? '?', own) : '(unmapped)';
    }
    add(owner, line.slice(start));
  });
  return [...sizes.entries()].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes || a.name.localeCompare(b.name));
}
