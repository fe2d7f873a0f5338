import {
  API_HOSTS_SCRIPT_PATH,
  ENV,
  environmentFor,
  imageEnvironment,
  nginxFiles,
  renderTemplates,
  TEMPLATE_PATH,
  type NginxConfigOptions,
} from '@deploy-actions/nginx-config';

const template = (options: NginxConfigOptions = {}): string => nginxFiles(options)[0]!.content;

/** The `${VAR}` references a template makes. */
const references = (text: string): Set<string> =>
  new Set([...text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => m[1]!));

/** Each location block's body, up to its first nested block (nested ones add no headers either). */
const locations = (text: string): string[] => [...text.matchAll(/\n\s*location [^{]*\{([^}]*)\}/g)].map((m) => m[1]!);

describe('nginxFiles', () => {
  test('a template the official image renders to conf.d/default.conf, and an executable entrypoint script', () => {
    const files = nginxFiles({});
    expect(files.map((f) => [f.path, f.mode])).toEqual([
      [TEMPLATE_PATH, 0o644],
      [API_HOSTS_SCRIPT_PATH, 0o755],
    ]);
    expect(TEMPLATE_PATH).toBe('/etc/nginx/templates/default.conf.template');
    // after 15-local-resolvers.envsh, before 20-envsubst-on-templates.sh; .envsh is sourced, so exports stick
    expect(API_HOSTS_SCRIPT_PATH).toBe('/docker-entrypoint.d/19-site-api-upstream.envsh');
    expect(renderTemplates(files, {}).map((f) => f.path)).toEqual(['/etc/nginx/conf.d/default.conf']);
  });

  test('every variable the template reads has an image default, except the one the entrypoint exports', () => {
    const env = imageEnvironment({});
    const missing = [...references(template())].filter((name) => !(name in env));
    expect(missing).toEqual([ENV.localResolvers]);
    expect(env['NGINX_ENTRYPOINT_LOCAL_RESOLVERS']).toBe('1');
  });

  test('image defaults render a configuration without placeholders, nginx variables intact', () => {
    const env = { ...imageEnvironment({}), NGINX_LOCAL_RESOLVERS: '10.0.0.2', uri: 'SHOULD-NOT-APPEAR', host: 'NOPE' };
    const [out] = renderTemplates(nginxFiles({}), env);
    expect(out?.content).not.toMatch(/\$\{/);
    expect(out?.content).not.toContain('SHOULD-NOT-APPEAR');
    expect(out?.content).toContain('try_files $uri $uri/ /index.html;');
    expect(out?.content).toContain('proxy_set_header Host $host;');
    expect(out?.content).toContain('server_name zanda360.com *.zanda360.com smartlms.co.uk *.smartlms.co.uk;');
    expect(out?.content).toContain('resolver 10.0.0.2 valid=10s ipv6=off;');
    expect(out?.content).toContain('set $site_api_upstream "http://api.learning-platform:3000";');
  });

  test('no location declares add_header (nginx would drop every server-level header there)', () => {
    const text = template({ apiStripPrefix: true, contentSecurityPolicy: "default-src 'self'" });
    const bodies = locations(text);
    expect(bodies.length).toBeGreaterThanOrEqual(6);
    for (const body of bodies) expect(body).not.toContain('add_header');
    expect(text).toContain(`add_header Content-Security-Policy "default-src 'self'" always;`);
  });

  test.each<[NginxConfigOptions, string[], string[]]>([
    [{}, ['listen 80;', 'server_name _;', 'return 421;'], ['default_server;\n    server_name ${']],
    [{ rejectUnknownHosts: false }, ['listen 80 default_server;'], ['return 421;', 'server_name _;']],
    [{ apiStripPrefix: true }, ['rewrite ^${SITE_API_PATH}(.*)$ /$1 break;'], []],
    [{ resolvers: ['169.254.169.253'] }, ['resolver 169.254.169.253 valid=10s'], ['${NGINX_LOCAL_RESOLVERS}']],
    [{ logHealthChecks: true }, ['location = /healthz {'], ['access_log off;']],
    [{ hsts: '', frameOptions: '' }, ['X-Content-Type-Options'], ['Strict-Transport-Security', 'X-Frame-Options']],
    [
      { assetPrefixes: ['/static/', '/build/'] },
      ['location ^~ /static/ {', 'location ^~ /build/ {'],
      ['location ^~ /assets/'],
    ],
    [{ missingFileExtensions: [] }, ['try_files $uri $uri/ /index.html;'], ['location ~*']],
    [{ listen: '8080', proxyReadTimeout: '30s' }, ['listen 8080;', 'proxy_read_timeout 30s;'], ['listen 80;']],
    [{}, ['location ~ /\\. {', 'location ~ ^/\\.well-known/(.*/)?\\. {'], []],
    [{ serveDotfiles: true }, ['location ^~ /.well-known/ {'], ['location ~ /\\. {', 'well-known/(.*/)?']],
  ])('%j', (options, present, absent) => {
    const text = template(options);
    for (const fragment of present) expect(text).toContain(fragment);
    for (const fragment of absent) expect(text).not.toContain(fragment);
  });

  test('imageEnvironment carries the options as defaults and restricts envsubst to our variables', () => {
    expect(imageEnvironment({ serverNames: ['a.test', '*.a.test'], clientMaxBodySize: '5m' })).toEqual({
      SITE_SERVER_NAMES: 'a.test *.a.test',
      SITE_API_PATH: '/api/',
      SITE_API_UPSTREAM: 'http://api.learning-platform:3000',
      SITE_REAL_IP_FROM: '10.0.0.0/8',
      SITE_CLIENT_MAX_BODY_SIZE: '5m',
      NGINX_ENTRYPOINT_LOCAL_RESOLVERS: '1',
      NGINX_ENVSUBST_FILTER: '^(SITE_|NGINX_LOCAL_RESOLVERS$)',
    });
  });

  test('environmentFor gives the task definition entries for one environment', () => {
    expect(
      environmentFor({
        serverNames: ['staging.zanda360.com', '*.staging.zanda360.com'],
        apiUpstream: 'http://api-staging:3000',
        clientMaxBodySize: '50m',
      }),
    ).toEqual({
      SITE_SERVER_NAMES: 'staging.zanda360.com *.staging.zanda360.com',
      SITE_API_UPSTREAM: 'http://api-staging:3000',
      SITE_CLIENT_MAX_BODY_SIZE: '50m',
    });
  });

  test('the template is deterministic (same options, same bytes: the image digest depends on it)', () => {
    expect(template({ listen: '8080' })).toBe(template({ listen: '8080' }));
  });
});
