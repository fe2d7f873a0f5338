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

export const TEMPLATE_FILE = 'infra/platform.yml';
export const EXAMPLE_PARAMETERS_FILE = 'infra/example-parameters.json';
export const IAM_DOCS_DIR = 'docs/iam';

/** The options that add roles or policies, all on for the docs. */
export const DOCUMENTED_OPTIONS: Record<string, string> = {
  CreateGitHubOidcProvider: 'true',
  CreateInfraRoles: 'true',
  DeployRolesMaskSecrets: 'true',
  DeployRolesKeepRevisions: 'true',
};

/** Which parameter decides a condition, for the index. */
const CONDITION_PARAMETERS: Record<string, string> = {
  CreateVpc: 'VpcId empty',
  InfraRoles: 'CreateInfraRoles=true',
  MaskSecrets: 'unless DeployRolesMaskSecrets=false',
  KeepRevisions: 'DeployRolesKeepRevisions=true',
};

/** A resolver over the example parameters (plus overrides), for the docs and the tests. */
export function exampleResolver(root: string, overrides: Record<string, string> = {}): Resolver {
  const template = loadTemplate(path.join(root, TEMPLATE_FILE));
  const given = Object.fromEntries(
    loadCliParameters(path.join(root, EXAMPLE_PARAMETERS_FILE)).map((p) => [p.ParameterKey, p.ParameterValue]),
  );
  return new Resolver(template, { ...given, ...overrides });
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
    `Generated from [\`${TEMPLATE_FILE}\`](../../${TEMPLATE_FILE}) by \`npm run iam-docs\` (do not edit by hand:`,
    '`test/unit/iam-docs.test.ts` fails when these files and the template differ). The example account',
    '`123456789012`, region `eu-west-2` and the repositories of',
    `[\`${EXAMPLE_PARAMETERS_FILE}\`](../../${EXAMPLE_PARAMETERS_FILE}) are filled in; the stack fills in yours.`,
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
  const roles = templateRoles(exampleResolver(root, DOCUMENTED_OPTIONS));
  const files = new Map<string, string>();
  files.set(`${IAM_DOCS_DIR}/README.md`, index(roles));
  for (const role of roles) {
    files.set(`${IAM_DOCS_DIR}/${role.name}/trust.json`, json(role.trust));
    for (const policy of role.policies)
      files.set(`${IAM_DOCS_DIR}/${role.name}/${policy.name}.json`, json(policy.document));
  }
  return files;
}
