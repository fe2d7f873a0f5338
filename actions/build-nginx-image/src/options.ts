import { ConfigError, ErrorCollector, maskSecret, workspacePath, type ActionIO } from '@deploy-actions/core';
import { resolveOptions, type NginxConfigOptions, type ResolvedNginxOptions } from '@deploy-actions/nginx-config';
import {
  ecrRegistry,
  isValidTag,
  parsePlatform,
  parseReference,
  type ImageReference,
  type Platform,
} from '@deploy-actions/oci';

/** Input names in one place (kebab-case, as in action.yml). */
export const INPUT = {
  directory: 'directory',
  repository: 'repository',
  tags: 'tags',
  baseImage: 'base-image',
  platform: 'platform',
  builder: 'builder',
  dockerfile: 'dockerfile',
  context: 'context',
  labels: 'labels',
  ecr: 'ecr',
  awsRegion: 'aws-region',
  username: 'registry-username',
  password: 'registry-password',
  includeDotfiles: 'include-dotfiles',
} as const;

/** nginx-config option → input name, so its validation messages name our inputs. */
const NGINX_INPUT: Partial<Record<keyof NginxConfigOptions, string>> = {
  serverNames: 'server-names',
  apiPath: 'api-path',
  apiUpstream: 'api-upstream',
  realIpFrom: 'real-ip-from',
  clientMaxBodySize: 'client-max-body-size',
  healthPath: 'health-path',
  assetPrefixes: 'asset-prefixes',
  listen: 'listen',
  resolvers: 'resolvers',
  proxyReadTimeout: 'proxy-read-timeout',
  hsts: 'hsts',
  frameOptions: 'frame-options',
  contentSecurityPolicy: 'content-security-policy',
  rejectUnknownHosts: 'reject-unknown-hosts',
  serveDotfiles: INPUT.includeDotfiles,
};

// nginx stable-alpine on public ECR, pinned by its index digest (resolved 2026-09-09); move it with the README.
export const DEFAULT_BASE_IMAGE =
  'public.ecr.aws/nginx/nginx:stable-alpine@sha256:8d32e1ab9a199e9d83b66ada9823585379878433a9b22fa20110418a3e8a0baf';

export interface BuildNginxImageOptions {
  readonly directory: string;
  readonly target: ImageReference;
  /** Commit SHA first, then the given tags, without duplicates. */
  readonly tags: readonly string[];
  readonly base: ImageReference;
  readonly platform: Platform;
  readonly builder: 'oci' | 'docker';
  readonly dockerfile: string | undefined;
  readonly context: string | undefined;
  readonly labels: Readonly<Record<string, string>>;
  /** Put dotfiles (.env, .git/, ...) into the image and let nginx serve them; off: left out and answered 404. */
  readonly includeDotfiles: boolean;
  /** ECR login for the target registry: the registry's account and the region to ask. */
  readonly ecr: { readonly registryId: string | undefined; readonly region: string | undefined } | undefined;
  readonly credentials: { readonly username: string; readonly password: string } | undefined;
  /** ECR login for a base image in a private ECR registry other than the target's (another account/region). */
  readonly baseEcr: { readonly registryId: string; readonly region: string } | undefined;
  readonly nginx: NginxConfigOptions;
  readonly resolvedNginx: ResolvedNginxOptions;
}

function words(text: string): string[] {
  return text.split(/[\s,]+/).filter((w) => w !== '');
}

/**
 * Reads and validates every input (collecting all problems into one error) before anything touches a registry
 * or AWS. Secrets are masked as soon as they are read.
 */
export function readOptions(io: ActionIO): BuildNginxImageOptions {
  const { inputs, env } = io;
  const errors = new ErrorCollector();

  const password = inputs.optional(INPUT.password);
  if (password !== undefined) maskSecret(password, io.setSecret);
  const username = inputs.optional(INPUT.username);

  const directory = errors.attempt(() => workspacePath(inputs.required(INPUT.directory), env));
  const target = errors.attempt(() => {
    const ref = parseReference(inputs.required(INPUT.repository), `input '${INPUT.repository}'`);
    if (ref.tag !== undefined || ref.digest !== undefined) {
      throw new ConfigError(
        `input '${INPUT.repository}'`,
        'must not have a tag or digest',
        "give tags in the 'tags' input",
      );
    }
    return ref;
  });
  const sha = env['GITHUB_SHA'];
  if (!sha || !/^[0-9a-f]{40}$/.test(sha)) {
    errors.add(
      'GITHUB_SHA',
      sha ? 'is not a commit SHA (40 hex digits)' : 'is not set',
      'run the action in a GitHub Actions job',
    );
  }
  const given = words(inputs.raw(INPUT.tags));
  given.forEach((tag, i) => {
    if (!isValidTag(tag))
      errors.add(
        `input '${INPUT.tags}'`,
        `tag ${i + 1} is not a valid tag`,
        'use letters, digits, _ . - (max 128, not starting with . or -)',
      );
  });
  const tags = [...new Set([...(sha ? [sha] : []), ...given])];
  const base = errors.attempt(() =>
    parseReference(inputs.optional(INPUT.baseImage) ?? DEFAULT_BASE_IMAGE, `input '${INPUT.baseImage}'`),
  );
  const platformText = inputs.optional(INPUT.platform) ?? 'linux/amd64';
  const platform = parsePlatform(platformText);
  if (!/^[a-z0-9]+\/[a-z0-9_]+(\/v\d+)?$/.test(platformText)) {
    errors.add(`input '${INPUT.platform}'`, 'is not os/architecture[/variant]', 'use e.g. linux/amd64 or linux/arm64');
  }
  const builder = errors.attempt(() => inputs.oneOf(INPUT.builder, ['oci', 'docker'] as const, 'oci')) ?? 'oci';
  const dockerfile = inputs.optional(INPUT.dockerfile);
  const context = inputs.optional(INPUT.context);
  if (builder === 'oci' && (dockerfile !== undefined || context !== undefined)) {
    errors.add(
      `input '${dockerfile !== undefined ? INPUT.dockerfile : INPUT.context}'`,
      'is only used by the docker builder',
      "set 'builder: docker' or remove it",
    );
  }
  const labels: Record<string, string> = {};
  for (const kv of errors.attempt(() => inputs.keyValues(INPUT.labels)) ?? []) labels[kv.key] = kv.value;

  const ecrMode = errors.attempt(() => inputs.oneOf(INPUT.ecr, ['auto', 'true', 'false'] as const, 'auto')) ?? 'auto';
  const ecrHost = target ? ecrRegistry(target.registry) : undefined;
  let ecr: BuildNginxImageOptions['ecr'];
  if (builder === 'oci' && (ecrMode === 'true' || (ecrMode === 'auto' && ecrHost))) {
    ecr = { registryId: ecrHost?.accountId, region: inputs.optional(INPUT.awsRegion) ?? ecrHost?.region };
    if (username !== undefined || password !== undefined) {
      errors.add(
        `input '${INPUT.username}'`,
        'is not used for ECR (the action logs in with GetAuthorizationToken)',
        "remove it or set 'ecr: false'",
      );
    }
  }
  const baseEcrHost = base ? ecrRegistry(base.registry) : undefined;
  const baseEcr =
    builder === 'oci' && ecrMode !== 'false' && baseEcrHost && base?.registry !== target?.registry
      ? { registryId: baseEcrHost.accountId, region: baseEcrHost.region }
      : undefined;
  if ((username === undefined) !== (password === undefined)) {
    errors.add(
      `input '${username === undefined ? INPUT.username : INPUT.password}'`,
      'is required when the other registry credential is set',
      'give both or neither',
    );
  }

  const includeDotfiles = errors.attempt(() => inputs.boolean(INPUT.includeDotfiles, false)) ?? false;

  const list = (name: string): string[] | undefined => {
    const w = words(inputs.raw(name));
    return w.length > 0 ? w : undefined;
  };
  const off = (name: string): string | undefined => {
    const v = inputs.optional(name);
    return v === 'off' ? '' : v;
  };
  const nginx: NginxConfigOptions = definedOnly({
    serverNames: list('server-names'),
    apiPath: inputs.optional('api-path'),
    apiUpstream: inputs.optional('api-upstream'),
    realIpFrom: inputs.optional('real-ip-from'),
    clientMaxBodySize: inputs.optional('client-max-body-size'),
    healthPath: inputs.optional('health-path'),
    assetPrefixes: list('asset-prefixes'),
    listen: inputs.optional('listen'),
    resolvers: list('resolvers'),
    proxyReadTimeout: inputs.optional('proxy-read-timeout'),
    hsts: off('hsts'),
    frameOptions: off('frame-options') as NginxConfigOptions['frameOptions'],
    contentSecurityPolicy: inputs.optional('content-security-policy'),
    rejectUnknownHosts: errors.attempt(() =>
      inputs.optional('reject-unknown-hosts') === undefined ? undefined : inputs.boolean('reject-unknown-hosts', true),
    ),
    serveDotfiles: includeDotfiles,
  });
  const resolvedNginx = errors.attempt(() =>
    resolveOptions(nginx, (option) => `input '${NGINX_INPUT[option] ?? option}'`),
  );

  errors.throwIfAny();
  return {
    directory: directory!,
    target: target!,
    tags,
    base: base!,
    platform,
    builder,
    dockerfile: dockerfile === undefined ? undefined : workspacePath(dockerfile, env),
    context: context === undefined ? undefined : workspacePath(context, env),
    labels,
    includeDotfiles,
    ecr,
    credentials: username !== undefined && password !== undefined ? { username, password } : undefined,
    baseEcr,
    nginx,
    resolvedNginx: resolvedNginx!,
  };
}

function definedOnly<T extends object>(o: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}
