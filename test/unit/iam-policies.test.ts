// The roles infra/platform.yml creates (docs/iam is generated from it) are least privilege per purpose and
// environment, proven with an IAM policy evaluator: every AWS call an action's code makes (read from the SDK
// commands its sources import, so a new call fails here until a policy allows it) is allowed for its own
// environment and the same call on the other environment's resources is denied. Trust policies let only the
// named repositories' jobs in the named GitHub environment assume a role.
import * as path from 'node:path';
import { REPO_ROOT } from '@deploy-actions/testing';
import {
  DOCUMENTED_OPTIONS,
  documentedRoles,
  exampleResolver,
  roleNamed,
  templateRoles,
  type Role,
} from '@deploy-actions/infra';
import { loadManifest, parameterArn, parameterName, parametersFor } from '@deploy-actions/manifest';
import {
  ARN,
  CALLS,
  CLUSTER_ARN,
  ECR_PUSH,
  ENVIRONMENTS,
  decide,
  decryptThroughSsm,
  documents,
  environmentResources,
  wildcardOnly,
  other,
  passRole,
  sdkActions,
  type AwsCall,
  type EnvironmentName,
} from '../support/iam';

const roles = templateRoles(exampleResolver(REPO_ROOT));
const everything = templateRoles(exampleResolver(REPO_ROOT, DOCUMENTED_OPTIONS.platform));
const deployRole = (env: EnvironmentName, from: Role[] = roles): Role =>
  roleNamed(from, `learning-platform-deploy-${env}`);
const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

interface ActionPolicy {
  readonly action: string;
  readonly sources: readonly string[];
  /** Calls made on the action's behalf that no SDK command names (a push through the registry protocol...). */
  readonly extra: readonly string[];
  /** Optional policies of the same role and the calls that only they allow. */
  readonly optional?: Record<string, readonly string[]>;
  /** Calls the policy allows ahead of the code that will make them (another change adds them). */
  readonly announced?: readonly string[];
  readonly environments: readonly EnvironmentName[];
}

const ACTIONS: readonly ActionPolicy[] = [
  {
    action: 'deploy-service',
    sources: ['actions/deploy-service/src', 'packages/deploy/src'],
    extra: ['iam:PassRole', 'ecs:TagResource'],
    optional: {
      'deploy-service-secret-masking': ['ssm:GetParameters', 'kms:Decrypt', 'secretsmanager:GetSecretValue'],
      'deploy-service-keep-revisions': ['ecs:ListTaskDefinitions', 'ecs:DeregisterTaskDefinition'],
    },
    // Following ECS's own deployments (lifecycle stages, StopServiceDeployment rollbacks, the alarm that rolled
    // one back) and masking the secrets a container prints: the deploy-service change that makes these calls.
    announced: [
      'ecs:ListServiceDeployments',
      'ecs:DescribeServiceDeployments',
      'ecs:DescribeServiceRevisions',
      'ecs:StopServiceDeployment',
      'cloudwatch:DescribeAlarms',
      'ssm:GetParameters',
      'kms:Decrypt',
      'secretsmanager:GetSecretValue',
    ],
    environments: ENVIRONMENTS,
  },
  {
    action: 'render-task-def',
    sources: ['actions/render-task-def/src', 'packages/taskdef/src'],
    extra: [],
    environments: ENVIRONMENTS,
  },
  {
    action: 'verify-params',
    sources: ['actions/verify-params/src', 'packages/params/src'],
    // GetParameters WithDecryption on a SecureString.
    extra: ['kms:Decrypt'],
    environments: ENVIRONMENTS,
  },
  {
    // Production deploys the digest staging built and never pushes.
    action: 'build-nginx-image',
    sources: ['actions/build-nginx-image/src', 'packages/oci/src'],
    extra: ECR_PUSH,
    environments: ['staging'],
  },
];

/** The calls of one IAM action in one environment; ECR push actions go to the frontend repository. */
function callsOf(iamAction: string, env: EnvironmentName): AwsCall[] {
  if (ECR_PUSH.includes(iamAction)) return [{ action: iamAction, resource: ARN.repository('learning-platform-nginx') }];
  const spec = CALLS[iamAction];
  if (spec === undefined) {
    throw new Error(
      `${iamAction}: no resource model in test/support/iam.ts CALLS; add what it touches, then allow it in infra/platform.yml`,
    );
  }
  return spec.calls(env);
}

const needed = (a: ActionPolicy): string[] => [...new Set([...sdkActions(a.sources), ...a.extra])].sort();
const policyFor = (a: ActionPolicy, iamAction: string): string =>
  Object.entries(a.optional ?? {}).find(([, actions]) => actions.includes(iamAction))?.[0] ?? a.action;

describe.each(ACTIONS.flatMap((a) => a.environments.map((env) => [a.action, env, a] as const)))(
  '%s in %s',
  (_name, env, action) => {
    const role = deployRole(env, everything);
    test.each(needed(action))('allows %s on this environment, denies it on the other', async (iamAction) => {
      const policies = documents(role, [policyFor(action, iamAction)]);
      for (const call of callsOf(iamAction, env)) {
        expect([call.resource, await decide(policies, call)]).toEqual([call.resource, 'Allowed']);
      }
      const spec = CALLS[iamAction];
      if (spec?.scope === 'environment') {
        const ofTheAction = documents(role, [action.action, ...Object.keys(action.optional ?? {})]);
        for (const call of callsOf(iamAction, other(env))) {
          expect([call.resource, await decide(ofTheAction, call)]).toEqual([call.resource, 'ImplicitlyDenied']);
        }
      }
    });

    test('allows nothing the code does not call', () => {
      const names = [action.action, ...Object.keys(action.optional ?? {})];
      const allowed = role.policies
        .filter((p) => names.includes(p.name))
        .flatMap((p) => p.document.Statement.flatMap((s) => list(s.Action)));
      const expected = new Set([...needed(action), ...(action.announced ?? [])]);
      expect([...new Set(allowed)].filter((a) => !expected.has(a))).toEqual([]);
    });
  },
);

test('calls that cannot be narrowed to an environment say why, and AWS confirms it where it can', async () => {
  for (const [action, spec] of Object.entries(CALLS)) {
    if (spec.scope !== 'account') continue;
    expect([action, spec.why ?? '']).not.toEqual([action, '']);
    const [call] = spec.calls('staging');
    if (call?.context?.['ecs:cluster'] !== undefined) {
      // Not the environment, but still the cluster: the same call in another cluster is denied.
      const elsewhere = { ...call, context: { 'ecs:cluster': `${CLUSTER_ARN}-other` } };
      expect([action, await decide(documents(deployRole('staging')), elsewhere)]).toEqual([action, 'ImplicitlyDenied']);
    } else {
      expect([action, await wildcardOnly(action)]).toEqual([action, true]);
    }
  }
});

describe('deploy roles', () => {
  test.each(ENVIRONMENTS)('%s may pass its own execution and task roles, only to ECS tasks', async (env) => {
    const policies = documents(deployRole(env));
    const own = environmentResources(env);
    expect(await decide(policies, passRole(own.executionRole))).toBe('Allowed');
    expect(
      await decide(policies, {
        ...passRole(own.executionRole),
        context: { 'iam:PassedToService': 'lambda.amazonaws.com' },
      }),
    ).toBe('ImplicitlyDenied');
    expect(await decide(policies, passRole(environmentResources(other(env)).apiTaskRole))).toBe('ImplicitlyDenied');
    expect(await decide(policies, passRole('arn:aws:iam::123456789012:role/admin'))).toBe('ImplicitlyDenied');
  });

  test('deregistering revisions is an opt-in policy of its own (DeployRolesKeepRevisions)', async () => {
    const deregister = { action: 'ecs:DeregisterTaskDefinition', resource: '*' };
    for (const env of ENVIRONMENTS) {
      expect(await decide(documents(deployRole(env)), deregister)).toBe('ImplicitlyDenied');
      const on = deployRole(env, everything);
      expect(await decide(documents(on, ['deploy-service-keep-revisions']), deregister)).toBe('Allowed');
      expect(await decide(documents(on, ['deploy-service']), deregister)).toBe('ImplicitlyDenied');
    }
  });

  test('reading secret values to mask them is a separate policy, on by default, off with DeployRolesMaskSecrets=false', async () => {
    const read = (env: EnvironmentName): AwsCall => ({
      action: 'secretsmanager:GetSecretValue',
      resource: ARN.secret(`learning-platform/${env}/database`),
    });
    const off = templateRoles(exampleResolver(REPO_ROOT, { DeployRolesMaskSecrets: 'false' }));
    for (const env of ENVIRONMENTS) {
      expect(await decide(documents(deployRole(env), ['deploy-service-secret-masking']), read(env))).toBe('Allowed');
      expect(await decide(documents(deployRole(env), ['deploy-service']), read(env))).toBe('ImplicitlyDenied');
      expect(await decide(documents(deployRole(env)), read(other(env)))).toBe('ImplicitlyDenied');
      expect(await decide(documents(deployRole(env, off)), read(env))).toBe('ImplicitlyDenied');
    }
  });

  test('production may read what staging runs (promotion), staging may not read production', async () => {
    const describe = (env: EnvironmentName): AwsCall => ({
      action: 'ecs:DescribeServices',
      resource: ARN.service(`learning-platform-api-${env}`),
    });
    expect(await decide(documents(deployRole('production'), ['promote-read-staging']), describe('staging'))).toBe(
      'Allowed',
    );
    expect(await decide(documents(deployRole('production'), ['promote-read-staging']), describe('production'))).toBe(
      'ImplicitlyDenied',
    );
    expect(await decide(documents(deployRole('staging')), describe('production'))).toBe('ImplicitlyDenied');
    const update = { action: 'ecs:UpdateService', resource: ARN.service('learning-platform-api-staging'), context: {} };
    expect(await decide(documents(deployRole('production')), update)).toBe('ImplicitlyDenied');
  });

  test('production cannot push images; staging pushes only the frontend repository', async () => {
    const push = (repo: string): AwsCall => ({ action: 'ecr:PutImage', resource: ARN.repository(repo) });
    expect(await decide(documents(deployRole('production')), push('learning-platform-nginx'))).toBe('ImplicitlyDenied');
    expect(await decide(documents(deployRole('staging')), push('learning-platform-nginx'))).toBe('Allowed');
    expect(await decide(documents(deployRole('staging')), push('learning-platform-api'))).toBe('ImplicitlyDenied');
  });
});

test.each(ENVIRONMENTS)(
  'the %s execution role reads every parameter of its environment and none of the other',
  async (env) => {
    const role = roleNamed(roles, `learning-platform-ecs-task-execution-${env}`);
    const manifest = await loadManifest(path.join(REPO_ROOT, 'examples/parameters.yml'));
    for (const p of parametersFor(manifest, env)) {
      const own = parameterArn('eu-west-2', '123456789012', parameterName(manifest, env, p));
      const foreign = parameterArn('eu-west-2', '123456789012', parameterName(manifest, other(env), p));
      const get = (resource: string): AwsCall => ({ action: 'ssm:GetParameters', resource });
      expect([p.name, await decide(documents(role), get(own))]).toEqual([p.name, 'Allowed']);
      expect([p.name, await decide(documents(role), decryptThroughSsm(own))]).toEqual([p.name, 'Allowed']);
      expect([p.name, await decide(documents(role), get(foreign))]).toEqual([p.name, 'ImplicitlyDenied']);
      expect([p.name, await decide(documents(role), decryptThroughSsm(foreign))]).toEqual([p.name, 'ImplicitlyDenied']);
    }
    // Writing its own logs only.
    const write = (group: string): AwsCall => ({ action: 'logs:PutLogEvents', resource: ARN.logStream(group) });
    expect(await decide(documents(role), write(`/ecs/learning-platform-api-${env}`))).toBe('Allowed');
    expect(await decide(documents(role), write(`/ecs/learning-platform-api-${other(env)}`))).toBe('ImplicitlyDenied');
  },
);

describe.each(documentedRoles(REPO_ROOT).map((r) => [r.name, r] as const))('%s', (_name, role) => {
  test('has valid policies: an Allow per statement, a wildcard resource only where AWS supports nothing narrower', async () => {
    for (const policy of role.policies) {
      expect(policy.document.Version).toBe('2012-10-17');
      const sids = policy.document.Statement.map((s) => s.Sid);
      expect(new Set(sids).size).toBe(sids.length);
      for (const s of policy.document.Statement) {
        expect(s.Sid).toMatch(/^[A-Za-z0-9]+$/);
        expect([s.Effect, s.NotAction, s.NotResource, s.Principal]).toEqual(['Allow', undefined, undefined, undefined]);
        for (const r of list(s.Resource)) expect(r).toMatch(/^(\*|arn:aws:[a-z0-9-]+:[a-z0-9-]*:(\d{12})?:.+)$/);
        if (!list(s.Resource).includes('*') || s.Condition !== undefined) continue;
        for (const a of list(s.Action)) expect([a, await wildcardOnly(a)]).toEqual([a, true]);
      }
    }
  });

  // IAM's quota for a role's inline policies together: 10,240 characters, whitespace not counted.
  test('fits IAM’s 10,240 characters of inline policy per role, with every option on', () => {
    const size = role.policies
      .map((p) => JSON.stringify(p.document).replace(/\s/g, '').length)
      .reduce((a, b) => a + b, 0);
    expect(size).toBeLessThanOrEqual(10240);
  });

  test('is assumed only by its own service, or by exact GitHub subjects of one environment', () => {
    const [statement, ...rest] = role.trust.Statement;
    expect(rest).toEqual([]);
    const principal = statement?.Principal ?? {};
    if (principal['Service'] !== undefined) {
      expect(statement?.Action).toBe('sts:AssumeRole');
      // Confused-deputy protection: only this account's resources may make the service assume it.
      expect(statement?.Condition?.['StringEquals']?.['aws:SourceAccount']).toBe('123456789012');
      return;
    }
    expect(statement?.Action).toBe('sts:AssumeRoleWithWebIdentity');
    expect(principal).toEqual({
      Federated: 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com',
    });
    // Exact subjects only: no StringLike wildcards that would let any branch or environment in.
    expect(Object.keys(statement?.Condition ?? {})).toEqual(['StringEquals']);
    const equals = statement?.Condition?.['StringEquals'] ?? {};
    expect(equals['token.actions.githubusercontent.com:aud']).toBe('sts.amazonaws.com');
    const environments = new Set(
      list(equals['token.actions.githubusercontent.com:sub']).map((sub) => {
        expect(sub).toMatch(/^repo:eLearning-Plus\/learning-platform-(frontend|api|infra):environment:[a-z-]+$/);
        return sub.split(':environment:')[1];
      }),
    );
    expect(environments.size).toBe(1);
    const expected: Record<string, string> = {
      'learning-platform-deploy-staging': 'staging',
      'learning-platform-deploy-production': 'production',
      'learning-platform-ecr-push-api': 'image-build',
      'learning-platform-infra-plan': 'infra-plan',
      'learning-platform-infra-apply': 'infra',
    };
    expect([...environments]).toEqual([expected[role.name]]);
  });
});

describe('infra.yml roles (infra/bootstrap.yml)', () => {
  const bootstrap = templateRoles(exampleResolver(REPO_ROOT, {}, 'bootstrap'));
  const stack =
    'arn:aws:cloudformation:eu-west-2:123456789012:stack/learning-platform/0a1b2c3d-0000-4000-8000-000000000000';
  const serviceRole = 'arn:aws:iam::123456789012:role/learning-platform-cloudformation';
  const createChangeSet = (roleArn: string): AwsCall => ({
    action: 'cloudformation:CreateChangeSet',
    resource: stack,
    context: { 'cloudformation:RoleArn': roleArn },
  });
  const execute: AwsCall = { action: 'cloudformation:ExecuteChangeSet', resource: stack };

  test('plan creates change sets of the platform stack only as the service role, and cannot execute them', async () => {
    const plan = documents(roleNamed(bootstrap, 'learning-platform-infra-plan'));
    expect(await decide(plan, createChangeSet(serviceRole))).toBe('Allowed');
    expect(await decide(plan, createChangeSet('arn:aws:iam::123456789012:role/admin'))).toBe('ImplicitlyDenied');
    expect(
      await decide(plan, { ...createChangeSet(serviceRole), resource: stack.replace('learning-platform/', 'other/') }),
    ).toBe('ImplicitlyDenied');
    expect(await decide(plan, execute)).toBe('ImplicitlyDenied');
  });

  test('apply executes reviewed change sets and creates none', async () => {
    const apply = documents(roleNamed(bootstrap, 'learning-platform-infra-apply'));
    expect(await decide(apply, execute)).toBe('Allowed');
    expect(await decide(apply, createChangeSet(serviceRole))).toBe('ImplicitlyDenied');
  });

  test('the service role manages the platform’s roles, not the infra roles or itself', async () => {
    const cfn = documents(roleNamed(bootstrap, 'learning-platform-cloudformation'));
    const attach = (name: string): AwsCall => ({
      action: 'iam:AttachRolePolicy',
      resource: `arn:aws:iam::123456789012:role/${name}`,
    });
    expect(await decide(cfn, attach('learning-platform-deploy-staging'))).toBe('Allowed');
    for (const name of ['learning-platform-cloudformation', 'learning-platform-infra-apply', 'admin']) {
      expect([name, await decide(cfn, attach(name))]).toEqual([name, 'ImplicitlyDenied']);
    }
  });
});
