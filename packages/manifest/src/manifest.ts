import { ConfigError, ErrorCollector, readStructuredFile } from '@deploy-actions/core';
import { RULE_NAMES, SIMPLE_RULES, compileRegex, isHostname, type FormatRule } from './formats';

/** The SSM parameter types. */
export type ParameterType = 'String' | 'SecureString' | 'StringList';
export const PARAMETER_TYPES: readonly ParameterType[] = ['String', 'SecureString', 'StringList'];

export interface ManifestEnvironment {
  readonly name: string;
  /** SSM path prefix, always starting and ending with '/', e.g. `/learning-platform/production/`. */
  readonly path: string;
  /** Host names/wildcards the load balancer has certificates for (for the `certificate-host` rule). */
  readonly certificates: readonly string[];
}

export interface ManifestParameter {
  /** Name below the environment path, e.g. `SMTP_PORT`; also the container variable name unless `env` says otherwise. */
  readonly name: string;
  /** Expected SSM type: SecureString when `secret`, String otherwise, unless given. */
  readonly type: ParameterType;
  /** Confidential: must be a SecureString and must never be set as a plain `environment` value. */
  readonly secret: boolean;
  /** Missing is an error when true (the default), a warning when false. */
  readonly required: boolean;
  /** Value rule; without one the parameter only has to exist and be non-empty, and is never decrypted. */
  readonly format?: FormatRule;
  /** Container that receives the parameter (ECS `secrets[].valueFrom`); undefined = the manifest's default. */
  readonly container?: string;
  /** Variable name inside the container. */
  readonly env: string;
  /** Environments the parameter exists in; undefined = all. */
  readonly environments?: readonly string[];
  readonly description?: string;
}

export interface Manifest {
  readonly file: string;
  readonly version: 1;
  /** Default container for parameters without `container`. */
  readonly container?: string;
  readonly environments: ReadonlyMap<string, ManifestEnvironment>;
  readonly parameters: readonly ManifestParameter[];
}

type Doc = Record<string, unknown>;

const TOP_KEYS = ['version', 'container', 'environments', 'parameters'];
const ENV_KEYS = ['path', 'certificates'];
const PARAM_KEYS = ['name', 'type', 'secret', 'required', 'format', 'container', 'env', 'environments', 'description'];
const PARAM_NAME = /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/;
const ENV_VAR = /^[A-Za-z_][A-Za-z0-9_]*$/;
const PATH = /^\/([A-Za-z0-9_.-]+\/)*$/;
const CONTAINER = /^[A-Za-z0-9_-]{1,255}$/;

function isObject(value: unknown): value is Doc {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return `a ${typeof value}`;
}

/**
 * Why a pattern does not compile, without the pattern: V8's message repeats it ("Invalid regular expression:
 * /…/u: Unterminated group"), and only the reason after the last ': ' is grammar.
 */
function regexReason(error: unknown): string {
  const message = error instanceof Error ? error.message : '';
  const reason = message.slice(message.lastIndexOf(': ') + 2);
  return /^[A-Za-z ]+$/.test(reason) ? reason.toLowerCase() : 'it does not compile';
}

/** Reports keys the format does not define (a typo such as `requried` must not be silently ignored). */
function unknownKeys(errors: ErrorCollector, where: string, doc: Doc, known: readonly string[]): void {
  for (const key of Object.keys(doc)) {
    if (!known.includes(key)) errors.add(`${where}.${key}`, 'is not a known key', `use one of: ${known.join(', ')}`);
  }
}

function parseFormat(errors: ErrorCollector, where: string, raw: unknown): FormatRule | undefined {
  const fix = `use one of: ${SIMPLE_RULES.join(', ')}; or {rule: hex, length: N}; or {rule: regex, pattern: '...'}`;
  if (typeof raw === 'string') {
    if ((SIMPLE_RULES as readonly string[]).includes(raw)) return { rule: raw as (typeof SIMPLE_RULES)[number] };
    errors.add(where, 'is not a known rule', fix);
    return undefined;
  }
  if (!isObject(raw)) {
    errors.add(where, `must be a rule name or an object, not ${typeOf(raw)}`, fix);
    return undefined;
  }
  const rule = raw['rule'];
  if (typeof rule !== 'string' || !(RULE_NAMES as readonly string[]).includes(rule)) {
    errors.add(`${where}.rule`, rule === undefined ? 'is missing' : 'is not a known rule', fix);
    return undefined;
  }
  if (rule === 'hex') {
    unknownKeys(errors, where, raw, ['rule', 'length']);
    const length = raw['length'];
    if (length === undefined) return { rule };
    if (typeof length !== 'number' || !Number.isInteger(length) || length < 1) {
      errors.add(`${where}.length`, 'must be a positive whole number', 'e.g. length: 32');
      return undefined;
    }
    return { rule, length };
  }
  if (rule === 'regex') {
    unknownKeys(errors, where, raw, ['rule', 'pattern', 'description']);
    const pattern = raw['pattern'];
    const description = raw['description'];
    if (typeof pattern !== 'string' || pattern === '') {
      errors.add(`${where}.pattern`, 'must be a non-empty string', "e.g. pattern: '[a-z]+'");
      return undefined;
    }
    try {
      compileRegex(pattern);
    } catch (error) {
      errors.add(`${where}.pattern`, `is not a valid regular expression (${regexReason(error)})`);
      return undefined;
    }
    if (description !== undefined && typeof description !== 'string') {
      errors.add(`${where}.description`, 'must be a string');
      return undefined;
    }
    return description === undefined ? { rule, pattern } : { rule, pattern, description };
  }
  unknownKeys(errors, where, raw, ['rule']);
  return { rule } as FormatRule;
}

function parseEnvironment(errors: ErrorCollector, where: string, name: string, raw: unknown): ManifestEnvironment {
  const empty: ManifestEnvironment = { name, path: '/', certificates: [] };
  if (!isObject(raw)) {
    errors.add(where, `must be an object with 'path', not ${typeOf(raw)}`, 'e.g. { path: /my-app/production/ }');
    return empty;
  }
  unknownKeys(errors, where, raw, ENV_KEYS);
  let path = raw['path'];
  if (typeof path !== 'string' || path === '') {
    errors.add(
      `${where}.path`,
      path === undefined ? 'is missing' : 'must be a string',
      'e.g. path: /my-app/production/',
    );
    path = '/';
  } else {
    if (!path.endsWith('/')) path = `${path}/`;
    if (!PATH.test(path as string)) {
      errors.add(
        `${where}.path`,
        'is not an SSM path',
        "start with '/', use letters, digits, '_', '.', '-' between slashes",
      );
    }
  }
  const certificates: string[] = [];
  const rawCerts = raw['certificates'];
  if (rawCerts !== undefined) {
    if (!Array.isArray(rawCerts)) {
      errors.add(`${where}.certificates`, 'must be a list of host names', "e.g. ['*.example.com']");
    } else {
      rawCerts.forEach((cert: unknown, i) => {
        const bare = typeof cert === 'string' ? cert.replace(/^\*\./, '') : '';
        if (typeof cert !== 'string' || !isHostname(bare) || !bare.includes('.')) {
          errors.add(`${where}.certificates[${i}]`, 'is not a host name or wildcard', "e.g. '*.example.com'");
        } else certificates.push(cert.toLowerCase());
      });
    }
  }
  return { name, path: path as string, certificates };
}

function parseParameter(
  errors: ErrorCollector,
  where: string,
  raw: unknown,
  environments: ReadonlyMap<string, ManifestEnvironment>,
): ManifestParameter | undefined {
  if (!isObject(raw)) {
    errors.add(where, `must be an object with 'name', not ${typeOf(raw)}`, 'e.g. - { name: SMTP_PORT, format: port }');
    return undefined;
  }
  unknownKeys(errors, where, raw, PARAM_KEYS);
  const name = raw['name'];
  if (typeof name !== 'string' || !PARAM_NAME.test(name)) {
    errors.add(
      `${where}.name`,
      name === undefined ? 'is missing' : 'is not a parameter name',
      "use letters, digits, '_', '.', '-' (the environment path is added in front)",
    );
    return undefined;
  }
  const at = `${where} (${name})`;
  const bool = (key: string, fallback: boolean): boolean => {
    const v = raw[key];
    if (v === undefined) return fallback;
    if (typeof v !== 'boolean') {
      errors.add(`${at}.${key}`, `must be true or false, not ${typeOf(v)}`);
      return fallback;
    }
    return v;
  };
  const str = (key: string): string | undefined => {
    const v = raw[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || v === '') {
      errors.add(`${at}.${key}`, 'must be a non-empty string');
      return undefined;
    }
    return v;
  };
  const secret = bool('secret', false);
  const required = bool('required', true);
  const rawType = raw['type'];
  let type: ParameterType = secret ? 'SecureString' : 'String';
  if (rawType !== undefined) {
    if (typeof rawType !== 'string' || !(PARAMETER_TYPES as readonly string[]).includes(rawType)) {
      errors.add(`${at}.type`, 'is not an SSM type', `use one of: ${PARAMETER_TYPES.join(', ')}`);
    } else type = rawType as ParameterType;
  }
  if (secret && type !== 'SecureString') {
    errors.add(`${at}.type`, `a secret must be SecureString, not ${type}`, 'remove type, or set secret: false');
  }
  const format = raw['format'] === undefined ? undefined : parseFormat(errors, `${at}.format`, raw['format']);
  const container = str('container');
  if (container !== undefined && !CONTAINER.test(container)) {
    errors.add(`${at}.container`, 'is not a container name', 'use letters, digits, hyphens and underscores');
  }
  const env = str('env') ?? name;
  if (!ENV_VAR.test(env)) {
    errors.add(`${at}.env`, 'is not a valid environment variable name', 'set env: to a name of letters, digits and _');
  }
  const description = str('description');
  let only: string[] | undefined;
  const rawEnvs = raw['environments'];
  if (rawEnvs !== undefined) {
    if (!Array.isArray(rawEnvs) || rawEnvs.some((e) => typeof e !== 'string')) {
      errors.add(`${at}.environments`, 'must be a list of environment names', 'e.g. [production]');
    } else {
      only = rawEnvs as string[];
      only.forEach((e, k) => {
        if (!environments.has(e)) {
          errors.add(
            `${at}.environments[${k}]`,
            'is not an environment of this manifest',
            knownEnvironments(environments),
          );
        }
      });
    }
  }
  return {
    name,
    type,
    secret,
    required,
    env,
    ...(format !== undefined && { format }),
    ...(container !== undefined && { container }),
    ...(only !== undefined && { environments: only }),
    ...(description !== undefined && { description }),
  };
}

function knownEnvironments(environments: ReadonlyMap<string, unknown>): string {
  return `known environments: ${[...environments.keys()].join(', ') || '(none)'}`;
}

/**
 * Validates a parsed manifest document (JSON or YAML). Every problem is reported at once, each naming the file
 * and field (e.g. `parameters.yml: parameters[3] (SMTP_PORT).format`) and how to fix it.
 */
export function parseManifest(doc: unknown, file: string): Manifest {
  const errors = new ErrorCollector();
  if (!isObject(doc)) {
    throw new ConfigError(file, `must be a mapping with version, environments and parameters, not ${typeOf(doc)}`);
  }
  unknownKeys(errors, file, doc, TOP_KEYS);
  if (doc['version'] !== 1) {
    errors.add(
      `${file}: version`,
      doc['version'] === undefined ? 'is missing' : 'is not a supported version',
      'set version: 1',
    );
  }
  const container = doc['container'];
  if (container !== undefined && (typeof container !== 'string' || !CONTAINER.test(container))) {
    errors.add(`${file}: container`, 'must be a container name');
  }
  const environments = new Map<string, ManifestEnvironment>();
  const rawEnvs = doc['environments'];
  if (!isObject(rawEnvs) || Object.keys(rawEnvs).length === 0) {
    errors.add(
      `${file}: environments`,
      rawEnvs === undefined ? 'is missing' : 'must be a non-empty mapping of environment name to settings',
      'e.g. environments: { production: { path: /my-app/production/ } }',
    );
  } else {
    for (const [name, raw] of Object.entries(rawEnvs)) {
      environments.set(name, parseEnvironment(errors, `${file}: environments.${name}`, name, raw));
    }
  }
  const parameters: ManifestParameter[] = [];
  const rawParams = doc['parameters'];
  if (!Array.isArray(rawParams) || rawParams.length === 0) {
    errors.add(
      `${file}: parameters`,
      rawParams === undefined ? 'is missing' : 'must be a non-empty list',
      'e.g. parameters: [{ name: SMTP_PORT, format: port }]',
    );
  } else {
    const seen = new Map<string, number>();
    const vars = new Map<string, string>();
    rawParams.forEach((raw: unknown, i) => {
      const p = parseParameter(errors, `${file}: parameters[${i}]`, raw, environments);
      if (!p) return;
      const first = seen.get(p.name);
      if (first !== undefined) {
        errors.add(
          `${file}: parameters[${i}].name`,
          `'${p.name}' is listed twice (also parameters[${first}])`,
          'remove one',
        );
        return;
      }
      seen.set(p.name, i);
      const varKey = `${p.container ?? ''}/${p.env}`;
      const other = vars.get(varKey);
      if (other !== undefined) {
        errors.add(
          `${file}: parameters[${i}] (${p.name}).env`,
          `${ENV_VAR.test(p.env) ? `variable '${p.env}'` : 'its variable'} is already given by parameter ${other}`,
          'set a different env: name',
        );
      }
      vars.set(varKey, p.name);
      if (p.format?.rule === 'certificate-host') {
        for (const env of environments.values()) {
          if (p.environments && !p.environments.includes(env.name)) continue;
          if (env.certificates.length === 0) {
            errors.add(
              `${file}: environments.${env.name}.certificates`,
              `is empty but parameter ${p.name} uses the certificate-host rule`,
              "list the load balancer's certificate names, e.g. ['*.example.com']",
            );
          }
        }
      }
      parameters.push(p);
    });
  }
  errors.throwIfAny();
  return {
    file,
    version: 1,
    ...(typeof container === 'string' && { container }),
    environments,
    parameters,
  };
}

/** Reads and validates a manifest file (JSON or YAML). `where` names where it came from: the caller's input. */
export async function loadManifest(file: string, where = 'the parameters manifest'): Promise<Manifest> {
  return parseManifest(await readStructuredFile(where, file), file);
}

/**
 * Looks an environment up; an unknown name is an error that lists the known ones. `where` is how the caller
 * names the environment it was given (an action passes its input), since the name itself is not repeated.
 */
export function environment(manifest: Manifest, name: string, where = 'the environment'): ManifestEnvironment {
  const env = manifest.environments.get(name);
  if (!env) {
    throw new ConfigError(where, `is not an environment of ${manifest.file}`, knownEnvironments(manifest.environments));
  }
  return env;
}

/** The manifest parameters that exist in an environment. */
export function parametersFor(manifest: Manifest, envName: string): ManifestParameter[] {
  environment(manifest, envName);
  return manifest.parameters.filter((p) => !p.environments || p.environments.includes(envName));
}

/** The full SSM name of a parameter in an environment, e.g. `/learning-platform/production/SMTP_PORT`. */
export function parameterName(manifest: Manifest, envName: string, param: ManifestParameter | string): string {
  const name = typeof param === 'string' ? param : param.name;
  return `${environment(manifest, envName).path}${name}`;
}
