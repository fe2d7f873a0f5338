// GitHub Deployments over Node's fetch, against a local HTTP stand-in for the REST API: the requests GitHub
// documents, and every failure (an error status, a request that never answers, no deployment created) only warns.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { githubDeployments, type GitHubDeploymentOptions } from '@deploy-actions/deploy';
import type { Log } from '@deploy-actions/core';
import { freePort } from '@deploy-actions/testing';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
}

let server: Server;
let base: string;
const seen: Seen[] = [];
let answer: (req: Seen, res: ServerResponse) => void;

beforeAll(async () => {
  server = createServer((req, res) => {
    let text = '';
    req.on('data', (d: Buffer) => (text += d.toString()));
    req.on('end', () => {
      const entry = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: JSON.parse(text || '{}') as Record<string, unknown>,
      };
      seen.push(entry);
      answer(entry, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  seen.length = 0;
  answer = (req, res) => {
    res.writeHead(201, { 'content-type': 'application/json' });
    res.end(JSON.stringify(req.url.endsWith('/deployments') ? { id: 7 } : { id: 1, state: req.body['state'] }));
  };
});

function recordingLog(): Log & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (m) => lines.push(`info ${m}`),
    debug: (m) => lines.push(`debug ${m}`),
    notice: (m) => lines.push(`notice ${m}`),
    warning: (m) => lines.push(`warning ${m}`),
    error: (m) => lines.push(`error ${m}`),
    group: (_name, fn) => fn(),
  };
}

function reporter(log: Log, extra: Partial<GitHubDeploymentOptions> = {}) {
  return githubDeployments({
    token: 'ghs_test',
    repository: 'eLearning-Plus/learning-platform-api',
    ref: 'abc123',
    environment: 'staging',
    environmentUrl: 'https://app.staging.zanda360.com',
    logUrl: 'https://github.com/eLearning-Plus/learning-platform-api/actions/runs/9',
    description: 'x'.repeat(200),
    log,
    apiUrl: base,
    ...extra,
  });
}

test('creates the deployment, then in_progress and the final status, with the headers GitHub documents', async () => {
  const log = recordingLog();
  const r = reporter(log);
  await r.start();
  await r.finish('success', 'deployed');
  expect(r.id).toBe(7);
  expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual([
    'POST /repos/eLearning-Plus/learning-platform-api/deployments',
    'POST /repos/eLearning-Plus/learning-platform-api/deployments/7/statuses',
    'POST /repos/eLearning-Plus/learning-platform-api/deployments/7/statuses',
  ]);
  expect(seen[0]?.body).toEqual({
    ref: 'abc123',
    environment: 'staging',
    description: 'x'.repeat(140),
    auto_merge: false,
    required_contexts: [],
  });
  expect(seen[1]?.body).toMatchObject({ state: 'in_progress', auto_inactive: true });
  expect(seen[2]?.body).toEqual({
    state: 'success',
    description: 'deployed',
    environment_url: 'https://app.staging.zanda360.com',
    log_url: 'https://github.com/eLearning-Plus/learning-platform-api/actions/runs/9',
    auto_inactive: true,
  });
  expect(seen[0]?.headers).toMatchObject({
    authorization: 'token ghs_test',
    accept: 'application/vnd.github+json',
    'x-github-api-version': '2022-11-28',
    'content-type': 'application/json; charset=utf-8',
  });
  expect(log.lines).toEqual(['info GitHub deployment 7 for staging: in_progress', 'info GitHub deployment 7: success']);
});

test('the API base comes from GITHUB_API_URL when not given (GitHub Enterprise serves it under /api/v3)', async () => {
  const saved = process.env['GITHUB_API_URL'];
  process.env['GITHUB_API_URL'] = `${base}/api/v3/`;
  try {
    await reporter(recordingLog(), { apiUrl: undefined }).start();
  } finally {
    if (saved === undefined) delete process.env['GITHUB_API_URL'];
    else process.env['GITHUB_API_URL'] = saved;
  }
  expect(seen[0]?.url).toBe('/api/v3/repos/eLearning-Plus/learning-platform-api/deployments');
});

test('an error status warns with GitHub’s message and never throws', async () => {
  answer = (_req, res) => {
    res.writeHead(403, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ message: 'Resource not accessible by integration' }));
  };
  const log = recordingLog();
  const r = reporter(log);
  await r.start();
  await r.finish('failure', 'rolled back');
  expect(r.id).toBeUndefined();
  expect(seen).toHaveLength(1);
  expect(log.lines).toEqual([
    'warning GitHub deployment not recorded: POST /repos/eLearning-Plus/learning-platform-api/deployments answered 403: Resource not accessible by integration',
  ]);
  expect(log.lines.join('\n')).not.toContain('ghs_test');
});

test('a status that fails after the deployment was created warns, the deploy carries on', async () => {
  answer = (req, res) => {
    if (req.url.endsWith('/deployments')) {
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end('{"id": 8}');
    } else {
      res.writeHead(502);
      res.end('<html>bad gateway</html>');
    }
  };
  const log = recordingLog();
  const r = reporter(log);
  await r.start();
  await r.finish('success', 'ok');
  expect(r.id).toBe(8);
  expect(log.lines).toEqual([
    'warning GitHub deployment not recorded: POST /repos/eLearning-Plus/learning-platform-api/deployments/8/statuses answered 502',
    'warning GitHub deployment status not recorded: POST /repos/eLearning-Plus/learning-platform-api/deployments/8/statuses answered 502',
  ]);
});

test('a 202 without a deployment (GitHub merged or needs a merge) records nothing more', async () => {
  answer = (_req, res) => {
    res.writeHead(202, { 'content-type': 'application/json' });
    res.end('{"message": "Auto-merged main into topic"}');
  };
  const log = recordingLog();
  const r = reporter(log);
  await r.start();
  await r.finish('success', 'ok');
  expect(r.id).toBeUndefined();
  expect(seen).toHaveLength(1);
  expect(log.lines).toEqual([]);
});

test('a request that never answers is abandoned at its deadline with a warning', async () => {
  answer = () => undefined;
  const log = recordingLog();
  const r = reporter(log, { timeoutMs: 200 });
  await r.start();
  expect(r.id).toBeUndefined();
  expect(log.lines).toHaveLength(1);
  expect(log.lines[0]).toMatch(
    /^warning GitHub deployment not recorded: POST \/repos\/.+\/deployments: no answer within 200 ms$/,
  );
});

test('an unreachable API warns with the reason', async () => {
  const log = recordingLog();
  await reporter(log, { apiUrl: `http://127.0.0.1:${await freePort()}` }).start();
  expect(log.lines[0]).toMatch(
    /^warning GitHub deployment not recorded: POST \/repos\/.+\/deployments: .*fetch failed \(.*ECONNREFUSED/,
  );
});
