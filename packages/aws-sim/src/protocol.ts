// Wire formats the installed SDK v3 clients use (verified in node_modules/@aws-sdk/client-*/dist-cjs):
// ECS, SSM, ECR, CloudWatch Logs = awsJson1_1 (POST, X-Amz-Target: <prefix>.<Operation>, JSON body);
// ELBv2 and STS = awsQuery (POST form body Action=..&Version=.., XML responses).

/** A JSON object as decoded from a request. */
export type Obj = Record<string, unknown>;

/**
 * An AWS error in the shape the SDK turns into a typed exception. `code` is the wire code: the exception's
 * name for JSON services, the awsQueryError code for query services (e.g. TargetGroupNotFound).
 */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = code;
  }
}

export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

// Typed accessors for request fields: a wrong type is the caller's error, reported as AWS would.
export function str(o: Obj, key: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new AwsError('SerializationException', `${key} must be a string`);
  return v;
}
export function reqStr(o: Obj, key: string, code = 'InvalidParameterException'): string {
  const v = str(o, key);
  if (v === undefined || v === '') throw new AwsError(code, `${key} is required`);
  return v;
}
export function num(o: Obj, key: string): number | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'string' ? Number(v) : v;
  if (typeof n !== 'number' || Number.isNaN(n)) throw new AwsError('SerializationException', `${key} must be a number`);
  return n;
}
export function bool(o: Obj, key: string): boolean | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (v === 'true' || v === true) return true;
  if (v === 'false' || v === false) return false;
  throw new AwsError('SerializationException', `${key} must be a boolean`);
}
export function list(o: Obj, key: string): unknown[] {
  const v = o[key];
  // awsQuery sends an empty list as `Key=` (no members), which decodes to ''.
  if (v === undefined || v === null || v === '') return [];
  if (!Array.isArray(v)) throw new AwsError('SerializationException', `${key} must be a list`);
  return v as unknown[];
}
export function strList(o: Obj, key: string): string[] {
  return list(o, key).map((v) => {
    if (typeof v !== 'string') throw new AwsError('SerializationException', `${key} must be a list of strings`);
    return v;
  });
}
export function objList(o: Obj, key: string): Obj[] {
  return list(o, key).map((v) => {
    if (!isObj(v)) throw new AwsError('SerializationException', `${key} must be a list of structures`);
    return v;
  });
}
export function obj(o: Obj, key: string): Obj | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (!isObj(v)) throw new AwsError('SerializationException', `${key} must be a structure`);
  return v;
}

/** Epoch seconds, as awsJson1_1 serialises timestamps. */
export const epochSeconds = (ms: number): number => ms / 1000;

/**
 * Decodes an awsQuery form body into a nested object: `A.member.1.B=x` becomes `{A: [{B: 'x'}]}` and
 * `Attributes.entry.1.key` style maps become lists of {key, value} objects.
 */
export function parseQuery(body: string): { action: string; version: string; params: Obj } {
  const form = new URLSearchParams(body);
  const params: Obj = {};
  for (const [key, value] of form) {
    if (key === 'Action' || key === 'Version') continue;
    setPath(params, key.split('.'), value);
  }
  return {
    action: form.get('Action') ?? '',
    version: form.get('Version') ?? '',
    params: normaliseLists(params) as Obj,
  };
}

function setPath(target: Obj, parts: string[], value: string): void {
  let cur: Obj = target;
  for (let i = 0; i < parts.length - 1; i++) {
    const part = parts[i] ?? '';
    const next = cur[part];
    if (isObj(next)) cur = next;
    else {
      const created: Obj = {};
      cur[part] = created;
      cur = created;
    }
  }
  cur[parts[parts.length - 1] ?? ''] = value;
}

// {member: {1: x, 2: y}} -> [x, y] (and the same for `entry`), recursively.
function normaliseLists(v: unknown): unknown {
  if (!isObj(v)) return v;
  const keys = Object.keys(v);
  if (keys.length === 1 && (keys[0] === 'member' || keys[0] === 'entry') && isObj(v[keys[0]])) {
    const items = v[keys[0]] as Obj;
    return Object.keys(items)
      .sort((a, b) => Number(a) - Number(b))
      .map((k) => normaliseLists(items[k]));
  }
  const out: Obj = {};
  for (const k of keys) out[k] = normaliseLists(v[k]);
  return out;
}

const escapeXml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');

/** Serialises a value as awsQuery XML: lists as <member> elements, Dates as ISO 8601. */
export function toXml(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((item) => `<member>${toXml(item)}</member>`).join('');
  if (isObj(value)) {
    return Object.entries(value)
      .filter(([, v]) => v !== undefined && v !== null)
      .map(([k, v]) => `<${k}>${toXml(v)}</${k}>`)
      .join('');
  }
  if (typeof value === 'string') return escapeXml(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new Error(`cannot serialise ${typeof value} as XML`);
}

export function queryResponse(action: string, xmlns: string, result: unknown, requestId: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${xmlns}">` +
    `<${action}Result>${toXml(result)}</${action}Result>` +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`
  );
}

export function queryError(error: AwsError, requestId: string): string {
  const type = error.status >= 500 ? 'Receiver' : 'Sender';
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse><Error><Type>${type}</Type>` +
    `<Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message></Error>` +
    `<RequestId>${requestId}</RequestId></ErrorResponse>`
  );
}

export function jsonError(error: AwsError): string {
  return JSON.stringify({ __type: error.code, message: error.message });
}
