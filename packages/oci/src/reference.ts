import { ConfigError } from '@deploy-actions/core';

/** A parsed image reference: registry host, repository, and a tag and/or digest. */
export interface ImageReference {
  /** Host[:port] as used in URLs (Docker Hub is registry-1.docker.io). */
  readonly registry: string;
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

const DOCKER_HUB = 'registry-1.docker.io';
const REPO = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;

export function isValidTag(tag: string): boolean {
  return TAG.test(tag);
}

/**
 * Parses `[registry/]repository[:tag][@digest]` the way docker does: the first component is a registry when it
 * has a '.' or ':' or is 'localhost'; otherwise the image is on Docker Hub (library/ added for single names).
 * Errors say which part is wrong and never repeat the text: it is an input, which may hold a pasted secret.
 */
export function parseReference(text: string, where = 'image reference'): ImageReference {
  const input = text.trim();
  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest))
      throw new ConfigError(where, 'has an invalid digest (the part after @)', 'use @sha256:<64 hex>');
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) {
      throw new ConfigError(
        where,
        'has an invalid tag (the part after the last :)',
        'use letters, digits, _ . - (max 128, not starting with . or -)',
      );
    }
  }
  const slash = rest.indexOf('/');
  const first = slash === -1 ? '' : rest.slice(0, slash);
  let registry: string;
  let repository: string;
  if (first && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    registry = first;
    repository = rest.slice(slash + 1);
  } else {
    registry = DOCKER_HUB;
    repository = slash === -1 ? `library/${rest}` : rest;
  }
  if (registry === 'docker.io' || registry === 'index.docker.io') {
    registry = DOCKER_HUB;
    if (!repository.includes('/')) repository = `library/${repository}`;
  }
  if (!REPO.test(repository)) {
    throw new ConfigError(where, 'has an invalid repository name', 'use lower-case a-z, 0-9, . _ - and /');
  }
  return { registry, repository, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}

export function formatReference(ref: ImageReference): string {
  return `${ref.registry}/${ref.repository}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

/** Local registries speak plain HTTP (as docker treats localhost); everything else HTTPS. */
export function defaultScheme(registry: string): 'http' | 'https' {
  const host = registry.replace(/:\d+$/, '');
  return host === 'localhost' || host === '127.0.0.1' || host === '[::1]' ? 'http' : 'https';
}

/** `<account>.dkr.ecr.<region>.amazonaws.com[.cn]` → account and region. */
export function ecrRegistry(registry: string): { accountId: string; region: string } | undefined {
  const m = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/.exec(registry);
  return m ? { accountId: m[1]!, region: m[2]! } : undefined;
}
