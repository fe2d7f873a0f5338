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
    [{ serverNames: ['zanda360.com;'] }, "nginx option 'serverNames': 'zanda360.com;' is not a host name"],
    [{ serverNames: ['Bad_Host.com'] }, "'Bad_Host.com' is not a host name"],
    [{ apiPath: 'api' }, "nginx option 'apiPath': 'api' is not a path prefix"],
    [{ apiPath: '/api' }, "'/api' is not a path prefix — use e.g. '/api/'"],
    [{ apiPath: '/' }, "'/' is not a path prefix"],
    [{ apiUpstream: 'api:3000' }, "nginx option 'apiUpstream': 'api:3000' is not an upstream URL"],
    [{ apiUpstream: 'http://api:3000/v1' }, "'http://api:3000/v1' is not an upstream URL"],
    [{ apiUpstream: 'http://api:70000' }, "'http://api:70000' is not an upstream URL"],
    [{ realIpFrom: '10.0.0.0/33' }, "nginx option 'realIpFrom': '10.0.0.0/33' is not an IPv4 CIDR"],
    [{ realIpFrom: 'vpc' }, "'vpc' is not an IPv4 CIDR"],
    [{ clientMaxBodySize: '25 MB' }, "nginx option 'clientMaxBodySize': '25 MB' is not an nginx size"],
    [{ listen: '0' }, "nginx option 'listen': '0' is not a port or address:port"],
    [{ listen: 'localhost:80' }, "'localhost:80' is not a port or address:port"],
    [{ root: 'html' }, "nginx option 'root': 'html' is not an absolute directory"],
    [{ healthPath: 'health' }, "nginx option 'healthPath': 'health' is not a path"],
    [{ healthPath: '/api/health' }, "'/api/health' is under apiPath '/api/'"],
    [{ assetPrefixes: ['/static'] }, "nginx option 'assetPrefixes': '/static' is not a path prefix"],
    [{ assetPrefixes: ['/api/'] }, "'/api/' overlaps apiPath '/api/'"],
    [{ missingFileExtensions: ['.js'] }, "nginx option 'missingFileExtensions': '.js' is not a file extension"],
    [{ hsts: 'max-age="1"' }, "nginx option 'hsts': 'max-age=\"1\"' is not a valid header value"],
    [{ contentSecurityPolicy: "default-src 'self' $x" }, "nginx option 'contentSecurityPolicy'"],
    [{ frameOptions: 'ALLOW' as 'DENY' }, "nginx option 'frameOptions': 'ALLOW' is not allowed"],
    [{ proxyReadTimeout: '60 seconds' }, "nginx option 'proxyReadTimeout': '60 seconds' is not an nginx time"],
    [{ proxyConnectTimeout: '0s' }, "nginx option 'proxyConnectTimeout': '0s' is not an nginx time"],
    [{ resolvers: ['dns.internal'] }, "nginx option 'resolvers': 'dns.internal' is not a DNS server address"],
  ])('%j is rejected: %s', (options, message) => {
    expect(problems(options)).toContain(message);
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
    expect(() => nginxFiles({ clientMaxBodySize: 'lots' }, label)).toThrow("input 'client-max-body-size': 'lots'");
    expect(() => imageEnvironment({ apiUpstream: 'nope' }, label)).toThrow("input 'api-upstream': 'nope'");
  });
});
