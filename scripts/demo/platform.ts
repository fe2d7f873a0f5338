/**
 * The demo's local platform: the AWS simulator (ECS, ELBv2, Logs, SSM, ECR, STS on a compressed clock) with
 * the in-memory registry as ECR's registry endpoint, seeded like the platform of the seed document:
 * cluster `learning-platform-cluster1`, frontend (nginx, behind a target group) and API services for staging
 * and production, the 17 parameters per environment, a small nginx-like base image and the API images.
 */
import * as path from 'node:path';
import { startAwsSim, type AwsSim, type SeedService } from '@deploy-actions/aws-sim';
import { readStructuredFile } from '@deploy-actions/core';
import { loadManifest, parameterName, parametersFor, type Manifest } from '@deploy-actions/manifest';
import { buildLayer, RegistryClient, type ImageConfig } from '@deploy-actions/oci';
import { pushOneLayerImage, pushTestBaseImage, startRegistrySim, type RegistrySim } from '@deploy-actions/registry-sim';
import { REPO_ROOT } from '@deploy-actions/testing';

export const CLUSTER = 'learning-platform-cluster1';
export const ENVIRONMENTS = ['staging', 'production'] as const;
export type EnvironmentName = (typeof ENVIRONMENTS)[number];
export const MANIFEST_FILE = path.join(REPO_ROOT, 'examples/parameters.yml');

/** Service, task definition family and (under /ecs/) log group of each environment share one name. */
export const frontendService = (env: EnvironmentName): string => `learning-platform-nginx-${env}`;
export const apiService = (env: EnvironmentName): string => `learning-platform-api-${env}`;

/**
 * Obviously fake values that pass the manifest's rules. Secret ones carry a `FAKE` marker (or are fake
 * keys) so a leak is easy to spot and to test for.
 */
export function parameterValues(env: EnvironmentName): Record<string, string> {
  const domain = env === 'staging' ? 'staging.zanda360.com' : 'zanda360.com';
  const tag = env === 'staging' ? 'STG' : 'PRD';
  return {
    HOST_NAME: `app.${domain}`,
    MAIL_DEFAULT_FROM_ADDRESS: `no-reply@${domain}`,
    POSTGRES_DB: `learning_platform_${env}`,
    POSTGRES_HOST: `learning-platform-${env}.cluster-demo.eu-west-2.rds.amazonaws.com`,
    POSTGRES_PASSWORD: `demo-FAKE-pg-password-${env}-7c1e`,
    POSTGRES_USERNAME: 'learning_platform',
    RAILS_MASTER_KEY: `${env === 'staging' ? 'deadbeef' : 'feedface'}00000000fa4e0000000000d3`,
    REDIS_HOST: `learning-platform-${env}.demo.cache.amazonaws.com`,
    S3_BUCKET_ACCESS_KEY_ID: `AKIADEMOFAKEKEY${tag}01`,
    S3_BUCKET_NAME: `learning-platform-${env}-uploads-demo`,
    S3_BUCKET_REGION: 'eu-west-2',
    S3_BUCKET_SECRET_KEY: `demo-FAKE-s3-secret-${env}-wJalrXUtnFEMI-K7MDENG`,
    SMTP_ADDRESS: 'email-smtp.eu-west-2.amazonaws.com',
    SMTP_DOMAIN: domain,
    SMTP_USERNAME: `demo-FAKE-smtp-user-${env}`,
    SMTP_PASSWORD: `demo-FAKE-smtp-password-${env}-9f3a`,
    SMTP_PORT: '587',
  };
}

/** Every secret value seeded (both environments), for leak checks. */
export function seededSecrets(manifest: Manifest): string[] {
  return ENVIRONMENTS.flatMap((env) => {
    const values = parameterValues(env);
    return manifest.parameters.filter((p) => p.secret).map((p) => values[p.name] ?? '');
  }).filter((v) => v !== '');
}

export interface ApiImages {
  /** The release that works (deployed to staging, then promoted). */
  readonly good: string;
  /** A release whose tasks crash at boot (the sim's crash scenario is bound to its digest). */
  readonly crashing: string;
}

export interface Platform {
  readonly sim: AwsSim;
  readonly registry: RegistrySim;
  readonly manifest: Manifest;
  /** The small base image on the local registry (what build-nginx-image builds on). */
  readonly baseImage: string;
  readonly apiImages: ApiImages;
  stop(): Promise<void>;
}

/** A one-layer "API" image (a marker file and a command), pushed by digest: stands in for the Rails image. */
async function pushApiImage(client: RegistryClient, repository: string, release: string): Promise<string> {
  const layer = buildLayer(
    {
      name: 'api',
      entries: [
        { type: 'dir', path: 'app' },
        { type: 'file', path: 'app/RELEASE', content: Buffer.from(`${release}\n`) },
      ],
    },
    0,
  );
  const config: ImageConfig = {
    architecture: 'amd64',
    os: 'linux',
    created: '2026-01-01T00:00:00Z',
    config: { Cmd: ['bin/rails', 'server'], Env: [`APP_RELEASE=${release}`], ExposedPorts: { '3000/tcp': {} } },
    rootfs: { type: 'layers', diff_ids: [layer.diffId] },
    history: [{ created: '2026-01-01T00:00:00Z', created_by: `demo API release ${release}` }],
  };
  const { digest } = await pushOneLayerImage(client, repository, layer, config, release);
  return `${client.registry}/${repository}@${digest}`;
}

/** Reads a container's port from an example task definition, so the seed matches what will be deployed. */
async function containerPort(file: string, container: string): Promise<number> {
  const doc = (await readStructuredFile(file, path.join(REPO_ROOT, file))) as {
    containerDefinitions?: { name?: string; portMappings?: { containerPort?: number }[] }[];
  };
  const port = doc.containerDefinitions?.find((c) => c.name === container)?.portMappings?.[0]?.containerPort;
  if (port === undefined) throw new Error(`${file}: container '${container}' has no port mapping`);
  return port;
}

/**
 * The services the demo seeds, named as infra/platform.yml names them (a test compares the two), with the
 * ports of the example task definitions they will be deployed from.
 */
export async function demoServices(): Promise<SeedService[]> {
  const nginxPort = await containerPort('examples/frontend/.aws/learning-platform-nginx-task-definition.json', 'nginx');
  const apiPort = await containerPort('examples/api/.aws/learning-platform-api-task-definition.json', 'api');
  return ENVIRONMENTS.flatMap((env): SeedService[] => [
    {
      name: frontendService(env),
      family: frontendService(env),
      image: 'public.ecr.aws/nginx/nginx:stable',
      containerName: 'nginx',
      containerPort: nginxPort,
      desiredCount: 2,
      targetGroup: `lp-nginx-${env}`,
      circuitBreaker: { enable: true, rollback: true },
      logGroup: `/ecs/${frontendService(env)}`,
    },
    {
      name: apiService(env),
      family: apiService(env),
      image: 'busybox:latest',
      containerName: 'api',
      containerPort: apiPort,
      desiredCount: 1,
      circuitBreaker: { enable: true, rollback: true },
      logGroup: `/ecs/${apiService(env)}`,
    },
  ]);
}

export async function startPlatform(timeScale: number): Promise<Platform> {
  // ECR's GetAuthorizationToken hands out "AWS:<password>"; the registry accepts exactly that login.
  const ecrPassword = 'demo-ecr-token-not-a-secret';
  const registry = await startRegistrySim({ users: { AWS: ecrPassword } });
  const sim = await startAwsSim({ timeScale, registryUrl: registry.url });
  sim.setRegistry(registry.url, ecrPassword);
  try {
    const manifest = await loadManifest(MANIFEST_FILE);
    const services = await demoServices();
    const parameters = ENVIRONMENTS.flatMap((env) => {
      const values = parameterValues(env);
      return parametersFor(manifest, env).map((p) => {
        const value = values[p.name];
        if (value === undefined) throw new Error(`the demo has no value for parameter ${p.name}`);
        return { name: parameterName(manifest, env, p), value, type: p.secret ? 'SecureString' : p.type };
      });
    });
    sim.seedPlatform({ cluster: CLUSTER, services, parameters });
    for (const name of ['learning-platform-nginx', 'learning-platform-api', 'nginx-base']) {
      sim.call('ecr', 'CreateRepository', { repositoryName: name });
    }
    const client = new RegistryClient({
      registry: registry.host,
      credentials: { username: 'AWS', password: ecrPassword },
    });
    await pushTestBaseImage(client, 'nginx-base', '1.27', ['linux/amd64']);
    const apiImages: ApiImages = {
      good: await pushApiImage(client, 'learning-platform-api', '2026.01.1'),
      crashing: await pushApiImage(client, 'learning-platform-api', '2026.01.2'),
    };
    // Staging API tasks running the crashing release exit 1 at boot (its migration task, which has no
    // service, still passes: the release breaks at boot, not in its migration).
    sim.setScenario(
      { service: apiService('staging'), image: apiImages.crashing.split('@')[1] ?? apiImages.crashing },
      'crash',
    );
    return {
      sim,
      registry,
      manifest,
      baseImage: `${registry.host}/nginx-base:1.27`,
      apiImages,
      stop: async () => {
        await sim.stop();
        await registry.stop();
      },
    };
  } catch (error) {
    await sim.stop();
    await registry.stop();
    throw error;
  }
}
