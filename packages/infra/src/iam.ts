/**
 * The IAM roles a template creates, with their trust policy, inline policies (including the separate
 * AWS::IAM::Policy resources attached to them) and managed policies, as resolved documents. Both the
 * generated docs/iam and the IAM evaluation tests read the roles from here, so the template stays their
 * one source.
 */
import type { Resolver } from './resolve';
import { text, type Json, type JsonObject } from './template';

export interface Statement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action?: string | string[];
  readonly NotAction?: string | string[];
  readonly Resource?: string | string[];
  readonly NotResource?: string | string[];
  readonly Principal?: Record<string, string | string[]>;
  readonly Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
  readonly Version: string;
  readonly Statement: Statement[];
}

export interface RolePolicy {
  readonly name: string;
  readonly document: PolicyDocument;
  /** The template condition that decides whether this policy exists (a separate AWS::IAM::Policy). */
  readonly condition?: string;
}

export interface Role {
  readonly logicalId: string;
  readonly name: string;
  readonly arn: string;
  readonly description: string;
  readonly condition?: string;
  readonly trust: PolicyDocument;
  readonly policies: readonly RolePolicy[];
  readonly managedPolicyArns: readonly string[];
}

const asObject = (v: Json | undefined): JsonObject =>
  v !== null && v !== undefined && typeof v === 'object' && !Array.isArray(v) ? v : {};

/** Every role the template creates with the resolver's parameters, in template order. */
export function templateRoles(resolver: Resolver): Role[] {
  const { Resources } = resolver.template;
  const attached = new Map<string, RolePolicy[]>();
  for (const [, resource] of Object.entries(Resources)) {
    if (resource.Type !== 'AWS::IAM::Policy' || !resolver.creates(resource)) continue;
    const props = resource.Properties ?? {};
    const roles = Array.isArray(props['Roles']) ? props['Roles'] : [];
    const policy: RolePolicy = {
      name: text(resolver.resolve(props['PolicyName'] ?? null), 'PolicyName'),
      document: resolver.resolve(props['PolicyDocument'] ?? null) as unknown as PolicyDocument,
      ...(resource.Condition !== undefined ? { condition: resource.Condition } : {}),
    };
    for (const ref of roles) {
      const logical = text(asObject(ref)['Ref'], 'Roles');
      attached.set(logical, [...(attached.get(logical) ?? []), policy]);
    }
  }
  const roles: Role[] = [];
  for (const [logicalId, resource] of Object.entries(Resources)) {
    if (resource.Type !== 'AWS::IAM::Role' || !resolver.creates(resource)) continue;
    const props = asObject(resolver.resolve(resource.Properties ?? {}));
    const inline = (Array.isArray(props['Policies']) ? props['Policies'] : []).map((p) => ({
      name: text(asObject(p)['PolicyName'], 'PolicyName'),
      document: asObject(p)['PolicyDocument'] as unknown as PolicyDocument,
    }));
    const name = text(props['RoleName'], `${logicalId}.RoleName`);
    roles.push({
      logicalId,
      name,
      arn: `arn:${resolver.env.partition}:iam::${resolver.env.account}:role/${name}`,
      description: typeof props['Description'] === 'string' ? props['Description'] : '',
      ...(resource.Condition !== undefined ? { condition: resource.Condition } : {}),
      trust: props['AssumeRolePolicyDocument'] as unknown as PolicyDocument,
      policies: [...inline, ...(attached.get(logicalId) ?? [])],
      managedPolicyArns: (Array.isArray(props['ManagedPolicyArns']) ? props['ManagedPolicyArns'] : []).map((a) =>
        text(a, 'ManagedPolicyArns'),
      ),
    });
  }
  return roles;
}

export function roleNamed(roles: readonly Role[], name: string): Role {
  const role = roles.find((r) => r.name === name);
  if (role === undefined)
    throw new Error(`the template creates no role ${name} (roles: ${roles.map((r) => r.name).join(', ')})`);
  return role;
}
