import type { ECRClient } from '@aws-sdk/client-ecr';
import * as exec from '@actions/exec';
import { actionCredentials, awsClientConfig, maskSecret, runAction, type ActionIO } from '@deploy-actions/core';
import { imageEnvironment, nginxFiles, WELL_KNOWN_DIR } from '@deploy-actions/nginx-config';
import {
  buildAndPushImage,
  directoryEntries,
  ecrLogin,
  formatPlatform,
  generatedEntries,
  RegistryClient,
  resolveImage,
  type Credentials,
  type DirectoryLayer,
} from '@deploy-actions/oci';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { creationTime } from './created';
import { dockerBuild, type Exec } from './docker';
import { readOptions, type BuildNginxImageOptions } from './options';
import { dockerSummary, imageSummary, listSome } from './summary';

export const ACTION = 'build-nginx-image';

/** What main needs from the outside world; tests replace them. */
export interface Dependencies {
  readonly ecrClient?: (region: string | undefined) => Pick<ECRClient, 'send'>;
  readonly exec?: Exec;
  readonly fetch?: typeof fetch;
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

/** What both builders need: the validated options, the site's entries and what goes into the image. */
interface Prepared {
  readonly options: BuildNginxImageOptions;
  readonly html: DirectoryLayer;
  readonly files: ReturnType<typeof nginxFiles>;
  readonly env: Record<string, string>;
  readonly labels: Record<string, string>;
  readonly created: { readonly iso: string; readonly epoch: number };
  /** registry/repository */
  readonly name: string;
  readonly temp: string;
}

export async function main(io: ActionIO, deps: Dependencies = {}): Promise<void> {
  const options = readOptions(io);
  const html = await directoryEntries(options.directory, {
    root: options.resolvedNginx.root,
    where: "input 'directory'",
    require: 'index.html',
    replace: true,
    includeDotfiles: options.includeDotfiles,
    keepAtTop: [WELL_KNOWN_DIR],
  });
  if (html.leftOut.length > 0) {
    io.log.info(
      `left out of the image (dotfiles; set include-dotfiles: true to publish them): ${listSome(html.leftOut, 20)}`,
    );
  }
  const created = await creationTime({ env: io.env });
  io.log.info(`created ${created.iso} (from ${created.source})`);
  const server = io.env['GITHUB_SERVER_URL'] ?? 'https://github.com';
  const prepared: Prepared = {
    options,
    html,
    // Already validated (with input names) by readOptions.
    files: nginxFiles(options.nginx),
    env: imageEnvironment(options.nginx),
    labels: {
      ...options.labels,
      'org.opencontainers.image.source': `${server}/${io.env['GITHUB_REPOSITORY'] ?? ''}`,
      'org.opencontainers.image.revision': io.env['GITHUB_SHA'] ?? '',
      'org.opencontainers.image.created': created.iso,
    },
    created,
    name: `${options.target.registry}/${options.target.repository}`,
    temp: io.env['RUNNER_TEMP'] || tmpdir(),
  };
  await (options.builder === 'docker' ? withDocker(io, deps, prepared) : withOci(io, deps, prepared));
}

async function withDocker(io: ActionIO, deps: Dependencies, p: Prepared): Promise<void> {
  const { options, temp } = p;
  const runner: Exec = deps.exec ?? ((command, args) => exec.exec(command, [...args]));
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
        files: p.files,
        env: p.env,
        labels: p.labels,
        metadataFile: path.join(temp, `${ACTION}-metadata.json`),
        htmlRoot: options.resolvedNginx.root,
        includeDotfiles: options.includeDotfiles,
      },
      runner,
    ),
  );
  publish(io, p.name, digest, options.tags);
  await io.writeSummary(dockerSummary(p.name, digest, options));
}

async function withOci(io: ActionIO, deps: Dependencies, p: Prepared): Promise<void> {
  const { options } = p;
  const credentials = options.ecr
    ? await ecrCredentials(options.ecr, options.target.registry, io, deps)
    : options.credentials;
  const shared = {
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
    debug: (m: string): void => io.log.debug(m),
    log: (m: string): void => io.log.info(m),
  };
  const target = new RegistryClient({
    registry: options.target.registry,
    ...(credentials ? { credentials } : {}),
    ...shared,
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
        ...shared,
      });
  await target.ping(options.target.repository);

  const base = await io.log.group(`Resolve base image for ${formatPlatform(options.platform)}`, async () => {
    const resolved = await resolveImage(baseClient, options.base, options.platform);
    io.log.info(`base ${options.base.registry}/${options.base.repository}@${resolved.digest}`);
    return resolved;
  });
  const built = await io.log.group(`Build and push ${p.name}`, () =>
    buildAndPushImage({
      base,
      baseClient,
      target: { client: target, repository: options.target.repository, tags: options.tags },
      layers: [
        { name: 'static files', entries: p.html.entries },
        { name: 'nginx configuration', entries: generatedEntries(p.files) },
      ],
      env: p.env,
      labels: p.labels,
      created: p.created.iso,
      mtime: p.created.epoch,
      createdBy: ACTION,
      tempDir: p.temp,
      log: (m) => io.log.info(m),
    }),
  );
  publish(io, p.name, built.pushed.digest, built.pushed.tags);
  io.setOutput('base-image', `${options.base.registry}/${options.base.repository}@${base.digest}`);
  await io.writeSummary(imageSummary(p.name, built, p.html.leftOut, options));
}

function publish(io: ActionIO, name: string, digest: string, tags: readonly string[]): void {
  io.setOutput('image', `${name}@${digest}`);
  io.setOutput('digest', digest);
  io.setOutput('tags', tags.join(','));
  io.log.info(`pushed ${name}@${digest} (tags: ${tags.join(', ')})`);
}

export function run(io?: ActionIO, deps?: Dependencies): Promise<void> {
  return runAction(ACTION, (x) => main(x, deps), io);
}
