// What the platform template does that moto does not keep or cannot create (so infra-stack.test.ts cannot
// see it), checked on the template as CloudFormation resolves it: certificates (created or given), the
// listener's SNI certificates, Fargate services with circuit breaker, private networking, load balancer and
// Service Connect, the first task definitions, Container Insights, ECR scanning, the database password's
// path, and that staging and production are the same apart from what differs by design. Also: the demo
// and the template agree on names, ports and paths.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { REPO_ROOT } from '@deploy-actions/testing';
import {
  exampleResolver,
  loadTemplate,
  STACKS,
  text,
  type Json,
  type JsonObject,
  type Resolver,
} from '@deploy-actions/infra';
import { loadManifest, parameterName, parametersFor } from '@deploy-actions/manifest';
import { CLUSTER, demoServices, MANIFEST_FILE } from '../../scripts/demo/platform';
import { loadWorkflow } from '../support/workflows';

const ENVIRONMENTS = ['staging', 'production'] as const;
type Env = (typeof ENVIRONMENTS)[number];
const Cap = (env: Env) => (env === 'staging' ? 'Staging' : 'Production');
const template = loadTemplate(path.join(REPO_ROOT, STACKS.platform.template));
const resolved = (overrides: Record<string, string> = {}): Resolver =>
  exampleResolver(REPO_ROOT, overrides, 'platform', { placeholders: true });
const r = resolved();
const props = (logical: string, resolver: Resolver = r): JsonObject => {
  const resource = template.Resources[logical];
  if (resource === undefined) throw new Error(`no resource ${logical}`);
  return resolver.resolve(resource.Properties ?? {}) as JsonObject;
};
const get = (value: Json | undefined, ...keys: (string | number)[]): Json | undefined =>
  keys.reduce<Json | undefined>(
    (v, k) => (v === null || typeof v !== 'object' ? undefined : (v as Record<string, Json>)[k]),
    value,
  );
const created = (resolver: Resolver, type: string) =>
  Object.entries(template.Resources)
    .filter(([, res]) => res.Type === type && resolver.creates(res))
    .map(([id]) => id);

describe('certificates and the HTTPS listener', () => {
  const arns = (exampleResolver(REPO_ROOT).parameter('CertificateArns') as string[]).slice();

  test('given ARNs: the first is the listener default, the other three are added for SNI', () => {
    expect(created(r, 'AWS::CertificateManager::Certificate')).toEqual([]);
    expect(get(props('HttpsListener'), 'Certificates')).toEqual([{ CertificateArn: arns[0] }]);
    expect(get(props('HttpsListenerCertificates'), 'Certificates')).toEqual(
      arns.slice(1).map((a) => ({ CertificateArn: a })),
    );
  });

  test('no ARNs: four certificates for the brands, DNS-validated (through Route 53 when the zones are given)', () => {
    const none = resolved({ CertificateArns: '' });
    const ids = created(none, 'AWS::CertificateManager::Certificate');
    expect(ids.map((id) => get(props(id, none), 'DomainName'))).toEqual([
      '*.staging.zanda360.com',
      '*.zanda360.com',
      '*.staging.smartlms.co.uk',
      '*.smartlms.co.uk',
    ]);
    for (const id of ids) {
      expect(get(props(id, none), 'ValidationMethod')).toBe('DNS');
      expect(get(props(id, none), 'DomainValidationOptions')).toBeUndefined();
    }
    const listed = [
      get(props('HttpsListener', none), 'Certificates', 0, 'CertificateArn'),
      ...(get(props('HttpsListenerCertificates', none), 'Certificates') as JsonObject[]).map(
        (c) => c['CertificateArn'],
      ),
    ];
    expect(listed).toEqual(ids.map((id) => `{{Ref ${id}}}`));
    const zones = resolved({ CertificateArns: '', HostedZoneIds: 'Z111,Z222' });
    expect(get(props('CertificateStagingBrand2', zones), 'DomainValidationOptions')).toEqual([
      { DomainName: '*.staging.smartlms.co.uk', HostedZoneId: 'Z222' },
    ]);
  });

  test('the staging rule comes first, as *.<brand> also matches x.staging.<brand>', () => {
    expect(Number(get(props('StagingHostRule'), 'Priority'))).toBeLessThan(
      Number(get(props('ProductionHostRule'), 'Priority')),
    );
  });
});

describe.each(ENVIRONMENTS)('%s services and first task definitions', (env) => {
  const E = Cap(env);
  const example = (file: string) => JSON.parse(readFileSync(path.join(REPO_ROOT, file), 'utf8')) as JsonObject;
  const files = {
    Nginx: example('examples/frontend/.aws/learning-platform-nginx-task-definition.json'),
    Api: example('examples/api/.aws/learning-platform-api-task-definition.json'),
  };

  test.each(['Nginx', 'Api'] as const)('%s: Fargate in the private subnets, circuit breaker with rollback', (kind) => {
    const service = props(`${E}${kind}Service`);
    expect(service).toMatchObject({
      ServiceName: `learning-platform-${kind.toLowerCase()}-${env}`,
      LaunchType: 'FARGATE',
      DeploymentController: { Type: 'ECS' },
      DeploymentConfiguration: { DeploymentCircuitBreaker: { Enable: true, Rollback: true } },
      NetworkConfiguration: {
        AwsvpcConfiguration: {
          AssignPublicIp: 'DISABLED',
          SecurityGroups: [`{{GetAtt ${E}${kind}SecurityGroup.GroupId}}`],
          Subnets: ['{{Ref PrivateSubnetA}}', '{{Ref PrivateSubnetB}}'],
        },
      },
      ServiceConnectConfiguration: { Enabled: true, Namespace: `learning-platform-${env}` },
    });
    expect(template.Resources[`${E}Namespace`]?.Type).toBe('AWS::ServiceDiscovery::HttpNamespace');
    expect(props(`${E}Namespace`)['Name']).toBe(`learning-platform-${env}`);
  });

  test('nginx is in its target group; nginx reaches the API by its Service Connect name', () => {
    expect(get(props(`${E}NginxService`), 'LoadBalancers')).toEqual([
      { ContainerName: 'nginx', ContainerPort: 80, TargetGroupArn: `{{Ref ${E}TargetGroup}}` },
    ]);
    const [connect] = get(props(`${E}ApiService`), 'ServiceConnectConfiguration', 'Services') as JsonObject[];
    const alias = get(connect, 'ClientAliases', 0) as JsonObject;
    expect(connect?.['PortName']).toBe('api');
    const caller = loadWorkflow('examples/frontend/.github/workflows/deploy.yml');
    const job = Object.values(caller.jobs).find((j) => j.with?.['environment'] === env);
    const upstream = /SITE_API_UPSTREAM=(\S+)/.exec(String(job?.with?.['environment-variables']))?.[1];
    expect(upstream).toBe(`http://${text(alias['DnsName'])}:${text(alias['Port'])}`);
    // The port name Service Connect routes to is the one the API's task definition file declares.
    expect(get(files.Api, 'containerDefinitions', 0, 'portMappings', 0, 'name')).toBe('api');
  });

  test.each(['Nginx', 'Api'] as const)(
    '%s: first task definition matches the example file, runs without our images',
    (kind) => {
      const td = props(`${E}${kind}TaskDefinition`);
      const file = files[kind];
      const family = `learning-platform-${kind.toLowerCase()}-${env}`;
      expect(td).toMatchObject({
        Family: family,
        RequiresCompatibilities: ['FARGATE'],
        NetworkMode: 'awsvpc',
        Cpu: file['cpu'],
        Memory: file['memory'],
        ExecutionRoleArn: `arn:aws:iam::123456789012:role/learning-platform-ecs-task-execution-${env}`,
      });
      if (kind === 'Api')
        expect(td['TaskRoleArn']).toBe(`arn:aws:iam::123456789012:role/learning-platform-api-task-${env}`);
      const [container] = td['ContainerDefinitions'] as JsonObject[];
      const fileContainer = get(file, 'containerDefinitions', 0) as JsonObject;
      expect(container?.['Name']).toBe(fileContainer['name']);
      const [mapping] = container?.['PortMappings'] as JsonObject[];
      const [fileMapping] = fileContainer['portMappings'] as JsonObject[];
      expect([mapping?.['Name'], mapping?.['ContainerPort']]).toEqual([
        fileMapping?.['name'],
        fileMapping?.['containerPort'],
      ]);
      expect(get(container, 'LogConfiguration', 'Options', 'awslogs-group')).toBe(`/ecs/${family}`);
      expect(container?.['Secrets']).toBeUndefined();
    },
  );

  test('the seed images: build-nginx-image’s pinned base image (answering /healthz) and busybox', () => {
    const action = parseYaml(readFileSync(path.join(REPO_ROOT, 'actions/build-nginx-image/action.yml'), 'utf8')) as {
      inputs: Record<string, { default?: string }>;
    };
    const nginx = get(props(`${E}NginxTaskDefinition`), 'ContainerDefinitions', 0) as JsonObject;
    expect(nginx['Image']).toBe(action.inputs['base-image']?.default);
    expect((nginx['Command'] as string[]).join(' ')).toMatch(/location = \/healthz \{[^}]*return 200/);
    const api = get(props(`${E}ApiTaskDefinition`), 'ContainerDefinitions', 0) as JsonObject;
    expect(api['Image']).toMatch(/\/busybox:/);
    expect(api['Command']).toEqual(get(files.Api, 'containerDefinitions', 0, 'command'));
  });

  test('the database: encrypted, private, reachable from this environment’s API only, its password never in the template', () => {
    const db = props(`${E}Database`);
    expect(db).toMatchObject({
      Engine: 'postgres',
      StorageEncrypted: true,
      PubliclyAccessible: false,
      MultiAZ: env === 'production' ? true : false,
      VPCSecurityGroups: [`{{GetAtt ${E}DatabaseSecurityGroup.GroupId}}`],
      DeletionProtection: true,
    });
    expect(template.Resources[`${E}Database`]?.DeletionPolicy).toBe('Snapshot');
    expect(db['MasterUserPassword']).toBe(`{{resolve:secretsmanager:{{Ref ${E}DatabaseSecret}}:SecretString}}`);
    expect(props(`${E}DatabaseFromApi`)).toMatchObject({
      FromPort: 5432,
      SourceSecurityGroupId: `{{GetAtt ${E}ApiSecurityGroup.GroupId}}`,
    });
    expect(props(`${E}DatabaseSecurityGroup`)['SecurityGroupIngress']).toBeUndefined();
  });

  test('the parameters are the manifest’s non-secret ones, under its path', async () => {
    const manifest = await loadManifest(MANIFEST_FILE);
    const names = created(r, 'AWS::SSM::Parameter')
      .filter((id) => id.startsWith(E))
      .map((id) => props(id))
      .map((p) => [p['Name'], p['Type']]);
    const expected = parametersFor(manifest, env)
      .filter((p) => !p.secret)
      .map((p) => [parameterName(manifest, env, p), 'String']);
    expect(names.sort()).toEqual(expected.sort());
  });
});

test('no parameter or output can carry a secret value', () => {
  for (const [name, spec] of Object.entries(template.Parameters)) {
    expect([name, /(password|secret|token|key)$/i.test(name)]).toEqual([name, false]);
    expect([name, (spec as { NoEcho?: unknown }).NoEcho]).toEqual([name, undefined]);
    expect(spec.Type).not.toMatch(/SecureString/);
  }
  for (const [name, output] of Object.entries(template.Outputs)) {
    expect([name, JSON.stringify(output)]).not.toEqual([name, expect.stringMatching(/resolve:|SecretString/)]);
  }
});

test('Container Insights on the cluster; ECR scans on push, tags immutable', () => {
  expect(props('Cluster')).toMatchObject({
    ClusterName: CLUSTER,
    ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }],
  });
  for (const id of ['NginxRepository', 'ApiRepository']) {
    expect(props(id)).toMatchObject({
      ImageTagMutability: 'IMMUTABLE',
      ImageScanningConfiguration: { ScanOnPush: true },
    });
  }
});

test('an existing VPC: its subnets are used and no network is created', () => {
  const existing = resolved({
    VpcId: 'vpc-0123456789abcdef0',
    PublicSubnetIds: 'subnet-a1,subnet-b1',
    PrivateSubnetIds: 'subnet-a2,subnet-b2',
  });
  expect(created(existing, 'AWS::EC2::VPC')).toEqual([]);
  expect(created(existing, 'AWS::EC2::NatGateway')).toEqual([]);
  expect(props('LoadBalancer', existing)['Subnets']).toEqual(['subnet-a1', 'subnet-b1']);
  expect(get(props('StagingApiService', existing), 'NetworkConfiguration', 'AwsvpcConfiguration', 'Subnets')).toEqual([
    'subnet-a2',
    'subnet-b2',
  ]);
  expect(created(resolved({ NatGateways: '2' }), 'AWS::EC2::NatGateway')).toHaveLength(2);
});

test('the GitHub OIDC provider is optional (bootstrap), and the roles trust the account’s provider either way', () => {
  const bootstrap = loadTemplate(path.join(REPO_ROOT, STACKS.bootstrap.template));
  expect(Object.values(template.Resources).filter((res) => res.Type === 'AWS::IAM::OIDCProvider')).toEqual([]);
  for (const create of ['true', 'false']) {
    const b = exampleResolver(REPO_ROOT, { CreateGitHubOidcProvider: create }, 'bootstrap');
    const providers = Object.values(bootstrap.Resources).filter(
      (res) => res.Type === 'AWS::IAM::OIDCProvider' && b.creates(res),
    );
    expect([create, providers.length]).toEqual([create, create === 'true' ? 1 : 0]);
  }
});

// Staging and production are written out twice; this keeps the copies equal apart from the differences
// listed here, each on purpose.
test('staging and production are the same apart from their names and the listed differences', () => {
  const differences: Record<string, (p: JsonObject) => void> = {
    // Staging's database may be single-AZ (StagingDatabaseMultiAz), production's is always Multi-AZ.
    Database: (p) => {
      delete p['MultiAZ'];
    },
    // The host rules differ in their hosts and order by design (tested above and in moto).
    HostRule: (p) => {
      delete p['Priority'];
      delete p['Conditions'];
    },
    // Only staging builds images; only production reads what staging runs (promotion).
    DeployRole: (p) => {
      p['Policies'] = (p['Policies'] as JsonObject[]).filter(
        (x) => x['PolicyName'] !== 'build-nginx-image' && x['PolicyName'] !== 'promote-read-staging',
      );
    },
  };
  const rename = (json: unknown) =>
    JSON.parse(
      JSON.stringify(json)
        .replace(/Staging/g, 'Production')
        .replace(/staging/g, 'production'),
    ) as JsonObject;
  const stagingIds = Object.keys(template.Resources).filter((id) => id.startsWith('Staging'));
  const productionIds = Object.keys(template.Resources).filter((id) => id.startsWith('Production'));
  expect(stagingIds.map((id) => id.replace('Staging', 'Production')).sort()).toEqual(productionIds.sort());
  for (const id of stagingIds) {
    const staging = rename(template.Resources[id]);
    const production = JSON.parse(
      JSON.stringify(template.Resources[id.replace('Staging', 'Production')]),
    ) as JsonObject;
    delete staging['Metadata'];
    delete production['Metadata'];
    const differ = differences[id.replace('Staging', '')];
    if (differ !== undefined) {
      differ(staging['Properties'] as JsonObject);
      differ(production['Properties'] as JsonObject);
    }
    expect([id, staging]).toEqual([id, production]);
  }
});

test('the demo and the template agree on names, ports and paths', async () => {
  const seeded = await demoServices();
  expect(props('Cluster')['ClusterName']).toBe(CLUSTER);
  for (const env of ENVIRONMENTS) {
    for (const kind of ['Nginx', 'Api'] as const) {
      const service = props(`${Cap(env)}${kind}Service`);
      const td = props(`${Cap(env)}${kind}TaskDefinition`);
      const container = get(td, 'ContainerDefinitions', 0) as JsonObject;
      const demo = seeded.find((s) => s.name === service['ServiceName']);
      expect(demo).toMatchObject({
        family: td['Family'],
        containerName: container['Name'],
        containerPort: get(container, 'PortMappings', 0, 'ContainerPort'),
        logGroup: get(container, 'LogConfiguration', 'Options', 'awslogs-group'),
      });
      if (kind === 'Nginx') expect(demo?.targetGroup).toBe(props(`${Cap(env)}TargetGroup`)['Name']);
    }
  }
  expect(seeded).toHaveLength(4);
  const manifest = await loadManifest(MANIFEST_FILE);
  for (const env of ENVIRONMENTS) {
    expect(props(`${Cap(env)}HostNameParameter`)['Name']).toBe(parameterName(manifest, env, 'HOST_NAME'));
  }
});
