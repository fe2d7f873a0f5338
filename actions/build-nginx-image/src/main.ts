import type { ECRClient } from '@aws-sdk/client-ecr';
import * as exec from '@actions/exec';
import { actionCredentials, awsClientConfig, maskSecret, md, runAction, type ActionIO } from '@deploy-actions/core';
import { imageEnvironment, nginxFiles } from '@deploy-actions/nginx-config';
import {
  directoryEntries,
  ecrLogin,
  formatPlatform,
  generatedEntries,
  planImage,
  pushImage,
  RegistryClient,
  resolveImage,
  type Credentials,
  type PushResult,
} from '@deploy-actions/oci';
import * as path from 'node:path';
import { creationTime } from './created';
import { dockerBuild, type Exec } from './docker';
import { readOptions, type BuildNginxImageOptions } from './options';

export const ACTION = 'build-nginx-image';

/** What main needs from the outside world; tests replace them. */
export interface Dependencies {
  readonly ecrClient?: (region: string | undefined) => Pick<ECRClient, 'send'>;
  readonly exec?: Exec;
  readonly fetch?: typeof fetch;
}

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/** Logs in to an ECR registry with GetAuthorizationToken; the password is masked before anything else. */
async function ecrCredentials(
  ecr: { readonly registryId: string | undefined; readonly region: string | undefined },
  registry: string,
  io: ActionIO,
  deps: Dependencies,
): Promise<Credentials> {
  const config = awsClientConfig(
    { region: ecr.region, actionName: ACTION, credentials: actionCredentials(io) },
    io.env,
  );
  // Loaded on first use (an ECR login), like ecrLogin's command: other registries never evaluate the SDK.
  const client =
    deps.ecrClient?.(config.region) ??
    new (await import(/* webpackMode: "eager", webpackExports: ["ECRClient"] */ '@aws-sdk/client-ecr')).ECRClient(
      config,
    );
  const login = await io.log.group(`Log in to ECR (${registry})`, () => ecrLogin(client, ecr.registryId));
  maskSecret(login.password, io.setSecret);
  io.log.info(`ECR login for ${login.proxyEndpoint || registry} (user ${login.username})`);
  return login;
}

export async function main(io: ActionIO, deps: Dependencies = {}): Promise<void> {
  const options = readOptions(io);
  const html = await directoryEntries(options.directory, {
    root: options.resolvedNginx.root,
    where: "input 'directory'",
    require: 'index.html',
    replace: true,
  });
  // Already validated (with input names) by readOptions.
  const files = nginxFiles(options.nginx);
  const env = imageEnvironment(options.nginx);
  const created = await creationTime({ env: io.env });
  io.log.info(`created ${created.iso} (from ${created.source})`);
  const server = io.env['GITHUB_SERVER_URL'] ?? 'https://github.com';
  const labels: Record<string, string> = {
    ...options.labels,
    'org.opencontainers.image.source': `${server}/${io.env['GITHUB_REPOSITORY'] ?? ''}`,
    'org.opencontainers.image.revision': io.env['GITHUB_SHA'] ?? '',
    'org.opencontainers.image.created': created.iso,
  };
  const name = `${options.target.registry}/${options.target.repository}`;

  if (options.builder === 'docker') {
    const runner: Exec = deps.exec ?? ((command, args) => exec.exec(command, [...args]));
    const temp = io.env['RUNNER_TEMP'] ?? path.resolve('.');
    const digest = await io.log.group('docker buildx build --push', () =>
      dockerBuild(
        {
          context: options.context ?? path.join(temp, `${ACTION}-context`),
          dockerfile: options.dockerfile,
          directory: options.directory,
          base: options.base,
          target: options.target,
          tags: options.tags,
          platform: options.platform,
          files,
          env,
          labels,
          metadataFile: path.join(temp, `${ACTION}-metadata.json`),
          htmlRoot: options.resolvedNginx.root,
        },
        runner,
      ),
    );
    publish(io, name, digest, options.tags);
    await io.writeSummary(
      md.heading('build-nginx-image (docker builder)') +
        md.table(
          ['', ''],
          [
            ['Image', md.raw(md.code(`${name}@${digest}`))],
            ['Tags', md.raw(options.tags.map(md.code).join(' '))],
            ['Platform', formatPlatform(options.platform)],
          ],
        ),
    );
    return;
  }

  const credentials = options.ecr
    ? await ecrCredentials(options.ecr, options.target.registry, io, deps)
    : options.credentials;
  const fetchOption = deps.fetch ? { fetch: deps.fetch } : {};
  const debug = (m: string): void => io.log.debug(m);
  const target = new RegistryClient({
    registry: options.target.registry,
    ...(credentials ? { credentials } : {}),
    ...fetchOption,
    debug,
  });
  // The base shares the target's client on the same registry; a private ECR base elsewhere gets its own
  // ECR login; any other base registry is read anonymously (public ECR, Docker Hub).
  const sameRegistry = options.base.registry === options.target.registry;
  const baseCredentials = options.baseEcr
    ? await ecrCredentials(options.baseEcr, options.base.registry, io, deps)
    : undefined;
  const baseClient = sameRegistry
    ? target
    : new RegistryClient({
        registry: options.base.registry,
        ...(baseCredentials ? { credentials: baseCredentials } : {}),
        ...fetchOption,
        debug,
      });
  await target.ping(options.target.repository);

  const base = await io.log.group(`Resolve base image for ${formatPlatform(options.platform)}`, async () => {
    const resolved = await resolveImage(baseClient, options.base, options.platform);
    io.log.info(`base ${options.base.registry}/${options.base.repository}@${resolved.digest}`);
    return resolved;
  });
  const plan = planImage(base, {
    layers: [
      { name: 'static files', entries: html },
      { name: 'nginx configuration', entries: generatedEntries(files) },
    ],
    env,
    labels,
    created: created.iso,
    mtime: created.epoch,
    createdBy: ACTION,
  });
  const pushed = await io.log.group(`Push ${name}`, () =>
    pushImage(plan, { client: target, repository: options.target.repository, tags: options.tags }, baseClient, (m) =>
      io.log.info(m),
    ),
  );
  publish(io, name, pushed.digest, pushed.tags);
  io.setOutput('base-image', `${options.base.registry}/${options.base.repository}@${base.digest}`);
  await io.writeSummary(summary(name, plan.size, pushed, base.digest, options));
}

function publish(io: ActionIO, name: string, digest: string, tags: readonly string[]): void {
  io.setOutput('image', `${name}@${digest}`);
  io.setOutput('digest', digest);
  io.setOutput('tags', tags.join(','));
  io.log.info(`pushed ${name}@${digest} (tags: ${tags.join(', ')})`);
}

function summary(
  name: string,
  size: number,
  pushed: PushResult,
  baseDigest: string,
  options: BuildNginxImageOptions,
): string {
  const uploaded = pushed.blobs.filter((b) => b.action === 'uploaded');
  return (
    md.heading('build-nginx-image') +
    md.table(
      ['', ''],
      [
        ['Image', md.raw(md.code(`${name}@${pushed.digest}`))],
        ['Tags', md.raw(pushed.tags.map(md.code).join(' '))],
        ['Base', md.raw(md.code(`${options.base.registry}/${options.base.repository}@${baseDigest}`))],
        ['Platform', formatPlatform(options.platform)],
        ['Compressed size', bytes(size)],
        ['Uploaded', `${bytes(pushed.blobBytesUploaded)} in ${uploaded.length} of ${pushed.blobs.length} blobs`],
      ],
    ) +
    '\n' +
    md.table(
      ['Layer', 'Digest', 'Size', 'Push'],
      pushed.blobs.map((b) => [b.source, md.raw(md.code(b.digest.slice(0, 19))), bytes(b.size), b.action]),
    )
  );
}

export function run(io?: ActionIO, deps?: Dependencies): Promise<void> {
  return runAction(ACTION, (x) => main(x, deps), io);
}
