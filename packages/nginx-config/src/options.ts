import { ErrorCollector } from '@deploy-actions/core';

/**
 * Everything about the frontend's nginx configuration that is fixed when the image is built.
 *
 * The first group are only DEFAULTS: they are baked into the image's config `Env` (see `imageEnvironment`)
 * and the task definition's `environment` overrides them per environment, so one image serves staging and
 * production. The second group is compiled into the template itself. Every field is optional; `DEFAULTS`
 * holds what an omitted (or undefined) field means, so an action can pass `inputs.optional(...)` straight in.
 */
export interface NginxConfigOptions {
  // ---- defaults for the per-environment values (env vars, overridable by the task definition) ----
  /** Host names the site answers to (`server_name`): brands and tenant wildcards, e.g. `*.zanda360.com`. */
  serverNames?: readonly string[] | undefined;
  /** URL path prefix proxied to the API; starts and ends with `/`, e.g. `/api/`. */
  apiPath?: string | undefined;
  /** The API's base URL, scheme + host + optional port, no path, e.g. a Service Connect name. */
  apiUpstream?: string | undefined;
  /** The CIDR the ALB connects from (the VPC's); X-Forwarded-For is trusted only from it. */
  realIpFrom?: string | undefined;
  /** Largest request body accepted (nginx size, e.g. `25m`); bigger requests get 413. */
  clientMaxBodySize?: string | undefined;

  // ---- compiled into the template ----
  /** nginx `listen` value: a port (`80`) or `address:port`. */
  listen?: string | undefined;
  /** Directory holding the static site inside the image. */
  root?: string | undefined;
  /** Path of the health endpoint answered by nginx itself (any Host header, API up or not). */
  healthPath?: string | undefined;
  /** Log health-check requests (the ALB probes every few seconds; off keeps the logs readable). */
  logHealthChecks?: boolean | undefined;
  /** Path prefixes of fingerprinted files: cached for a year as immutable; a missing file is a 404. */
  assetPrefixes?: readonly string[] | undefined;
  /** File extensions that are never answered with index.html when missing (a 404 instead). */
  missingFileExtensions?: readonly string[] | undefined;
  /** Cache-Control for index.html (every deep link is served it). */
  indexCacheControl?: string | undefined;
  /** Cache-Control for fingerprinted assets under `assetPrefixes`. */
  assetCacheControl?: string | undefined;
  /** Cache-Control for other existing static files (favicon.ico, robots.txt, ...). */
  staticCacheControl?: string | undefined;
  /** Remove `apiPath` from the URI before proxying (`/api/users` -> `/users`). */
  apiStripPrefix?: boolean | undefined;
  /** nginx time values for the API proxy. */
  proxyConnectTimeout?: string | undefined;
  proxySendTimeout?: string | undefined;
  proxyReadTimeout?: string | undefined;
  /**
   * DNS servers for re-resolving the API name. Empty: the resolvers of the container's /etc/resolv.conf,
   * which the official image exports as NGINX_LOCAL_RESOLVERS (NGINX_ENTRYPOINT_LOCAL_RESOLVERS is set).
   */
  resolvers?: readonly string[] | undefined;
  /** How long a resolved API address is reused before asking DNS again. */
  resolverValid?: string | undefined;
  /** How long one DNS lookup may take. */
  resolverTimeout?: string | undefined;
  /** Strict-Transport-Security value; empty disables it. */
  hsts?: string | undefined;
  /** X-Frame-Options value; empty disables it. */
  frameOptions?: 'DENY' | 'SAMEORIGIN' | '' | undefined;
  /** Referrer-Policy value; empty disables it. */
  referrerPolicy?: string | undefined;
  /** Content-Security-Policy value; empty (the default) sends none. */
  contentSecurityPolicy?: string | undefined;
  /** Requests for host names not in the server names get 421 (health still answers on any host). */
  rejectUnknownHosts?: boolean | undefined;
  /**
   * Serve paths with a segment starting with '.' (/.env, /.git/config, /assets/.x). Off (the default), nginx
   * answers them 404 whatever the image holds; /.well-known/ is served either way.
   */
  serveDotfiles?: boolean | undefined;
}

/**
 * RFC 8615's well-known URIs live here (security.txt, ACME challenges, apple-app-site-association,
 * assetlinks.json): the one dot-directory a site must serve, at its top only.
 */
export const WELL_KNOWN_DIR = '.well-known';

export type ResolvedNginxOptions = {
  readonly [K in keyof NginxConfigOptions]-?: Exclude<NginxConfigOptions[K], undefined>;
};

export const DEFAULTS: ResolvedNginxOptions = {
  serverNames: ['zanda360.com', '*.zanda360.com', 'smartlms.co.uk', '*.smartlms.co.uk'],
  apiPath: '/api/',
  apiUpstream: 'http://api.learning-platform:3000',
  realIpFrom: '10.0.0.0/8',
  clientMaxBodySize: '25m',
  listen: '80',
  root: '/usr/share/nginx/html',
  healthPath: '/healthz',
  logHealthChecks: false,
  assetPrefixes: ['/assets/'],
  missingFileExtensions: [
    'js',
    'mjs',
    'cjs',
    'css',
    'map',
    'json',
    'wasm',
    'webmanifest',
    'txt',
    'xml',
    'png',
    'jpg',
    'jpeg',
    'gif',
    'svg',
    'webp',
    'avif',
    'ico',
    'woff',
    'woff2',
    'ttf',
    'otf',
    'eot',
  ],
  indexCacheControl: 'no-cache',
  assetCacheControl: 'public, max-age=31536000, immutable',
  staticCacheControl: 'no-cache',
  apiStripPrefix: false,
  proxyConnectTimeout: '5s',
  proxySendTimeout: '60s',
  proxyReadTimeout: '60s',
  resolvers: [],
  resolverValid: '10s',
  resolverTimeout: '5s',
  hsts: 'max-age=63072000; includeSubDomains',
  frameOptions: 'SAMEORIGIN',
  referrerPolicy: 'strict-origin-when-cross-origin',
  contentSecurityPolicy: '',
  rejectUnknownHosts: true,
  serveDotfiles: false,
};

/** Names the environment variables the template reads; the task definition sets them per environment. */
export const ENV = {
  serverNames: 'SITE_SERVER_NAMES',
  apiPath: 'SITE_API_PATH',
  apiUpstream: 'SITE_API_UPSTREAM',
  realIpFrom: 'SITE_REAL_IP_FROM',
  clientMaxBodySize: 'SITE_CLIENT_MAX_BODY_SIZE',
  /** Set by the official image's 15-local-resolvers.envsh from /etc/resolv.conf. */
  localResolvers: 'NGINX_LOCAL_RESOLVERS',
} as const;

// Validation patterns. Values end up inside nginx directives, so anything that could end a directive
// (`;`, `{`, `}`, quotes, `$`, whitespace where not allowed) is rejected, not escaped.
const SERVER_NAME = /^(\*\.)?([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.\*)?$/;
const PATH_PREFIX = /^\/([A-Za-z0-9._~-]+\/)*$/;
const UPSTREAM = /^https?:\/\/[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:\d{1,5})?$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const SIZE = /^\d+[kKmMgG]?$/;
const TIME = /^\d+(ms|s|m|h)?$/;
const LISTEN = /^(\d{1,5}|(\d{1,3}\.){3}\d{1,3}:\d{1,5}|\[[0-9a-fA-F:]+\]:\d{1,5})$/;
const ABS_DIR = /^\/[A-Za-z0-9._\-/]*$/;
const EXTENSION = /^[a-z0-9]+$/;
const RESOLVER = /^((\d{1,3}\.){3}\d{1,3}|\[[0-9a-fA-F:]+\])(:\d{1,5})?$/;
// Header values go inside double quotes in the config.
const HEADER_VALUE = /^[\x20-\x7e]*$/;

export function isCidr(value: string): boolean {
  const [address, bits, ...rest] = value.split('/');
  if (rest.length > 0 || address === undefined || !IPV4.test(address)) return false;
  return bits === undefined || (/^\d{1,2}$/.test(bits) && Number(bits) <= 32);
}

/** How an option is named in messages; an action passes its input names instead. */
export type OptionLabel = (option: keyof NginxConfigOptions) => string;
const defaultLabel: OptionLabel = (option) => `nginx option '${option}'`;

/**
 * Fills in defaults and validates every field, reporting all problems at once (ConfigErrors, each naming the
 * option, the entry of a list, what kind of value is expected and a valid example). The value found is never
 * repeated: these options are inputs, and an input may hold a secret pasted into the wrong field.
 */
export function resolveOptions(options: NginxConfigOptions, label: OptionLabel = defaultLabel): ResolvedNginxOptions {
  const o: ResolvedNginxOptions = { ...DEFAULTS, ...definedOnly(options) };
  const errors = new ErrorCollector();
  const check = (option: keyof NginxConfigOptions, ok: boolean, problem: string, fix: string): void => {
    if (!ok) errors.add(label(option), problem, fix);
  };
  /** Each entry of a list option: "entry 2 is not a host name". */
  const each = (
    option: keyof NginxConfigOptions,
    entries: readonly string[],
    ok: (entry: string) => boolean,
    problem: string,
    fix: string,
  ): void => entries.forEach((entry, i) => check(option, ok(entry), `entry ${i + 1} ${problem}`, fix));

  check('serverNames', o.serverNames.length > 0, 'is empty', "give at least one host name, e.g. 'zanda360.com'");
  each(
    'serverNames',
    o.serverNames,
    (name) => SERVER_NAME.test(name),
    'is not a host name',
    "use e.g. 'zanda360.com' or '*.zanda360.com' (lower case)",
  );
  check(
    'apiPath',
    PATH_PREFIX.test(o.apiPath) && o.apiPath !== '/',
    'is not a path prefix',
    "use e.g. '/api/' (starts and ends with '/', not just '/')",
  );
  check(
    'apiUpstream',
    UPSTREAM.test(o.apiUpstream) && portOk(o.apiUpstream),
    'is not an upstream URL',
    "use scheme://host[:port] without a path, e.g. 'http://api.learning-platform:3000'",
  );
  check('realIpFrom', isCidr(o.realIpFrom), 'is not an IPv4 CIDR', "use the VPC's CIDR, e.g. '10.0.0.0/16'");
  check(
    'clientMaxBodySize',
    SIZE.test(o.clientMaxBodySize),
    'is not an nginx size',
    "use e.g. '25m', '512k' or '0' (no limit)",
  );
  check(
    'listen',
    LISTEN.test(o.listen) && portOk(o.listen),
    'is not a port or address:port',
    "use e.g. '80' or '127.0.0.1:8080'",
  );
  check('root', ABS_DIR.test(o.root), 'is not an absolute directory', "use e.g. '/usr/share/nginx/html'");
  check(
    'healthPath',
    /^\/[A-Za-z0-9._~/-]*$/.test(o.healthPath) && !o.healthPath.endsWith('/'),
    'is not a path',
    "use e.g. '/healthz'",
  );
  check(
    'healthPath',
    !o.healthPath.startsWith(o.apiPath),
    `is under the API path (${label('apiPath')})`,
    'pick a path nginx answers itself, outside the API prefix',
  );
  each(
    'assetPrefixes',
    o.assetPrefixes,
    (prefix) => PATH_PREFIX.test(prefix) && prefix !== '/',
    'is not a path prefix',
    "use e.g. '/assets/' (starts and ends with '/')",
  );
  each(
    'assetPrefixes',
    o.assetPrefixes,
    (prefix) => !prefix.startsWith(o.apiPath) && !o.apiPath.startsWith(prefix),
    `overlaps the API path (${label('apiPath')})`,
    'asset and API prefixes must be disjoint',
  );
  each(
    'missingFileExtensions',
    o.missingFileExtensions,
    (ext) => EXTENSION.test(ext),
    'is not a file extension',
    "use e.g. 'js' (lower case, no dot)",
  );
  for (const key of [
    'indexCacheControl',
    'assetCacheControl',
    'staticCacheControl',
    'hsts',
    'referrerPolicy',
    'contentSecurityPolicy',
  ] as const) {
    check(
      key,
      HEADER_VALUE.test(o[key]) && !o[key].includes('"') && !o[key].includes('$') && !o[key].includes('\\'),
      'is not a valid header value',
      'use printable ASCII without quotes, backslashes or $',
    );
  }
  check(
    'frameOptions',
    ['DENY', 'SAMEORIGIN', ''].includes(o.frameOptions),
    'is not one of the allowed values',
    "use 'DENY', 'SAMEORIGIN' or '' (none)",
  );
  for (const key of [
    'proxyConnectTimeout',
    'proxySendTimeout',
    'proxyReadTimeout',
    'resolverValid',
    'resolverTimeout',
  ] as const) {
    check(
      key,
      TIME.test(o[key]) && !/^0+(ms|s|m|h)?$/.test(o[key]),
      'is not an nginx time',
      "use e.g. '5s', '500ms' or '2m' (more than 0)",
    );
  }
  each(
    'resolvers',
    o.resolvers,
    (resolver) => RESOLVER.test(resolver),
    'is not a DNS server address',
    "use an IP with an optional port, e.g. '169.254.169.253' or '10.0.0.2:53'",
  );
  errors.throwIfAny();
  return o;
}

function portOk(value: string): boolean {
  const port = /:(\d+)$/.exec(value)?.[1] ?? (/^\d+$/.test(value) ? value : undefined);
  return port === undefined || (Number(port) >= 1 && Number(port) <= 65535);
}

function definedOnly(options: NginxConfigOptions): Partial<ResolvedNginxOptions> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
}
