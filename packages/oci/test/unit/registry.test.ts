// The client's 401 handling with a scripted fetch: which requests it sends, with which Authorization.
import { RegistryAuthError, RegistryClient } from '../../src';

type Handler = (url: string, headers: Record<string, string>) => Response;

function scripted(handler: Handler): { fetch: typeof fetch; seen: string[] } {
  const seen: string[] = [];
  const fake = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = input instanceof Request ? input.url : String(input);
    const headers = (init?.headers ?? {}) as Record<string, string>;
    seen.push(`${init?.method ?? 'GET'} ${url.replace('https://r.example', '')} ${headers['authorization'] ?? '-'}`);
    return handler(url, headers);
  };
  return { fetch: fake, seen };
}

const bearer = 'Bearer realm="https://auth.example/token",service="r.example"';
const ok = (): Response => new Response('{}', { status: 200 });
const unauthorized = (challenge: string): Response =>
  new Response('{"errors":[{"code":"UNAUTHORIZED"}]}', { status: 401, headers: { 'www-authenticate': challenge } });

test('Bearer: anonymous token for the scope, reused, refreshed when refused (expired)', async () => {
  let issued = 0;
  let valid = 'tok-1';
  const { fetch, seen } = scripted((url, headers) => {
    if (url.startsWith('https://auth.example/token')) return new Response(JSON.stringify({ token: `tok-${++issued}` }));
    return headers['authorization'] === `Bearer ${valid}` ? ok() : unauthorized(bearer);
  });
  const client = new RegistryClient({ registry: 'r.example', fetch });
  await client.ping('lib/nginx');
  await client.ping('lib/nginx');
  valid = 'tok-2';
  await client.ping('lib/nginx');
  expect(seen).toEqual([
    'GET /v2/ -',
    'GET https://auth.example/token?service=r.example&scope=repository%3Alib%2Fnginx%3Apull -',
    'GET /v2/ Bearer tok-1',
    'GET /v2/ Bearer tok-1',
    'GET /v2/ Bearer tok-1',
    'GET https://auth.example/token?service=r.example&scope=repository%3Alib%2Fnginx%3Apull -',
    'GET /v2/ Bearer tok-2',
  ]);
});

test('Bearer with credentials: the token service gets them as Basic; a refusal is a credentials error', async () => {
  const { fetch, seen } = scripted((url) =>
    url.startsWith('https://auth.example/token') ? new Response('', { status: 401 }) : unauthorized(bearer),
  );
  const client = new RegistryClient({ registry: 'r.example', fetch, credentials: { username: 'u', password: 'p' } });
  await expect(client.ping()).rejects.toThrow(
    new RegistryAuthError(
      "registry r.example rejected the credentials of user 'u' (401 when trying to get a token for repository:library/ping:pull)",
    ),
  );
  expect(seen[1]).toMatch(/ Basic dTpw$/);
});

test('Basic: credentials sent after the challenge, then up front', async () => {
  const { fetch, seen } = scripted((_url, headers) =>
    headers['authorization'] === 'Basic dTpw' ? ok() : unauthorized('Basic realm="x"'),
  );
  const client = new RegistryClient({ registry: 'r.example', fetch, credentials: { username: 'u', password: 'p' } });
  await client.ping();
  await client.ping();
  expect(seen).toEqual(['GET /v2/ -', 'GET /v2/ Basic dTpw', 'GET /v2/ Basic dTpw']);
});

test('an error body from the registry is in the message, with the 403 hint', async () => {
  const { fetch } = scripted(
    () => new Response('{"errors":[{"code":"DENIED","message":"not allowed"}]}', { status: 403 }),
  );
  await expect(new RegistryClient({ registry: 'r.example', fetch }).listTags('x')).rejects.toThrow(
    'registry r.example could not list tags of x: HTTP 403 (DENIED: not allowed) — the credentials lack permission',
  );
});

test('parallel requests share one login: Basic is not taken for a refusal, Bearer fetches one token', async () => {
  const basic = scripted((_url, headers) =>
    headers['authorization'] === 'Basic dTpw' ? ok() : unauthorized('Basic realm="x"'),
  );
  const withBasic = new RegistryClient({
    registry: 'r.example',
    fetch: basic.fetch,
    credentials: { username: 'u', password: 'p' },
  });
  await expect(Promise.all([withBasic.ping(), withBasic.ping(), withBasic.ping()])).resolves.toHaveLength(3);

  let issued = 0;
  const token = scripted((url, headers) => {
    if (url.startsWith('https://auth.example/token')) return new Response(JSON.stringify({ token: `tok-${++issued}` }));
    return headers['authorization'] === 'Bearer tok-1' ? ok() : unauthorized(bearer);
  });
  const withBearer = new RegistryClient({ registry: 'r.example', fetch: token.fetch });
  await Promise.all([withBearer.ping('lib/nginx'), withBearer.ping('lib/nginx'), withBearer.ping('lib/nginx')]);
  expect(token.seen.filter((line) => line.includes('auth.example/token'))).toHaveLength(1);
});
