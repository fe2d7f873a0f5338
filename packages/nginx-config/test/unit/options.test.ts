import { ConfigErrors } from '@deploy-actions/core';
import {
  DEFAULTS,
  imageEnvironment,
  nginxFiles,
  resolveOptions,
  type NginxConfigOptions,
} from '@deploy-actions/nginx-config';

function problems(options: NginxConfigOptions): string {
  try {
    resolveOptions(options);
  } catch (error) {
    if (error instanceof ConfigErrors) return error.message;
    throw error;
  }
  throw new Error('expected a ConfigErrors');
}

describe('resolveOptions', () => {
  test('no options means the documented defaults', () => {
    expect(resolveOptions({})).toEqual(DEFAULTS);
  });

  test('given fields win over defaults; undefined fields do not', () => {
    const o = resolveOptions({ apiPath: '/backend/', listen: undefined, serverNames: ['a.test'] });
    expect(o.apiPath).toBe('/backend/');
    expect(o.listen).toBe('80');
    expect(o.serverNames).toEqual(['a.test']);
  });

  test.each<[NginxConfigOptions, string]>([
    [{ serverNames: [] }, "nginx option 'serverNames': is empty"],
    [{ serverNames: ['zanda360.com;'] }, "nginx option 'serverNames': entry 1 is not a host name"],
    [{ serverNames: ['a.test', 'Bad_Host.com'] }, "nginx option 'serverNames': entry 2 is not a host name"],
    [{ apiPath: 'api' }, "nginx option 'apiPath': is not a path prefix"],
    [{ apiPath: '/api' }, "nginx option 'apiPath': is not a path prefix — use e.g. '/api/'"],
    [{ apiPath: '/' }, "nginx option 'apiPath': is not a path prefix"],
    [{ apiUpstream: 'api:3000' }, "nginx option 'apiUpstream': is not an upstream URL"],
    [{ apiUpstream: 'http://api:3000/v1' }, "nginx option 'apiUpstream': is not an upstream URL"],
    [{ apiUpstream: 'http://api:70000' }, "nginx option 'apiUpstream': is not an upstream URL"],
    [{ realIpFrom: '10.0.0.0/33' }, "nginx option 'realIpFrom': is not an IPv4 CIDR"],
    [{ realIpFrom: 'vpc' }, "nginx option 'realIpFrom': is not an IPv4 CIDR"],
    [{ clientMaxBodySize: '25 MB' }, "nginx option 'clientMaxBodySize': is not an nginx size"],
    [{ listen: '0' }, "nginx option 'listen': is not a port or address:port"],
    [{ listen: 'localhost:80' }, "nginx option 'listen': is not a port or address:port"],
    [{ root: 'html' }, "nginx option 'root': is not an absolute directory"],
    [{ healthPath: 'health' }, "nginx option 'healthPath': is not a path"],
    [{ healthPath: '/api/health' }, "nginx option 'healthPath': is under the API path (nginx option 'apiPath')"],
    [{ assetPrefixes: ['/static'] }, "nginx option 'assetPrefixes': entry 1 is not a path prefix"],
    [{ assetPrefixes: ['/a/', '/api/'] }, "nginx option 'assetPrefixes': entry 2 overlaps the API path"],
    [{ missingFileExtensions: ['.js'] }, "nginx option 'missingFileExtensions': entry 1 is not a file extension"],
    [{ hsts: 'max-age="1"' }, "nginx option 'hsts': is not a valid header value"],
    [{ contentSecurityPolicy: "default-src 'self' $x" }, "nginx option 'contentSecurityPolicy'"],
    [{ frameOptions: 'ALLOW' as 'DENY' }, "nginx option 'frameOptions': is not one of the allowed values"],
    [{ proxyReadTimeout: '60 seconds' }, "nginx option 'proxyReadTimeout': is not an nginx time"],
    [{ proxyConnectTimeout: '0s' }, "nginx option 'proxyConnectTimeout': is not an nginx time"],
    [{ resolvers: ['dns.internal'] }, "nginx option 'resolvers': entry 1 is not a DNS server address"],
  ])('%j is rejected: %s', (options, message) => {
    const found = problems(options);
    expect(found).toContain(message);
    // The value is never repeated (only the problem is compared: the option's name and the examples of the fix may
    // look alike): it is an input, and an input may hold a secret pasted into the wrong field.
    const problem = (found.split(' — ')[0] ?? '').split(': ').slice(1).join(': ');
    for (const value of Object.values(options).flat()) {
      if (typeof value === 'string' && value.length >= 3) expect(problem).not.toContain(value);
    }
  });

  test.each<NginxConfigOptions>([
    { serverNames: ['*.staging.zanda360.com', 'www.example.*', 'localhost'] },
    { apiPath: '/api/v2/', apiUpstream: 'https://api.internal', realIpFrom: '172.31.0.0/16' },
    { listen: '127.0.0.1:8080', clientMaxBodySize: '0', proxyReadTimeout: '500ms' },
    { frameOptions: '', hsts: '', referrerPolicy: '', assetPrefixes: [], missingFileExtensions: [] },
    { resolvers: ['169.254.169.253', '10.0.0.2:53', '[fd00::2]:53'] },
  ])('%j is accepted', (options) => {
    expect(() => resolveOptions(options)).not.toThrow();
  });

  test('every problem is reported at once', () => {
    const message = problems({ apiPath: 'x', realIpFrom: 'y', listen: 'z' });
    expect(message).toMatch(/^3 problems:/);
    expect(message).toContain("'apiPath'");
    expect(message).toContain("'realIpFrom'");
    expect(message).toContain("'listen'");
  });

  test('an action can name its own inputs in the messages', () => {
    const label = (option: string): string => `input '${option.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}'`;
    expect(() => nginxFiles({ clientMaxBodySize: 'lots' }, label)).toThrow(
      "input 'client-max-body-size': is not an nginx size",
    );
    expect(() => imageEnvironment({ apiUpstream: 'nope' }, label)).toThrow(
      "input 'api-upstream': is not an upstream URL",
    );
  });
});
