/**
 * What the official nginx image does at start-up, re-implemented from its documented behaviour so tests
 * (and anyone curious) can see the exact configuration a container will run:
 * - 15-local-resolvers.envsh: when NGINX_ENTRYPOINT_LOCAL_RESOLVERS is set, NGINX_LOCAL_RESOLVERS becomes
 *   the `nameserver` addresses of /etc/resolv.conf (IPv6 in brackets), space-separated;
 * - 20-envsubst-on-templates.sh: every file under NGINX_ENVSUBST_TEMPLATE_DIR (/etc/nginx/templates) whose
 *   name ends in NGINX_ENVSUBST_TEMPLATE_SUFFIX (.template) is written, suffix removed and sub-directories
 *   kept, to NGINX_ENVSUBST_OUTPUT_DIR (/etc/nginx/conf.d), replacing `$NAME` and `${NAME}` ONLY for
 *   variables that are set in the environment (even to '') and whose name matches NGINX_ENVSUBST_FILTER
 *   (an extended regex; empty matches all). Everything else, nginx's own `$uri` included, is left as is.
 * The stream-module variant (.stream-template) is not used by this configuration and not modelled.
 */

export interface FileEntry {
  readonly path: string;
  readonly content: string;
  /** File mode in the image; absent means 0o644. Entrypoint scripts must be executable or are skipped. */
  readonly mode?: number;
}

export type Environment = Readonly<Record<string, string | undefined>>;

const TEMPLATE_DIR = '/etc/nginx/templates';
const TEMPLATE_SUFFIX = '.template';
const OUTPUT_DIR = '/etc/nginx/conf.d';

// A shell `${VAR:-default}`: unset and empty both mean the default.
function setting(env: Environment, name: string, fallback: string): string {
  const value = env[name];
  return value === undefined || value === '' ? fallback : value;
}

/** The names envsubst will replace: set in the environment and matching the filter. */
export function substitutedNames(env: Environment): Set<string> {
  const filter = new RegExp(setting(env, 'NGINX_ENVSUBST_FILTER', ''));
  return new Set(Object.keys(env).filter((name) => env[name] !== undefined && filter.test(name)));
}

/** envsubst with an explicit variable list: `$NAME` / `${NAME}` for listed names, the rest untouched. */
export function envsubst(text: string, env: Environment, names: ReadonlySet<string>): string {
  return text.replace(
    /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g,
    (whole, braced?: string, bare?: string) => {
      const name = braced ?? bare ?? '';
      return names.has(name) ? (env[name] ?? '') : whole;
    },
  );
}

/** The files 20-envsubst-on-templates.sh writes for `files` (templates and other files mixed) and `env`. */
export function renderTemplates(files: readonly FileEntry[], env: Environment): FileEntry[] {
  const templateDir = setting(env, 'NGINX_ENVSUBST_TEMPLATE_DIR', TEMPLATE_DIR).replace(/\/+$/, '');
  const suffix = setting(env, 'NGINX_ENVSUBST_TEMPLATE_SUFFIX', TEMPLATE_SUFFIX);
  const outputDir = setting(env, 'NGINX_ENVSUBST_OUTPUT_DIR', OUTPUT_DIR).replace(/\/+$/, '');
  const names = substitutedNames(env);
  return files
    .filter((file) => file.path.startsWith(`${templateDir}/`) && file.path.endsWith(suffix))
    .map((file) => {
      const relative = file.path.slice(templateDir.length + 1, file.path.length - suffix.length);
      return { path: `${outputDir}/${relative}`, content: envsubst(file.content, env, names) };
    });
}

/** NGINX_LOCAL_RESOLVERS as 15-local-resolvers.envsh derives it from the text of /etc/resolv.conf. */
export function localResolvers(resolvConf: string): string {
  return resolvConf
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields[0] === 'nameserver' && fields[1] !== undefined)
    .map((fields) => {
      const address = fields[1] ?? '';
      return address.includes(':') ? `[${address}]` : address;
    })
    .join(' ');
}
