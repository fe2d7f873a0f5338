/**
 * Value rules of the parameters manifest. Every check returns a reason that describes the rule, never the
 * value: reasons end up in logs, outputs and job summaries, and the value may be a secret.
 */

import { isAwsRegion } from '@deploy-actions/core';

export type FormatRule =
  | { readonly rule: 'port' }
  | { readonly rule: 'hostname' }
  | { readonly rule: 'email' }
  | { readonly rule: 'aws-region' }
  | { readonly rule: 's3-bucket-name' }
  | { readonly rule: 'aws-access-key-id' }
  | { readonly rule: 'url' }
  | { readonly rule: 'certificate-host' }
  | { readonly rule: 'hex'; readonly length?: number }
  | { readonly rule: 'regex'; readonly pattern: string; readonly description?: string };

export type FormatRuleName = FormatRule['rule'];

/** Rules written as a bare string in the manifest (`format: port`). */
export const SIMPLE_RULES = [
  'port',
  'hostname',
  'email',
  'aws-region',
  's3-bucket-name',
  'aws-access-key-id',
  'url',
  'certificate-host',
  'hex',
] as const;

/** Every rule name, for error messages. */
export const RULE_NAMES: readonly FormatRuleName[] = [...SIMPLE_RULES, 'regex'];

/** Context a rule may need: the certificates of the environment being checked. */
export interface FormatContext {
  readonly certificates: readonly string[];
}

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/i;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** RFC 1123 host name (labels of letters, digits and inner hyphens; 253 characters at most). */
export function isHostname(value: string): boolean {
  if (value.length === 0 || value.length > 253) return false;
  return value.split('.').every((label) => LABEL.test(label));
}

/** A host name with at least one dot, or an IPv4 address: what a client can connect to. */
function isHost(value: string): boolean {
  if (IPV4.test(value) || value === 'localhost') return true;
  // A numeric top-level label means a mistyped address (999.1.1.1), not a name.
  return isHostname(value) && value.includes('.') && !/\.\d+$/.test(value);
}

/** TLS name matching: a wildcard covers exactly one left-most label (`*.a.com` covers `x.a.com`, not `a.com`). */
export function certificateCovers(certificate: string, host: string): boolean {
  const cert = certificate.toLowerCase();
  const name = host.toLowerCase();
  if (!cert.startsWith('*.')) return cert === name;
  const dot = name.indexOf('.');
  return dot > 0 && name.slice(dot + 1) === cert.slice(2);
}

export function isS3BucketName(value: string): boolean {
  return (
    /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(value) &&
    !value.includes('..') &&
    !IPV4.test(value) &&
    !/^(xn--|sthree-|amzn-s3-demo-)/.test(value) &&
    !/(-s3alias|--ol-s3|--x-s3|\.mrap)$/.test(value)
  );
}

/** Compiles a manifest regex so it must match the whole value. */
export function compileRegex(pattern: string): RegExp {
  return new RegExp(`^(?:${pattern})$`, 'u');
}

/** Human wording of a rule, used in reasons and documentation. */
export function describeRule(rule: FormatRule): string {
  switch (rule.rule) {
    case 'port':
      return 'a port number (1-65535)';
    case 'hostname':
      return 'a host name (e.g. db.example.internal) or an IPv4 address';
    case 'email':
      return 'an e-mail address (name@domain.tld)';
    case 'aws-region':
      return 'an AWS region code (e.g. eu-west-2)';
    case 's3-bucket-name':
      return 'a valid S3 bucket name (3-63 lower-case letters, digits, dots and hyphens)';
    case 'aws-access-key-id':
      return 'an AWS access key ID (AKIA or ASIA followed by 16 upper-case letters or digits)';
    case 'url':
      return 'an http(s) URL';
    case 'certificate-host':
      return 'a host name covered by one of the environment certificates';
    case 'hex':
      return rule.length === undefined ? 'hexadecimal characters' : `${rule.length} hexadecimal characters`;
    case 'regex':
      return rule.description ?? `a value matching /${rule.pattern}/`;
  }
}

function checkUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && isHost(url.hostname);
  } catch {
    return false;
  }
}

/**
 * Checks a value against a rule. Returns undefined when the value is fine, otherwise a reason that names the
 * rule but never repeats the value nor tells anything about it beyond the rule (not its length).
 */
export function checkFormat(rule: FormatRule, value: string, context: FormatContext): string | undefined {
  if (value.trim() === '') return 'is empty';
  if (value !== value.trim()) return `has leading or trailing white space; expected ${describeRule(rule)}`;
  const fails = (): string => `is not ${describeRule(rule)}`;
  switch (rule.rule) {
    case 'port': {
      if (!/^[1-9]\d{0,4}$/.test(value) || Number(value) > 65535) return fails();
      return undefined;
    }
    case 'hostname':
      return isHost(value) ? undefined : fails();
    case 'email': {
      const at = value.lastIndexOf('@');
      const local = value.slice(0, at);
      const domain = value.slice(at + 1);
      const ok = at > 0 && /^[^\s@"<>(),;:]+$/.test(local) && local.length <= 64 && isHost(domain);
      return ok && !IPV4.test(domain) ? undefined : fails();
    }
    case 'aws-region':
      return isAwsRegion(value) ? undefined : fails();
    case 's3-bucket-name':
      return isS3BucketName(value) ? undefined : fails();
    case 'aws-access-key-id':
      return /^(AKIA|ASIA)[A-Z0-9]{16}$/.test(value) ? undefined : fails();
    case 'url':
      return checkUrl(value) ? undefined : fails();
    case 'certificate-host': {
      if (!isHostname(value) || !value.includes('.')) return 'is not a host name';
      if (context.certificates.some((c) => certificateCovers(c, value))) return undefined;
      return `is not covered by any certificate of the environment (${context.certificates.join(', ')})`;
    }
    case 'hex': {
      // One reason for a wrong character and a wrong length: how long a secret is narrows a guess, so never say.
      if (!/^[0-9a-f]+$/i.test(value) || (rule.length !== undefined && value.length !== rule.length)) return fails();
      return undefined;
    }
    case 'regex':
      return compileRegex(rule.pattern).test(value) ? undefined : fails();
  }
}
