/**
 * docs/iam, generated from the template: one directory per role with its trust policy and each policy as
 * the JSON a reader can pass to `aws iam create-role` / `put-role-policy`, and an index. Generated with every
 * optional part switched on, so the optional policies are documented too; the index says which parameter
 * switches each off.
 */
import * as path from 'node:path';
import { templateRoles, type PolicyDocument, type Role } from './iam';
import { Resolver } from './resolve';
import { loadCliParameters, loadTemplate } from './template';

/** The two stacks: the bootstrap an administrator creates once, and the platform infra.yml manages. */
export const STACKS = {
  bootstrap: { template: 'infra/bootstrap.yml', parameters: 'infra/example-bootstrap-parameters.json' },
  platform: { template: 'infra/platform.yml', parameters: 'infra/example-parameters.json' },
} as const;
export type StackName = keyof typeof STACKS;
export const IAM_DOCS_DIR = 'docs/iam';

/** The options that add roles or policies, all on for the docs. */
export const DOCUMENTED_OPTIONS: Record<StackName, Record<string, string>> = {
  bootstrap: { CreateGitHubOidcProvider: 'true' },
  platform: { DeployRolesMaskSecrets: 'true', DeployRolesKeepRevisions: 'true' },
};

/** Which parameter decides a condition, for the index. */
const CONDITION_PARAMETERS: Record<string, string> = {
  CreateVpc: 'VpcId empty',
  MaskSecrets: 'unless DeployRolesMaskSecrets=false',
  KeepRevisions: 'DeployRolesKeepRevisions=true',
};

export function exampleParameters(root: string, stack: StackName): Record<string, string> {
  const file = path.join(root, STACKS[stack].parameters);
  return Object.fromEntries(loadCliParameters(file).map((p) => [p.ParameterKey, p.ParameterValue]));
}

/** A resolver over a stack's example parameters (plus overrides), for the docs and the tests. */
export function exampleResolver(
  root: string,
  overrides: Record<string, string> = {},
  stack: StackName = 'platform',
  options: { readonly placeholders?: boolean } = {},
): Resolver {
  const template = loadTemplate(path.join(root, STACKS[stack].template));
  return new Resolver(template, { ...exampleParameters(root, stack), ...overrides }, undefined, options);
}

/** Every role both stacks create with every option on, bootstrap first. */
export function documentedRoles(root: string): Role[] {
  return (Object.keys(STACKS) as StackName[]).flatMap((stack) =>
    templateRoles(exampleResolver(root, DOCUMENTED_OPTIONS[stack], stack)),
  );
}

const json = (doc: PolicyDocument): string => `${JSON.stringify(doc, null, 2)}\n`;

function assumedBy(role: Role): string {
  return role.trust.Statement.map((s) => {
    const principal = s.Principal ?? {};
    if (principal['Service'] !== undefined) return [principal['Service']].flat().join(', ');
    const subjects = s.Condition?.['StringEquals']?.['token.actions.githubusercontent.com:sub'];
    return subjects === undefined
      ? 'GitHub OIDC'
      : [subjects]
          .flat()
          .map((x) => `\`${x}\``)
          .join('<br>');
  }).join('<br>');
}

function index(roles: readonly Role[]): string {
  const rows = roles.map((role) => {
    const files = [
      `[trust](${role.name}/trust.json)`,
      ...role.policies.map((p) => {
        const when = p.condition === undefined ? '' : ` (${CONDITION_PARAMETERS[p.condition] ?? p.condition})`;
        return `[${p.name}](${role.name}/${p.name}.json)${when}`;
      }),
      ...role.managedPolicyArns.map((arn) => `managed: \`${arn.split('/').pop() ?? arn}\``),
    ];
    const when = role.condition === undefined ? 'always' : (CONDITION_PARAMETERS[role.condition] ?? role.condition);
    return `| \`${role.name}\` | ${role.description} | ${assumedBy(role)} | ${files.join('<br>')} | ${when} |`;
  });
  return [
    '# IAM roles and policies',
    '',
    `Generated from [\`${STACKS.bootstrap.template}\`](../../${STACKS.bootstrap.template}) and`,
    `[\`${STACKS.platform.template}\`](../../${STACKS.platform.template}) by \`npm run iam-docs\` (do not edit by hand:`,
    '`test/unit/iam-docs.test.ts` fails when these files and the templates differ). The example account',
    '`123456789012`, region `eu-west-2` and the repositories of the example parameters',
    `([\`${STACKS.bootstrap.parameters}\`](../../${STACKS.bootstrap.parameters}),`,
    `[\`${STACKS.platform.parameters}\`](../../${STACKS.platform.parameters})) are filled in; the stacks fill in yours.`,
    'Every optional policy is shown; the last column and the links say which parameter adds it.',
    '',
    '| role | what for | assumed by | documents | created |',
    '|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}

/** Every file of docs/iam (relative paths from the repository root) and its content. */
export function iamDocuments(root: string): Map<string, string> {
  const roles = documentedRoles(root);
  const files = new Map<string, string>();
  files.set(`${IAM_DOCS_DIR}/README.md`, index(roles));
  for (const role of roles) {
    files.set(`${IAM_DOCS_DIR}/${role.name}/trust.json`, json(role.trust));
    for (const policy of role.policies)
      files.set(`${IAM_DOCS_DIR}/${role.name}/${policy.name}.json`, json(policy.document));
  }
  return files;
}
