/** A parsed WWW-Authenticate challenge: scheme plus its parameters (realm, service, scope, …). */
export interface Challenge {
  readonly scheme: string;
  readonly params: Readonly<Record<string, string>>;
}

/**
 * Parses `Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:x:pull"`
 * and `Basic realm="Registry Realm"`. Quoted values may contain commas and escaped quotes.
 */
export function parseChallenge(header: string | null): Challenge | undefined {
  if (!header) return undefined;
  const m = /^\s*([A-Za-z][\w-]*)\s*(.*)$/s.exec(header);
  if (!m) return undefined;
  const params: Record<string, string> = {};
  const re = /([A-Za-z][\w-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*,?\s*/g;
  const rest = m[2] ?? '';
  for (let p = re.exec(rest); p !== null; p = re.exec(rest)) {
    params[p[1]!.toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : (p[3] ?? '');
  }
  return { scheme: m[1]!.toLowerCase(), params };
}

export function basicHeader(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

/** Scope of a token request: pull (and push) on the target repository, pull on mount sources. */
export function scopeFor(repository: string, actions: 'pull' | 'pull,push', mountFrom?: string): string {
  const scopes = [`repository:${repository}:${actions}`];
  if (mountFrom && mountFrom !== repository) scopes.push(`repository:${mountFrom}:pull`);
  return scopes.join(' ');
}
