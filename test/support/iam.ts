/**
 * IAM evaluation for the tests: the AWS calls our actions make (read from the SDK commands their sources
 * import, so a new call fails the tests until a policy allows it), the resources each call touches in one
 * environment, and AWS's answer for a role's policies, from the offline evaluator @cloud-copilot/iam-simulate
 * (it also checks every ARN against the resource types the Service Authorization Reference lists).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { isWildcardOnlyAction, runSimulation, type EvaluationResult } from '@cloud-copilot/iam-simulate';
import { EXAMPLE_ENVIRONMENT, type PolicyDocument, type Role } from '@deploy-actions/infra';
import { REPO_ROOT } from '@deploy-actions/testing';

export const ENVIRONMENTS = ['staging', 'production'] as const;
export type EnvironmentName = (typeof ENVIRONMENTS)[number];
export const other = (env: EnvironmentName): EnvironmentName => (env === 'staging' ? 'production' : 'staging');

const { account, region } = EXAMPLE_ENVIRONMENT;
export const CLUSTER_ARN = `arn:aws:ecs:${region}:${account}:cluster/learning-platform-cluster1`;

/** One authorisation AWS makes: an IAM action on a resource, with the request's condition keys. */
export interface AwsCall {
  readonly action: string;
  readonly resource: string;
  readonly context?: Record<string, string | string[]>;
}

/**
 * iam-simulate 0.1.173 matches variable condition keys only when the variable follows a `/`
 * (`aws:RequestTag/x`), so it drops `kms:EncryptionContext:PARAMETER_ARN` from the request and every
 * statement conditioned on it would look denied. Renaming that key, in the policies and in the request
 * alike, to a `/`-form key keeps the operator, the values and so the decision.
 */
const ENCRYPTION_CONTEXT = /^kms:EncryptionContext:(.+)$/i;
const evaluatorKey = (key: string): string =>
  key.replace(ENCRYPTION_CONTEXT, 'aws:RequestTag/kms-encryption-context-$1');
const renameKeys = <T>(record: Record<string, T>): Record<string, T> =>
  Object.fromEntries(Object.entries(record).map(([k, v]) => [evaluatorKey(k), v]));
function forEvaluator(policy: PolicyDocument): PolicyDocument {
  return {
    ...policy,
    Statement: policy.Statement.map((s) =>
      s.Condition === undefined
        ? s
        : {
            ...s,
            Condition: Object.fromEntries(Object.entries(s.Condition).map(([op, keys]) => [op, renameKeys(keys)])),
          },
    ),
  };
}

const DEFAULT_KEY_POLICY = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'EnableIamPolicies',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${account}:root` },
      Action: 'kms:*',
      Resource: '*',
    },
  ],
};

/** AWS's decision for a call made with these policies (identity policies of one principal, same account). */
export async function decide(policies: readonly PolicyDocument[], call: AwsCall): Promise<EvaluationResult> {
  const result = await runSimulation(
    {
      request: {
        principal: `arn:aws:sts::${account}:assumed-role/test/session`,
        action: call.action,
        resource: { resource: call.resource, accountId: account },
        contextVariables: renameKeys(call.context ?? {}),
      },
      identityPolicies: policies.map((policy, i) => ({ name: `policy${i}`, policy: forEvaluator(policy) })),
      // A KMS key obeys IAM policies only when its key policy says so; this is the default key policy.
      ...(call.action.startsWith('kms:') ? { resourcePolicy: DEFAULT_KEY_POLICY } : {}),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    {},
  );
  if (result.resultType === 'error') {
    throw new Error(`${call.action} on ${call.resource}: ${JSON.stringify(result.errors)}`);
  }
  return result.overallResult;
}

/** The policy documents of a role with these names (all of them by default). */
export function documents(role: Role, names?: readonly string[]): PolicyDocument[] {
  return role.policies.filter((p) => names === undefined || names.includes(p.name)).map((p) => p.document);
}

/** Whether AWS authorises an action only on "*" (the Service Authorization Reference lists no resource for it). */
export async function wildcardOnly(iamAction: string): Promise<boolean> {
  const [service = '', action = ''] = iamAction.split(':');
  return isWildcardOnlyAction(service, action);
}

/** The names one environment's resources have (the template's naming: service = family, /ecs/<family>). */
export function environmentResources(env: EnvironmentName) {
  const services = [`learning-platform-nginx-${env}`, `learning-platform-api-${env}`];
  return {
    services,
    families: services,
    logGroups: services.map((s) => `/ecs/${s}`),
    executionRole: `arn:aws:iam::${account}:role/learning-platform-ecs-task-execution-${env}`,
    apiTaskRole: `arn:aws:iam::${account}:role/learning-platform-api-task-${env}`,
    parameterPath: `/learning-platform/${env}/`,
    secretPrefix: `learning-platform/${env}/`,
  };
}

const arn = {
  taskDefinition: (family: string, revision = 7) =>
    `arn:aws:ecs:${region}:${account}:task-definition/${family}:${revision}`,
  service: (service: string) => `arn:aws:ecs:${region}:${account}:service/learning-platform-cluster1/${service}`,
  serviceDeployment: (service: string) =>
    `arn:aws:ecs:${region}:${account}:service-deployment/learning-platform-cluster1/${service}/Abc123`,
  serviceRevision: (service: string) =>
    `arn:aws:ecs:${region}:${account}:service-revision/learning-platform-cluster1/${service}/4711`,
  task: () => `arn:aws:ecs:${region}:${account}:task/learning-platform-cluster1/0123456789abcdef0123456789abcdef`,
  logStream: (group: string) => `arn:aws:logs:${region}:${account}:log-group:${group}:log-stream:app/app/0123abcd`,
  alarm: (service: string) => `arn:aws:cloudwatch:${region}:${account}:alarm:${service}-5xx`,
  parameter: (name: string) => `arn:aws:ssm:${region}:${account}:parameter${name}`,
  secret: (name: string) => `arn:aws:secretsmanager:${region}:${account}:secret:${name}-AbCdEf`,
  repository: (name: string) => `arn:aws:ecr:${region}:${account}:repository/${name}`,
};
export const ARN = arn;

export const decryptThroughSsm = (parameterArn: string): AwsCall => ({
  action: 'kms:Decrypt',
  resource: `arn:aws:kms:${region}:${account}:key/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d`,
  context: { 'kms:ViaService': `ssm.${region}.amazonaws.com`, 'kms:EncryptionContext:PARAMETER_ARN': parameterArn },
});

export const passRole = (role: string): AwsCall => ({
  action: 'iam:PassRole',
  resource: role,
  context: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' },
});

/**
 * What each IAM action our code needs touches in one environment. `scope: 'environment'` calls must be
 * denied with the other environment's role; `'account'` ones cannot be narrowed to an environment, and
 * `why` says so (the tests check that claim against the Service Authorization Reference where it can).
 */
export interface CallSpec {
  readonly scope: 'environment' | 'account';
  readonly why?: string;
  readonly calls: (env: EnvironmentName) => AwsCall[];
}

const cluster = { 'ecs:cluster': CLUSTER_ARN };
const each = <T>(items: readonly T[], f: (item: T) => AwsCall): AwsCall[] => items.map(f);
const inEnv = (f: (r: ReturnType<typeof environmentResources>) => AwsCall[]) => (env: EnvironmentName) =>
  f(environmentResources(env));
const onServices = (action: string, target: (service: string) => string): CallSpec => ({
  scope: 'environment',
  calls: inEnv((r) => each(r.services, (s) => ({ action, resource: target(s), context: cluster }))),
});
const secretParameter = (env: EnvironmentName) => `${environmentResources(env).parameterPath}POSTGRES_PASSWORD`;

export const CALLS: Record<string, CallSpec> = {
  'ecs:DescribeTaskDefinition': {
    scope: 'account',
    why: 'AWS offers no resource for it',
    calls: () => [{ action: 'ecs:DescribeTaskDefinition', resource: '*' }],
  },
  'ecs:RegisterTaskDefinition': {
    scope: 'environment',
    calls: inEnv((r) =>
      each(r.families, (f) => ({ action: 'ecs:RegisterTaskDefinition', resource: arn.taskDefinition(f) })),
    ),
  },
  'ecs:TagResource': {
    scope: 'environment',
    calls: inEnv((r) =>
      each(r.families, (f) => ({
        action: 'ecs:TagResource',
        resource: arn.taskDefinition(f),
        context: { 'ecs:CreateAction': 'RegisterTaskDefinition' },
      })),
    ),
  },
  'ecs:DescribeServices': onServices('ecs:DescribeServices', arn.service),
  'ecs:UpdateService': onServices('ecs:UpdateService', arn.service),
  'ecs:ListServiceDeployments': onServices('ecs:ListServiceDeployments', arn.service),
  'ecs:DescribeServiceDeployments': onServices('ecs:DescribeServiceDeployments', arn.serviceDeployment),
  'ecs:DescribeServiceRevisions': onServices('ecs:DescribeServiceRevisions', arn.serviceRevision),
  'ecs:StopServiceDeployment': onServices('ecs:StopServiceDeployment', arn.serviceDeployment),
  'ecs:RunTask': {
    scope: 'environment',
    calls: inEnv((r) =>
      each(r.families, (f) => ({ action: 'ecs:RunTask', resource: arn.taskDefinition(f), context: cluster })),
    ),
  },
  'ecs:DescribeTasks': {
    scope: 'account',
    why: 'task IDs are random, so the statement can name only the cluster',
    calls: () => [{ action: 'ecs:DescribeTasks', resource: arn.task(), context: cluster }],
  },
  'ecs:ListTasks': {
    scope: 'account',
    why: 'scoped to the cluster',
    calls: () => [{ action: 'ecs:ListTasks', resource: '*', context: cluster }],
  },
  'ecs:ListServices': {
    scope: 'account',
    why: 'scoped to the cluster',
    calls: () => [{ action: 'ecs:ListServices', resource: '*', context: cluster }],
  },
  'ecs:ListTaskDefinitions': {
    scope: 'account',
    why: 'AWS offers no resource for it',
    calls: () => [{ action: 'ecs:ListTaskDefinitions', resource: '*' }],
  },
  'ecs:DeregisterTaskDefinition': {
    scope: 'account',
    why: 'AWS offers no resource or condition for it',
    calls: () => [{ action: 'ecs:DeregisterTaskDefinition', resource: '*' }],
  },
  'elasticloadbalancing:DescribeTargetHealth': {
    scope: 'account',
    why: 'AWS offers no resource for it',
    calls: () => [{ action: 'elasticloadbalancing:DescribeTargetHealth', resource: '*' }],
  },
  'logs:GetLogEvents': {
    scope: 'environment',
    calls: inEnv((r) => each(r.logGroups, (g) => ({ action: 'logs:GetLogEvents', resource: arn.logStream(g) }))),
  },
  'cloudwatch:DescribeAlarms': {
    scope: 'environment',
    calls: inEnv((r) => each(r.services, (s) => ({ action: 'cloudwatch:DescribeAlarms', resource: arn.alarm(s) }))),
  },
  'iam:PassRole': { scope: 'environment', calls: inEnv((r) => [passRole(r.executionRole), passRole(r.apiTaskRole)]) },
  'ssm:GetParameters': {
    scope: 'environment',
    calls: (env) => [{ action: 'ssm:GetParameters', resource: arn.parameter(secretParameter(env)) }],
  },
  'kms:Decrypt': { scope: 'environment', calls: (env) => [decryptThroughSsm(arn.parameter(secretParameter(env)))] },
  'secretsmanager:GetSecretValue': {
    scope: 'environment',
    calls: inEnv((r) => [
      { action: 'secretsmanager:GetSecretValue', resource: arn.secret(`${r.secretPrefix}database`) },
    ]),
  },
  'ecr:GetAuthorizationToken': {
    scope: 'account',
    why: 'AWS offers no resource for it',
    calls: () => [{ action: 'ecr:GetAuthorizationToken', resource: '*' }],
  },
};

/** The registry protocol behind an image push, authorised as these ECR actions on the repository. */
export const ECR_PUSH = [
  'ecr:BatchCheckLayerAvailability',
  'ecr:InitiateLayerUpload',
  'ecr:UploadLayerPart',
  'ecr:CompleteLayerUpload',
  'ecr:PutImage',
  'ecr:BatchGetImage',
  'ecr:GetDownloadUrlForLayer',
];

const CLIENT_PREFIXES: Record<string, string> = {
  ecs: 'ecs',
  ssm: 'ssm',
  sts: 'sts',
  ecr: 'ecr',
  'elastic-load-balancing-v2': 'elasticloadbalancing',
  'cloudwatch-logs': 'logs',
  cloudwatch: 'cloudwatch',
  'secrets-manager': 'secretsmanager',
};

/** `Command` classes a source tree imports from AWS SDK clients, as IAM actions (`ecs:UpdateService`). */
export function sdkActions(dirs: readonly string[]): string[] {
  const found = new Set<string>();
  const walk = (d: string): void => {
    if (!existsSync(d)) return;
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts')) {
        const text = readFileSync(full, 'utf8');
        // Static imports and re-exports (`import { XCommand } from`, `export { XCommand } from`), and the lazy
        // loads that name what they take (`import(/* webpackExports: ["XCommand"] */ '@aws-sdk/client-…')`).
        const forms = [
          ...text.matchAll(/(?:import|export)\s+(type\s+)?\{([^}]*)\}\s*from\s*'@aws-sdk\/client-([a-z0-9-]+)'/g),
          ...text.matchAll(
            /import\(\s*\/\*[^*]*webpackExports:\s*\[([^\]]*)\][^*]*\*\/\s*'@aws-sdk\/client-([a-z0-9-]+)'/g,
          ),
        ].map((m) =>
          m.length === 4
            ? { type: m[1], names: m[2] ?? '', client: m[3] ?? '' }
            : { type: undefined, names: (m[1] ?? '').replace(/["']/g, ''), client: m[2] ?? '' },
        );
        for (const m of forms) {
          if (m.type !== undefined) continue;
          const prefix = CLIENT_PREFIXES[m.client];
          if (prefix === undefined)
            throw new Error(`${full}: unknown AWS client ${m.client}: add its IAM prefix to test/support/iam.ts`);
          for (const item of m.names.split(',').map((s) => s.trim())) {
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
