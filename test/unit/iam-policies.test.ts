// The IAM documents under docs/iam are valid policy JSON, least privilege (a wildcard resource only for the
// actions that support nothing else), and complete: every AWS API call an action's code makes (read from the
// SDK commands its sources import) is allowed by that action's policy. Trust policies only let the named
// repositories' jobs in the named GitHub environment assume a role.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '@deploy-actions/testing';
import { loadManifest, parameterArn, parameterName, parametersFor } from '@deploy-actions/manifest';

interface Statement {
  Sid?: string;
  Effect?: string;
  Action?: string | string[];
  NotAction?: unknown;
  Resource?: string | string[];
  NotResource?: unknown;
  Principal?: Record<string, string | string[]>;
  Condition?: Record<string, Record<string, string | string[]>>;
}
interface Policy {
  Version?: string;
  Statement?: Statement[];
}

const dir = path.join(REPO_ROOT, 'docs/iam');
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
const read = (name: string): Policy => JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as Policy;
const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const actionsOf = (p: Policy): string[] => (p.Statement ?? []).flatMap((s) => list(s.Action));

/** IAM wildcard matching (`*` any run, `?` one character), case-sensitive like ARNs. */
function matches(pattern: string, value: string): boolean {
  const regex = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${regex}$`).test(value);
}

/** Statements allowing an action on a resource. */
function allows(policy: Policy, action: string, resource: string): Statement[] {
  return (policy.Statement ?? []).filter(
    (s) =>
      s.Effect === 'Allow' &&
      list(s.Action).some((a) => matches(a, action)) &&
      list(s.Resource).some((r) => matches(r, resource)),
  );
}

// Actions AWS authorises only on "*" (no resource-level permissions), so a wildcard there is the least.
const STAR_ONLY = new Set([
  'ecs:RegisterTaskDefinition',
  'ecs:DescribeTaskDefinition',
  'ecs:ListTaskDefinitions',
  'ecs:DeregisterTaskDefinition',
  'ecs:ListServices',
  'ecs:ListTasks',
  'ecr:GetAuthorizationToken',
  'elasticloadbalancing:DescribeTargetHealth',
]);
const trustPolicy = (name: string): boolean => name.startsWith('trust-');

test('there are the policies the docs name', () => {
  for (const f of [
    'deploy-service.json',
    'render-task-def.json',
    'verify-params.json',
    'build-nginx-image.json',
    'task-execution-role.json',
    'trust-deploy-staging.json',
    'trust-deploy-production.json',
  ]) {
    expect(files).toContain(f);
  }
  const docs = readFileSync(path.join(REPO_ROOT, 'docs/aws-setup.md'), 'utf8');
  for (const f of files) expect([f, docs.includes(`iam/${f}`)]).toEqual([f, true]);
});

describe.each(files)('docs/iam/%s', (file) => {
  const policy = read(file);

  test('is a valid policy document', () => {
    expect(policy.Version).toBe('2012-10-17');
    expect(Array.isArray(policy.Statement) && policy.Statement.length > 0).toBe(true);
    const sids = (policy.Statement ?? []).map((s) => s.Sid);
    expect(new Set(sids).size).toBe(sids.length);
    for (const s of policy.Statement ?? []) {
      expect(s.Sid).toMatch(/^[A-Za-z0-9]+$/);
      expect(s.Effect).toBe('Allow');
      expect(s.NotAction).toBeUndefined();
      expect(s.NotResource).toBeUndefined();
      expect(list(s.Action).length).toBeGreaterThan(0);
      for (const a of list(s.Action)) expect(a).toMatch(/^[a-z0-9-]+:[A-Za-z0-9]+$/);
      if (trustPolicy(file)) {
        expect(s.Principal).toBeDefined();
        expect(s.Resource).toBeUndefined();
      } else {
        expect(s.Principal).toBeUndefined();
        expect(list(s.Resource).length).toBeGreaterThan(0);
        for (const r of list(s.Resource)) expect(r).toMatch(/^(\*|arn:aws:[a-z0-9-]+:[a-z0-9-]*:(\d{12})?:.+)$/);
      }
    }
  });

  test('uses a wildcard resource only where AWS supports nothing narrower', () => {
    for (const s of policy.Statement ?? []) {
      if (!list(s.Resource).includes('*')) continue;
      const unconditioned = s.Condition === undefined;
      for (const a of list(s.Action)) expect([a, STAR_ONLY.has(a) || !unconditioned]).toEqual([a, true]);
    }
  });
});

/** `Command` classes a source tree imports from AWS SDK clients, as IAM actions (`ecs:UpdateService`). */
function sdkActions(dirs: string[]): string[] {
  const prefixes: Record<string, string> = {
    ecs: 'ecs',
    ssm: 'ssm',
    sts: 'sts',
    ecr: 'ecr',
    'elastic-load-balancing-v2': 'elasticloadbalancing',
    'cloudwatch-logs': 'logs',
  };
  const found = new Set<string>();
  const walk = (d: string): void => {
    if (!existsSync(d)) return;
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts')) {
        const text = readFileSync(full, 'utf8');
        for (const m of text.matchAll(/import\s+(type\s+)?\{([^}]*)\}\s*from\s*'@aws-sdk\/client-([a-z0-9-]+)'/g)) {
          if (m[1] !== undefined) continue;
          const prefix = prefixes[m[3] ?? ''];
          if (prefix === undefined) throw new Error(`${full}: unknown AWS client ${m[3]}`);
          for (const item of (m[2] ?? '').split(',').map((s) => s.trim())) {
            const name = /^([A-Za-z]+)Command(\s+as\s+\w+)?$/.exec(item)?.[1];
            if (name !== undefined) found.add(`${prefix}:${name}`);
          }
        }
      }
    }
  };
  dirs.forEach((d) => walk(path.join(REPO_ROOT, d)));
  // GetCallerIdentity needs no permission (AWS: "No permissions are required to perform this operation").
  found.delete('sts:GetCallerIdentity');
  return [...found].sort();
}

test.each([
  ['deploy-service', ['actions/deploy-service/src', 'packages/deploy/src'], ['iam:PassRole', 'ecs:TagResource']],
  ['render-task-def', ['actions/render-task-def/src', 'packages/taskdef/src'], ['ecs:DescribeTaskDefinition']],
  ['verify-params', ['actions/verify-params/src', 'packages/params/src'], ['ssm:GetParameters', 'kms:Decrypt']],
  [
    'build-nginx-image',
    ['actions/build-nginx-image/src', 'packages/oci/src'],
    // The registry protocol behind a push, authorised as these ECR actions.
    [
      'ecr:GetAuthorizationToken',
      'ecr:InitiateLayerUpload',
      'ecr:UploadLayerPart',
      'ecr:CompleteLayerUpload',
      'ecr:PutImage',
    ],
  ],
])('docs/iam/%s.json allows every AWS call the action makes', (action, sources, extra) => {
  const allowed = new Set(actionsOf(read(`${action}.json`)));
  const needed = [...sdkActions(sources), ...extra];
  expect(needed.filter((a) => !allowed.has(a))).toEqual([]);
  // ...and nothing the code does not call, apart from the listed extras.
  expect([...allowed].filter((a) => !needed.includes(a) && !a.startsWith('ecr:'))).toEqual([]);
});

test('deploy-service may update the staging services only, and pass only the task roles to ECS tasks', () => {
  const policy = read('deploy-service.json');
  const service = (name: string) => `arn:aws:ecs:eu-west-2:123456789012:service/learning-platform-cluster1/${name}`;
  expect(allows(policy, 'ecs:UpdateService', service('learning-platform-api-staging'))).toHaveLength(1);
  expect(allows(policy, 'ecs:UpdateService', service('learning-platform-nginx-staging'))).toHaveLength(1);
  expect(allows(policy, 'ecs:UpdateService', service('learning-platform-api-production'))).toHaveLength(0);
  const pass = allows(
    policy,
    'iam:PassRole',
    'arn:aws:iam::123456789012:role/learning-platform-ecs-task-execution-staging',
  );
  expect(
    allows(policy, 'iam:PassRole', 'arn:aws:iam::123456789012:role/learning-platform-ecs-task-execution'),
  ).toHaveLength(0);
  expect(pass[0]?.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } });
  expect(allows(policy, 'iam:PassRole', 'arn:aws:iam::123456789012:role/admin')).toHaveLength(0);
});

test.each([
  ['verify-params.json', 'staging'],
  ['task-execution-role.json', 'production'],
])('%s reads every %s parameter of the manifest and no other environment', async (file, environment) => {
  const policy = read(file);
  const manifest = await loadManifest(path.join(REPO_ROOT, 'examples/parameters.yml'));
  const other = environment === 'staging' ? 'production' : 'staging';
  for (const p of parametersFor(manifest, environment)) {
    const arn = parameterArn('eu-west-2', '123456789012', parameterName(manifest, environment, p));
    expect([p.name, allows(policy, 'ssm:GetParameters', arn).length]).toEqual([p.name, 1]);
    const foreign = parameterArn('eu-west-2', '123456789012', parameterName(manifest, other, p));
    expect([p.name, allows(policy, 'ssm:GetParameters', foreign).length]).toEqual([p.name, 0]);
  }
  const decrypt = (policy.Statement ?? []).find((s) => list(s.Action).includes('kms:Decrypt'));
  expect(decrypt?.Condition?.['StringEquals']?.['kms:ViaService']).toBe('ssm.eu-west-2.amazonaws.com');
});

test.each([
  ['trust-deploy-staging.json', 'staging'],
  ['trust-deploy-production.json', 'production'],
  ['trust-ecr-push-api.json', 'image-build'],
])('%s: only jobs of our repositories in the %s environment, through GitHub OIDC', (file, environment) => {
  const [statement, ...rest] = read(file).Statement ?? [];
  expect(rest).toEqual([]);
  expect(statement?.Action).toBe('sts:AssumeRoleWithWebIdentity');
  expect(statement?.Principal).toEqual({
    Federated: 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com',
  });
  const equals = statement?.Condition?.['StringEquals'] ?? {};
  expect(equals['token.actions.githubusercontent.com:aud']).toBe('sts.amazonaws.com');
  const subjects = list(equals['token.actions.githubusercontent.com:sub']);
  expect(subjects.length).toBeGreaterThan(0);
  for (const sub of subjects) {
    expect(sub).toMatch(
      new RegExp(`^repo:eLearning-Plus/learning-platform-(frontend|api):environment:${environment}$`),
    );
  }
  // Exact subjects only: no StringLike wildcards that would let any branch or environment in.
  expect(Object.keys(statement?.Condition ?? {})).toEqual(['StringEquals']);
});
