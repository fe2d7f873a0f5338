// @deploy-actions/aws-sim: a local AWS endpoint for tests and the demo (never bundled into an action).
import type { AddressInfo } from 'node:net';
import { localAwsEnv, TEST_ACCOUNT, TEST_REGION } from '@deploy-actions/testing';
import { DEFAULT_TIME_SCALE, Scheduler, type SimClock, compressedClock } from './clock';
import type { SimContext } from './context';
import { EcrSim } from './ecr';
import { EcsSim } from './ecs';
import { ElbSim } from './elb';
import { LogsSim } from './logs';
import { AwsError, type Obj } from './protocol';
import { type ScenarioMatch, type ScenarioName } from './scenarios';
import { type Call, type FaultSpec, type ServiceId, addFault, createSimServer } from './server';
import { SsmSim } from './ssm';

export { DEFAULT_TIME_SCALE, compressedClock, manualClock, type ManualClock, type SimClock } from './clock';
export { SCENARIOS, TIMINGS, type ScenarioMatch, type ScenarioName } from './scenarios';
export type { Call, FaultKind, FaultSpec, ServiceId } from './server';
export { DEREGISTRATION_DELAY_MS, HEALTH_CHECK_MS } from './elb';

export interface AwsSimOptions {
  /** Simulated ms per real ms; default 600 (1 simulated minute per 100 ms). Ignored when `clock` is given. */
  readonly timeScale?: number;
  /** A clock of your own (e.g. manualClock() for step-by-step tests). */
  readonly clock?: SimClock;
  readonly accountId?: string;
  readonly region?: string;
  /** Registry URL for ECR's proxyEndpoint and repository URIs (e.g. a local docker-registry). */
  readonly registryUrl?: string;
  /** Port to listen on (127.0.0.1); a free one when omitted. */
  readonly port?: number;
}

export interface SeedService {
  readonly name: string;
  readonly image: string;
  /** Task definition family; default `<name>`. */
  readonly family?: string;
  readonly containerName?: string;
  readonly containerPort?: number;
  readonly desiredCount?: number;
  /** Target group name: created (HTTP, ip targets) and attached to the service. */
  readonly targetGroup?: string;
  readonly circuitBreaker?: { readonly enable: boolean; readonly rollback: boolean };
  /** awslogs group; default `/ecs/<family>`. */
  readonly logGroup?: string;
  /**
   * A second target group (created like the first) attached as the load balancer's alternate target group,
   * as blue/green, linear and canary deployments need.
   */
  readonly alternateTargetGroup?: string;
  /**
   * More of the service's deploymentConfiguration, as CreateService takes it: strategy, bakeTimeInMinutes,
   * lifecycleHooks, linearConfiguration, canaryConfiguration, alarms, earlySuccessCriteria.
   */
  readonly deploymentConfiguration?: Obj;
  /** The deployment controller type (ECS unless given). */
  readonly deploymentController?: 'ECS' | 'CODE_DEPLOY' | 'EXTERNAL';
}

export interface SeedSpec {
  readonly cluster: string;
  readonly services: readonly SeedService[];
  /** SSM parameters to create (String unless a type is given). */
  readonly parameters?: readonly { name: string; value: string; type?: 'String' | 'StringList' | 'SecureString' }[];
}

export interface SeededService {
  readonly serviceArn: string;
  readonly taskDefinitionArn: string;
  readonly targetGroupArn: string | undefined;
  readonly alternateTargetGroupArn: string | undefined;
}

export interface SeedResult {
  readonly clusterArn: string;
  readonly services: Record<string, SeededService>;
}

/** The platform of the seed document: one cluster, the nginx frontend behind a target group, the API. */
export const PLATFORM_SEED: SeedSpec = {
  cluster: 'learning-platform-cluster1',
  services: [
    {
      name: 'learning-platform-nginx',
      image: 'nginx:1.27-alpine',
      containerName: 'nginx',
      containerPort: 80,
      desiredCount: 2,
      targetGroup: 'learning-platform-nginx-tg',
      circuitBreaker: { enable: true, rollback: true },
    },
    {
      name: 'learning-platform-api',
      image: 'busybox:latest',
      containerName: 'api',
      containerPort: 8080,
      desiredCount: 1,
      circuitBreaker: { enable: true, rollback: true },
    },
  ],
};

export interface AwsSim {
  /** http://127.0.0.1:PORT, for AWS_ENDPOINT_URL. */
  readonly endpoint: string;
  /** Same shape as startMoto().env: endpoint, region, dummy credentials. */
  readonly env: Record<string, string>;
  readonly accountId: string;
  readonly region: string;
  /** Every API call received, in order (faulted ones included, with `fault` set). */
  readonly calls: readonly Call[];
  /** Chooses how matching deployments and one-off tasks behave; the newest matching rule wins. */
  setScenario(match: ScenarioMatch, scenario: ScenarioName): void;
  clearScenarios(): void;
  injectFault(fault: FaultSpec): void;
  clearFaults(): void;
  /** Creates the cluster, task definitions, target groups and services already in their steady state. */
  seedPlatform(spec?: SeedSpec): SeedResult;
  /** Calls an operation in-process (not recorded in `calls`, no faults), e.g. for assertions or seeding. */
  call(service: ServiceId, operation: string, input?: Obj): Obj;
  /** Points ECR's proxyEndpoint and repository URIs at a registry (and sets the token's password). */
  setRegistry(url: string, password?: string): void;
  /** Simulated now (epoch ms). */
  now(): number;
  /** Runs whatever is due on the simulated clock (the server does this before every call). */
  tick(): void;
  stop(): Promise<void>;
}

export async function startAwsSim(options: AwsSimOptions = {}): Promise<AwsSim> {
  const accountId = options.accountId ?? TEST_ACCOUNT;
  const region = options.region ?? TEST_REGION;
  const clock = options.clock ?? compressedClock(options.timeScale ?? DEFAULT_TIME_SCALE);
  const scheduler = new Scheduler(clock);
  const ctx: SimContext = { accountId, region, scheduler };
  const elb = new ElbSim(ctx);
  const logs = new LogsSim(ctx);
  const ecs = new EcsSim(ctx, elb, logs);
  const ssm = new SsmSim(ctx);
  const ecr = new EcrSim(ctx);
  if (options.registryUrl !== undefined) ecr.registryUrl = options.registryUrl;
  const handlers: Record<ServiceId, (op: string, input: Obj) => Obj> = {
    ecs: (op, input) => ecs.handle(op, input),
    ssm: (op, input) => ssm.handle(op, input),
    ecr: (op, input) => ecr.handle(op, input),
    logs: (op, input) => logs.handle(op, input),
    elbv2: (op, input) => elb.handle(op, input),
    sts: (op) => {
      if (op !== 'GetCallerIdentity')
        throw new AwsError('InvalidAction', `The action ${op} is not valid for this web service.`);
      return {
        UserId: 'AROASIMULATEDROLEID:deploy-session',
        Account: accountId,
        Arn: `arn:aws:sts::${accountId}:assumed-role/deploy/deploy-session`,
      };
    },
  };
  const calls: Call[] = [];
  const router = { handlers, scheduler, calls, faults: [] as Parameters<typeof addFault>[0] };
  const server = createSimServer(router);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const endpoint = `http://127.0.0.1:${port}`;

  const call = (service: ServiceId, operation: string, input: Obj = {}): Obj => {
    scheduler.advance();
    return handlers[service](operation, input);
  };

  const seedPlatform = (spec: SeedSpec = PLATFORM_SEED): SeedResult => {
    const cluster = call('ecs', 'CreateCluster', { clusterName: spec.cluster })['cluster'] as Obj;
    const services: Record<string, SeededService> = {};
    for (const s of spec.services) {
      const family = s.family ?? s.name;
      const containerName = s.containerName ?? 'app';
      const port = s.containerPort ?? 80;
      const td = call('ecs', 'RegisterTaskDefinition', {
        family,
        networkMode: 'awsvpc',
        requiresCompatibilities: ['FARGATE'],
        cpu: '256',
        memory: '512',
        executionRoleArn: `arn:aws:iam::${accountId}:role/ecsTaskExecutionRole`,
        containerDefinitions: [
          {
            name: containerName,
            image: s.image,
            essential: true,
            portMappings: [{ containerPort: port, protocol: 'tcp' }],
            logConfiguration: {
              logDriver: 'awslogs',
              options: {
                'awslogs-group': s.logGroup ?? `/ecs/${family}`,
                'awslogs-region': region,
                'awslogs-stream-prefix': 'ecs',
              },
            },
          },
        ],
      })['taskDefinition'] as Obj;
      const group = (name: string): string =>
        elb.createTargetGroup({
          Name: name,
          Protocol: 'HTTP',
          Port: port,
          VpcId: 'vpc-0sim0000000000001',
          TargetType: 'ip',
        }).arn;
      const targetGroupArn = s.targetGroup !== undefined ? group(s.targetGroup) : undefined;
      const alternateTargetGroupArn = s.alternateTargetGroup !== undefined ? group(s.alternateTargetGroup) : undefined;
      const advancedConfiguration =
        alternateTargetGroupArn !== undefined
          ? {
              alternateTargetGroupArn,
              productionListenerRule: `arn:aws:elasticloadbalancing:${region}:${accountId}:listener-rule/app/platform/0sim/0sim/1`,
              roleArn: `arn:aws:iam::${accountId}:role/ecsInfrastructureRoleForLoadBalancers`,
            }
          : undefined;
      const svc = ecs.createSettledService({
        cluster: spec.cluster,
        serviceName: s.name,
        taskDefinition: td['taskDefinitionArn'],
        desiredCount: s.desiredCount ?? 1,
        launchType: 'FARGATE',
        networkConfiguration: {
          awsvpcConfiguration: {
            subnets: ['subnet-0sim00000000000001', 'subnet-0sim00000000000002'],
            securityGroups: ['sg-0sim0000000000001'],
            assignPublicIp: 'DISABLED',
          },
        },
        ...(targetGroupArn !== undefined
          ? {
              loadBalancers: [
                {
                  targetGroupArn,
                  containerName,
                  containerPort: port,
                  ...(advancedConfiguration !== undefined ? { advancedConfiguration } : {}),
                },
              ],
            }
          : {}),
        deploymentConfiguration: {
          deploymentCircuitBreaker: s.circuitBreaker ?? { enable: true, rollback: true },
          maximumPercent: 200,
          minimumHealthyPercent: 100,
          ...s.deploymentConfiguration,
        },
        ...(s.deploymentController !== undefined ? { deploymentController: { type: s.deploymentController } } : {}),
      })['service'] as Obj;
      services[s.name] = {
        serviceArn: String(svc['serviceArn']),
        taskDefinitionArn: String(td['taskDefinitionArn']),
        targetGroupArn,
        alternateTargetGroupArn,
      };
    }
    for (const p of spec.parameters ?? []) ssm.put(p.name, p.value, p.type ?? 'String');
    return { clusterArn: String(cluster['clusterArn']), services };
  };

  return {
    endpoint,
    env: localAwsEnv(endpoint, region),
    accountId,
    region,
    calls,
    setScenario: (match, scenario) => ecs.rules.push({ ...match, scenario }),
    clearScenarios: () => {
      ecs.rules.length = 0;
    },
    injectFault: (fault) => {
      scheduler.advance();
      addFault(router.faults, fault, scheduler.now());
    },
    clearFaults: () => {
      router.faults.length = 0;
    },
    seedPlatform,
    call,
    setRegistry: (url, password) => {
      ecr.registryUrl = url;
      if (password !== undefined) ecr.registryPassword = password;
    },
    now: () => scheduler.now(),
    tick: () => scheduler.advance(),
    stop: () =>
      new Promise((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}
