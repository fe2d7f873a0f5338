import { API_HOSTS_SCRIPT_PATH, apiHostsScript } from './entrypoint';
import type { Environment, FileEntry } from './envsubst';
import {
  ENV,
  resolveOptions,
  WELL_KNOWN_DIR,
  type NginxConfigOptions,
  type OptionLabel,
  type ResolvedNginxOptions,
} from './options';

/** Where the template goes in the image; the official entrypoint renders it to /etc/nginx/conf.d/default.conf,
 * replacing the image's stock default server. */
export const TEMPLATE_PATH = '/etc/nginx/templates/default.conf.template';

// Only our variables (and the resolver list the entrypoint exports) are substituted, so nginx's own
// `$variables` survive even if the task definition happens to define a lower-case `uri` or `host`.
const ENVSUBST_FILTER = `^(SITE_|${ENV.localResolvers}$)`;

/**
 * The files to add to the image: absolute paths inside it, content and mode. Keep the modes: the
 * entrypoint skips a script that is not executable.
 */
export function nginxFiles(options: NginxConfigOptions, label?: OptionLabel): FileEntry[] {
  return [
    { path: TEMPLATE_PATH, content: serverTemplate(resolveOptions(options, label)), mode: 0o644 },
    { path: API_HOSTS_SCRIPT_PATH, content: apiHostsScript(), mode: 0o755 },
  ];
}

/**
 * Defaults for the image config's `Env`: every variable the template reads, plus the switches of the
 * official entrypoint it relies on. The task definition's `environment` overrides any of them.
 */
export function imageEnvironment(options: NginxConfigOptions, label?: OptionLabel): Record<string, string> {
  const o = resolveOptions(options, label);
  return {
    [ENV.serverNames]: o.serverNames.join(' '),
    [ENV.apiPath]: o.apiPath,
    [ENV.apiUpstream]: o.apiUpstream,
    [ENV.realIpFrom]: o.realIpFrom,
    [ENV.clientMaxBodySize]: o.clientMaxBodySize,
    // 15-local-resolvers.envsh exports NGINX_LOCAL_RESOLVERS from /etc/resolv.conf (the VPC resolver).
    NGINX_ENTRYPOINT_LOCAL_RESOLVERS: '1',
    NGINX_ENVSUBST_FILTER: ENVSUBST_FILTER,
  };
}

/** Per-environment values as the task definition should set them (for docs and render-task-def callers). */
export function environmentFor(values: {
  serverNames: readonly string[];
  apiUpstream: string;
  apiPath?: string;
  realIpFrom?: string;
  clientMaxBodySize?: string;
}): Environment {
  const env: Record<string, string> = {
    [ENV.serverNames]: values.serverNames.join(' '),
    [ENV.apiUpstream]: values.apiUpstream,
  };
  if (values.apiPath !== undefined) env[ENV.apiPath] = values.apiPath;
  if (values.realIpFrom !== undefined) env[ENV.realIpFrom] = values.realIpFrom;
  if (values.clientMaxBodySize !== undefined) env[ENV.clientMaxBodySize] = values.clientMaxBodySize;
  return env;
}

const v = (name: string): string => `\${${name}}`;
const quote = (value: string): string => `"${value}"`;

function securityHeaders(o: ResolvedNginxOptions): string[] {
  // `always`: also on 4xx/5xx pages nginx generates. They are declared at server level only and no
  // location declares add_header, so nginx's inheritance rule (a location with its own add_header drops
  // all of the server's) never applies.
  const headers: [string, string][] = [
    ['Strict-Transport-Security', o.hsts],
    ['X-Content-Type-Options', 'nosniff'],
    ['Referrer-Policy', o.referrerPolicy],
    ['X-Frame-Options', o.frameOptions],
    ['Content-Security-Policy', o.contentSecurityPolicy],
  ];
  return headers
    .filter(([, value]) => value !== '')
    .map(([name, value]) => `add_header ${name} ${quote(value)} always;`);
}

/** Headers nginx sets itself; the API's copies are hidden so each appears exactly once. */
function hiddenUpstreamHeaders(o: ResolvedNginxOptions): string[] {
  return [
    ...(o.hsts ? ['Strict-Transport-Security'] : []),
    'X-Content-Type-Options',
    ...(o.referrerPolicy ? ['Referrer-Policy'] : []),
    ...(o.frameOptions ? ['X-Frame-Options'] : []),
    ...(o.contentSecurityPolicy ? ['Content-Security-Policy'] : []),
  ].map((name) => `proxy_hide_header ${name};`);
}

function healthLocation(o: ResolvedNginxOptions): string[] {
  return [
    `# Target-group health check: answered by nginx itself, whatever the API's state.`,
    `location = ${o.healthPath} {`,
    ...(o.logHealthChecks ? [] : ['    access_log off;']),
    '    default_type text/plain;',
    '    return 200 "ok\\n";',
    '}',
  ];
}

/** A 404 for any path with a segment starting with '.', nested in `^~` locations (they skip regex ones). */
function dotfileDenial(o: ResolvedNginxOptions): string[] {
  return o.serveDotfiles ? [] : ['location ~ /\\. {', '    return 404;', '}'];
}

/**
 * /.well-known/ (RFC 8615): files only, a missing one is a 404 rather than index.html (the clients reading
 * these expect one), dotfiles below it refused too, apple-app-site-association sent as JSON as Apple requires.
 */
function wellKnownLocation(o: ResolvedNginxOptions): string[] {
  const cache = `set $site_cache_control ${quote(o.staticCacheControl)};`;
  return [
    `location ^~ /${WELL_KNOWN_DIR}/ {`,
    ...indent([
      cache,
      'try_files $uri =404;',
      `location = /${WELL_KNOWN_DIR}/apple-app-site-association {`,
      ...indent([cache, 'default_type application/json;', 'try_files $uri =404;']),
      '}',
      ...(o.serveDotfiles ? [] : [`location ~ ^/\\${WELL_KNOWN_DIR}/(.*/)?\\. {`, '    return 404;', '}']),
    ]),
    '}',
  ];
}

function indent(lines: string[], by = '    '): string[] {
  return lines.map((line) => (line === '' ? line : `${by}${line}`));
}

export function serverTemplate(o: ResolvedNginxOptions): string {
  const resolvers = o.resolvers.length > 0 ? o.resolvers.join(' ') : v(ENV.localResolvers);
  const extensions = o.missingFileExtensions.join('|');
  const http = [
    `# Generated by @deploy-actions/nginx-config. The official nginx image renders this template at start`,
    `# (20-envsubst-on-templates.sh) from the container's environment; variables (SITE_*):`,
    `#   ${ENV.serverNames}, ${ENV.apiPath}, ${ENV.apiUpstream}, ${ENV.realIpFrom}, ${ENV.clientMaxBodySize}`,
    `# and ${ENV.localResolvers} (from /etc/resolv.conf via NGINX_ENTRYPOINT_LOCAL_RESOLVERS).`,
    '',
    '# One JSON object per request on stdout, for CloudWatch Logs (Insights parses it as fields).',
    "log_format site_json escape=json '{'",
    `    '"time":"$time_iso8601",'`,
    `    '"remote_addr":"$remote_addr",'`,
    `    '"realip_remote_addr":"$realip_remote_addr",'`,
    `    '"x_forwarded_for":"$http_x_forwarded_for",'`,
    `    '"host":"$host",'`,
    `    '"method":"$request_method",'`,
    `    '"uri":"$request_uri",'`,
    `    '"protocol":"$server_protocol",'`,
    `    '"status":$status,'`,
    `    '"body_bytes_sent":$body_bytes_sent,'`,
    `    '"request_time":$request_time,'`,
    `    '"upstream_addr":"$upstream_addr",'`,
    `    '"upstream_status":"$upstream_status",'`,
    `    '"upstream_response_time":"$upstream_response_time",'`,
    `    '"referer":"$http_referer",'`,
    `    '"user_agent":"$http_user_agent",'`,
    `    '"trace_id":"$http_x_amzn_trace_id",'`,
    `    '"request_id":"$request_id"'`,
    "    '}';",
    '',
    '# X-Forwarded-For for the API: what the ALB sent plus the ALB itself. ($proxy_add_x_forwarded_for would',
    '# append $remote_addr, which real_ip has already replaced by the client, listing the client twice.)',
    'map $http_x_forwarded_for $site_forwarded_for {',
    "    ''      $realip_remote_addr;",
    '    default "$http_x_forwarded_for, $realip_remote_addr";',
    '}',
    '# The ALB terminates TLS and says which scheme the client used.',
    'map $http_x_forwarded_proto $site_forwarded_proto {',
    "    ''      $scheme;",
    '    default $http_x_forwarded_proto;',
    '}',
    '# WebSocket upgrades (e.g. Action Cable) pass through the API proxy.',
    'map $http_upgrade $site_connection_upgrade {',
    "    ''      '';",
    '    default upgrade;',
    '}',
    '',
  ];

  const common = [
    'server_tokens off;',
    // Behind the ALB nginx's own scheme/port are wrong for redirects; relative Location headers are right.
    'absolute_redirect off;',
    `access_log /dev/stdout site_json;`,
    '',
    '# Real client IPs: trust X-Forwarded-For only from the ALB (the VPC CIDR); the right-most untrusted',
    '# address wins, so a client cannot spoof its IP by sending its own X-Forwarded-For.',
    `set_real_ip_from ${v(ENV.realIpFrom)};`,
    'real_ip_header X-Forwarded-For;',
    'real_ip_recursive on;',
    '',
    ...securityHeaders(o),
  ];

  const main = [
    'server {',
    ...indent([
      `listen ${o.listen}${o.rejectUnknownHosts ? '' : ' default_server'};`,
      `server_name ${v(ENV.serverNames)};`,
      ...common,
      '',
      '# Cache-Control is chosen per location through this variable and added once, at server level,',
      '# without `always`: error responses (e.g. a 404 for a missing asset) are never cached for a year.',
      "set $site_cache_control '';",
      `add_header Cache-Control $site_cache_control;`,
      '',
      `root ${o.root};`,
      'index index.html;',
      `client_max_body_size ${v(ENV.clientMaxBodySize)};`,
      '',
      'gzip on;',
      'gzip_vary on;',
      'gzip_proxied any;',
      'gzip_comp_level 5;',
      'gzip_min_length 1024;',
      'gzip_types text/plain text/css text/xml text/javascript application/javascript application/json',
      '           application/xml application/rss+xml application/manifest+json application/wasm image/svg+xml;',
      '# A pre-compressed file.gz next to file is sent as is to clients accepting gzip.',
      'gzip_static on;',
      '',
      ...healthLocation(o),
      '',
      '# The API: resolved through DNS at request time (a variable in proxy_pass), so nginx starts and keeps',
      '# serving while the API name does not resolve yet, and follows it when its tasks move. A Service',
      '# Connect name (in /etc/hosts, which the resolver ignores) was pinned at start by 19-site-api-upstream.',
      `resolver ${resolvers} valid=${o.resolverValid} ipv6=off;`,
      `resolver_timeout ${o.resolverTimeout};`,
      `location ^~ ${v(ENV.apiPath)} {`,
      ...indent([
        `set $site_api_upstream ${quote(v(ENV.apiUpstream))};`,
        ...(o.apiStripPrefix ? [`rewrite ^${v(ENV.apiPath)}(.*)$ /$1 break;`] : []),
        'proxy_pass $site_api_upstream;',
        'proxy_http_version 1.1;',
        'proxy_set_header Host $host;',
        'proxy_set_header X-Real-IP $remote_addr;',
        'proxy_set_header X-Forwarded-For $site_forwarded_for;',
        'proxy_set_header X-Forwarded-Proto $site_forwarded_proto;',
        'proxy_set_header X-Forwarded-Host $host;',
        'proxy_set_header Upgrade $http_upgrade;',
        'proxy_set_header Connection $site_connection_upgrade;',
        'proxy_ssl_server_name on;',
        `proxy_connect_timeout ${o.proxyConnectTimeout};`,
        `proxy_send_timeout ${o.proxySendTimeout};`,
        `proxy_read_timeout ${o.proxyReadTimeout};`,
        // One upstream address per name: retrying another would only re-send non-idempotent requests.
        'proxy_next_upstream off;',
        ...hiddenUpstreamHeaders(o),
      ]),
      '}',
      '',
      '# index.html (also every deep link) is revalidated on every load so a deploy is seen at once.',
      'location = /index.html {',
      `    set $site_cache_control ${quote(o.indexCacheControl)};`,
      '}',
      '',
      ...(o.serveDotfiles
        ? []
        : [
            '# Dotfiles and dot-directories (.env, .git/, .aws/) are never served, whatever the image holds.',
            ...dotfileDenial(o),
            '',
          ]),
      '# Well-known URIs (security.txt, ACME, app links): files only, a missing one is a 404.',
      ...wellKnownLocation(o),
      '',
      ...o.assetPrefixes.flatMap((prefix) => [
        `# Fingerprinted build output: cached for good; a missing file is a 404, never index.html.`,
        `location ^~ ${prefix} {`,
        `    set $site_cache_control ${quote(o.assetCacheControl)};`,
        '    try_files $uri =404;',
        ...indent(dotfileDenial(o)),
        '}',
      ]),
      '',
      ...(o.missingFileExtensions.length > 0
        ? [
            '# Other files with a static extension: served if present, a 404 (not index.html) if missing.',
            `location ~* \\.(?:${extensions})$ {`,
            `    set $site_cache_control ${quote(o.staticCacheControl)};`,
            '    try_files $uri =404;',
            '}',
            '',
          ]
        : []),
      '# Single-page app: existing files are served, every other path is a client-side route.',
      'location / {',
      `    set $site_cache_control ${quote(o.staticCacheControl)};`,
      '    try_files $uri $uri/ /index.html;',
      '}',
    ]),
    '}',
  ];

  const catchAll = o.rejectUnknownHosts
    ? [
        '',
        '# Any other Host (the ALB health check uses the task IP): health answers, the rest is refused.',
        'server {',
        ...indent([
          `listen ${o.listen} default_server;`,
          'server_name _;',
          ...common,
          '',
          ...healthLocation(o),
          'location / {',
          '    return 421;',
          '}',
        ]),
        '}',
      ]
    : [];

  return [...http, ...main, ...catchAll, ''].join('\n');
}
