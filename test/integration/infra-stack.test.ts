// infra/platform.yml created in a real moto server with the example parameters, checked through the AWS APIs
// against what the platform is (the seed): the cluster, the four services with their first task definitions,
// the load balancer's HTTPS listener, host rules and target groups, the databases, the Parameter Store
// settings, the repositories, log groups and roles. What moto does not keep (see infra/README.md) is checked
// on the template by test/unit/infra-template.test.ts.
import * as path from 'node:path';
import {
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
} from '@aws-sdk/client-ecs';
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { GetParametersByPathCommand, SSMClient } from '@aws-sdk/client-ssm';
import { DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { GetRoleCommand, GetRolePolicyCommand, IAMClient, ListRolePoliciesCommand } from '@aws-sdk/client-iam';
import { REPO_ROOT, startMoto, type Moto } from '@deploy-actions/testing';
import { exampleResolver, templateRoles } from '@deploy-actions/infra';
import { loadManifest, parametersFor } from '@deploy-actions/manifest';
import { awsCli, clientConfig, createPlatformStack, type PlatformStack } from '../support/platform-stack';

const ENVIRONMENTS = ['staging', 'production'] as const;
const CLUSTER = 'learning-platform-cluster1';
let moto: Moto;
let stack: PlatformStack;

beforeAll(async () => {
  moto = await startMoto();
  stack = await createPlatformStack(moto);
}, 120000);
afterAll(async () => {
  await moto?.stop();
});

test('the stack is created', () => {
  expect(stack.status).toBe('CREATE_COMPLETE');
  expect(stack.outputs['ClusterName']).toBe(CLUSTER);
  expect(stack.outputs['StagingDeployRoleArn']).toBe('arn:aws:iam::123456789012:role/learning-platform-deploy-staging');
});

describe('ECS', () => {
  // moto keeps neither the cluster's settings (Container Insights) nor a task definition's Fargate fields and
  // roles: test/unit/infra-template.test.ts checks those.
  test('the cluster exists', async () => {
    const ecs = new ECSClient(clientConfig(moto));
    const out = await ecs.send(new DescribeClustersCommand({ clusters: [CLUSTER] }));
    expect(out.clusters?.map((c) => c.status)).toEqual(['ACTIVE']);
  });

  test.each(ENVIRONMENTS)('%s: nginx and API services run their first task definitions', async (env) => {
    const ecs = new ECSClient(clientConfig(moto));
    const names = [`learning-platform-nginx-${env}`, `learning-platform-api-${env}`];
    const { services = [] } = await ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: names }));
    expect(services.map((s) => [s.serviceName, s.desiredCount])).toEqual(
      names.map((n) => [n, env === 'staging' ? 1 : 2]),
    );
    for (const service of services) {
      const { taskDefinition: td } = await ecs.send(
        new DescribeTaskDefinitionCommand({ taskDefinition: service.taskDefinition ?? '' }),
      );
      const [container, ...more] = td?.containerDefinitions ?? [];
      expect(more).toEqual([]);
      // The family and log group are the environment's own.
      expect(td?.family).toBe(service.serviceName);
      expect(container?.logConfiguration?.options?.['awslogs-group']).toBe(`/ecs/${service.serviceName}`);
      // Nothing of ours exists yet: public images, and no secrets (they are written after the stack).
      expect(container?.secrets ?? []).toEqual([]);
      if (service.serviceName?.includes('nginx')) {
        expect(container?.image).toBe(stack.parameters['SeedNginxImage'] ?? exampleDefault('SeedNginxImage'));
        expect(container?.portMappings?.[0]).toMatchObject({ name: 'http', containerPort: 80 });
        expect(container?.command?.join(' ')).toContain('location = /healthz');
      } else {
        expect(container?.image).toBe(exampleDefault('SeedApiImage'));
        expect(container?.portMappings?.[0]).toMatchObject({ name: 'api', containerPort: 3000 });
      }
    }
  });
});

function exampleDefault(name: string): string {
  return String(exampleResolver(REPO_ROOT).template.Parameters[name]?.Default ?? '');
}

describe('load balancer', () => {
  const elb = () => new ElasticLoadBalancingV2Client(clientConfig(moto));

  test('HTTPS with the first certificate as default, HTTP redirected to HTTPS', async () => {
    const [lb] =
      (await elb().send(new DescribeLoadBalancersCommand({ Names: ['learning-platform'] }))).LoadBalancers ?? [];
    expect(lb).toMatchObject({ Scheme: 'internet-facing', Type: 'application' });
    const { Listeners = [] } = await elb().send(new DescribeListenersCommand({ LoadBalancerArn: lb?.LoadBalancerArn }));
    const https = Listeners.find((l) => l.Port === 443);
    expect(https).toMatchObject({ Protocol: 'HTTPS', SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06' });
    expect(https?.Certificates?.[0]?.CertificateArn).toBe(stack.certificates[0]);
    const http = Listeners.find((l) => l.Port === 80);
    expect(http?.DefaultActions?.[0]).toMatchObject({
      Type: 'redirect',
      RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' },
    });
  });

  test('host rules: staging hosts to the staging target group first, the brands to production', async () => {
    const [lb] =
      (await elb().send(new DescribeLoadBalancersCommand({ Names: ['learning-platform'] }))).LoadBalancers ?? [];
    const { Listeners = [] } = await elb().send(new DescribeListenersCommand({ LoadBalancerArn: lb?.LoadBalancerArn }));
    const https = Listeners.find((l) => l.Port === 443);
    const { Rules = [] } = await elb().send(new DescribeRulesCommand({ ListenerArn: https?.ListenerArn }));
    const groups = (await elb().send(new DescribeTargetGroupsCommand({}))).TargetGroups ?? [];
    const nameOf = (arn: string | undefined) => groups.find((g) => g.TargetGroupArn === arn)?.TargetGroupName;
    const rules = Rules.filter((r) => r.IsDefault !== true)
      .sort((a, b) => Number(a.Priority) - Number(b.Priority))
      .map((r) => [r.Priority, r.Conditions?.[0]?.HostHeaderConfig?.Values, nameOf(r.Actions?.[0]?.TargetGroupArn)]);
    expect(rules).toEqual([
      ['10', ['*.staging.zanda360.com', '*.staging.smartlms.co.uk'], 'lp-nginx-staging'],
      ['20', ['*.zanda360.com', '*.smartlms.co.uk'], 'lp-nginx-production'],
    ]);
    expect(Rules.find((r) => r.IsDefault === true)?.Actions?.[0]).toMatchObject({
      Type: 'fixed-response',
      FixedResponseConfig: { StatusCode: '404' },
    });
  });

  test('target groups of type ip on port 80, checked on /healthz', async () => {
    const groups =
      (await elb().send(new DescribeTargetGroupsCommand({ Names: ['lp-nginx-staging', 'lp-nginx-production'] })))
        .TargetGroups ?? [];
    expect(groups).toHaveLength(2);
    for (const g of groups) {
      expect(g).toMatchObject({
        TargetType: 'ip',
        Port: 80,
        Protocol: 'HTTP',
        HealthCheckPath: '/healthz',
        Matcher: { HttpCode: '200' },
      });
    }
  });
});

test('one database per environment, encrypted, not public; production Multi-AZ', () => {
  const out = JSON.parse(awsCli(moto, ['rds', 'describe-db-instances'])) as {
    DBInstances: {
      DBInstanceIdentifier: string;
      MultiAZ: boolean;
      StorageEncrypted: boolean;
      PubliclyAccessible: boolean;
      Engine: string;
    }[];
  };
  const db = (id: string) => out.DBInstances.find((d) => d.DBInstanceIdentifier === id);
  expect(db('learning-platform-production')).toMatchObject({
    Engine: 'postgres',
    MultiAZ: true,
    StorageEncrypted: true,
    PubliclyAccessible: false,
  });
  expect(db('learning-platform-staging')).toMatchObject({
    Engine: 'postgres',
    MultiAZ: false,
    StorageEncrypted: true,
    PubliclyAccessible: false,
  });
});

test.each(ENVIRONMENTS)('%s: the non-secret settings are in Parameter Store, from stack values', async (env) => {
  const ssm = new SSMClient(clientConfig(moto));
  const { Parameters = [] } = await ssm.send(
    new GetParametersByPathCommand({ Path: `/learning-platform/${env}/`, MaxResults: 10 }),
  );
  let all = [...Parameters];
  let next = (await ssm.send(new GetParametersByPathCommand({ Path: `/learning-platform/${env}/`, MaxResults: 10 })))
    .NextToken;
  while (next !== undefined) {
    const page = await ssm.send(
      new GetParametersByPathCommand({ Path: `/learning-platform/${env}/`, NextToken: next }),
    );
    all = [...all, ...(page.Parameters ?? [])];
    next = page.NextToken;
  }
  const manifest = await loadManifest(path.join(REPO_ROOT, 'examples/parameters.yml'));
  const plain = parametersFor(manifest, env)
    .filter((p) => !p.secret)
    .map((p) => p.name)
    .sort();
  const values = Object.fromEntries(all.map((p) => [p.Name?.split('/').pop() ?? '', p.Value]));
  expect(Object.keys(values).sort()).toEqual(plain);
  expect(all.every((p) => p.Type === 'String')).toBe(true);
  const rds = JSON.parse(
    awsCli(moto, ['rds', 'describe-db-instances', '--db-instance-identifier', `learning-platform-${env}`]),
  ) as {
    DBInstances: { Endpoint: { Address: string } }[];
  };
  expect(values).toMatchObject({
    HOST_NAME: stack.parameters[env === 'staging' ? 'StagingHostName' : 'ProductionHostName'],
    POSTGRES_HOST: rds.DBInstances[0]?.Endpoint.Address,
    POSTGRES_DB: `learning_platform_${env}`,
    S3_BUCKET_NAME: `learning-platform-${env}-uploads-123456789012`,
    S3_BUCKET_REGION: 'eu-west-2',
    SMTP_PORT: '587',
  });
});

// moto drops the repositories' scan and encryption settings: the template test checks those.
test('ECR repositories with immutable tags; a log group per service and environment', async () => {
  const { repositories = [] } = await new ECRClient(clientConfig(moto)).send(new DescribeRepositoriesCommand({}));
  expect(repositories.map((r) => [r.repositoryName, r.imageTagMutability]).sort()).toEqual([
    ['learning-platform-api', 'IMMUTABLE'],
    ['learning-platform-nginx', 'IMMUTABLE'],
  ]);
  const { logGroups = [] } = await new CloudWatchLogsClient(clientConfig(moto)).send(
    new DescribeLogGroupsCommand({ logGroupNamePrefix: '/ecs/learning-platform-' }),
  );
  expect(logGroups.map((g) => [g.logGroupName, g.retentionInDays]).sort()).toEqual(
    ['api-production', 'api-staging', 'nginx-production', 'nginx-staging'].map((s) => [
      `/ecs/learning-platform-${s}`,
      30,
    ]),
  );
});

// The roles AWS holds are the ones packages/infra reads from the template (docs/iam and the IAM tests use
// those): proof that its reading of the intrinsic functions agrees with CloudFormation's.
test('every role has the trust and inline policies the template (and docs/iam) say', async () => {
  const iam = new IAMClient(clientConfig(moto));
  const roles = templateRoles(exampleResolver(REPO_ROOT, { CertificateArns: stack.certificates.join(',') }));
  expect(roles.length).toBeGreaterThan(7);
  for (const role of roles) {
    const got = (await iam.send(new GetRoleCommand({ RoleName: role.name }))).Role;
    expect([role.name, decode(got?.AssumeRolePolicyDocument)]).toEqual([role.name, role.trust]);
    const { PolicyNames = [] } = await iam.send(new ListRolePoliciesCommand({ RoleName: role.name }));
    expect([role.name, [...PolicyNames].sort()]).toEqual([role.name, role.policies.map((p) => p.name).sort()]);
    for (const policy of role.policies) {
      const doc = await iam.send(new GetRolePolicyCommand({ RoleName: role.name, PolicyName: policy.name }));
      expect([role.name, policy.name, decode(doc.PolicyDocument)]).toEqual([role.name, policy.name, policy.document]);
    }
  }
});

/**
 * IAM returns policy documents URL-encoded JSON. moto 5.2.5 returns the inline policies its CloudFormation
 * created as Python's repr of the document (`{'Version': ...}`); ours hold no quote characters, so swapping
 * the quotes gives the JSON back exactly.
 */
function decode(document: string | undefined): unknown {
  const text = decodeURIComponent(document ?? '{}');
  if (!text.startsWith("{'")) return JSON.parse(text);
  if (text.includes('"')) throw new Error('a Python-repr policy document with a double quote: cannot read it back');
  return JSON.parse(
    text
      .replace(/'/g, '"')
      .replace(/\bTrue\b/g, 'true')
      .replace(/\bFalse\b/g, 'false'),
  );
}
