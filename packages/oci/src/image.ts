import { ConfigError } from '@deploy-actions/core';
import { PlatformNotFoundError, RegistryError } from './errors';
import { sha256 } from './gzip';
import type { BuiltLayer } from './layer';
import {
  formatPlatform,
  isIndex,
  isManifest,
  MediaType,
  platformMatches,
  type Descriptor,
  type HistoryEntry,
  type ImageConfig,
  type ImageIndex,
  type ImageManifest,
  type Platform,
} from './media';
import type { ImageReference } from './reference';
import type { BlobPushResult, RegistryClient } from './registry';
import { GZIP_RECIPE_ANNOTATION } from './reuse';

export interface ResolvedImage {
  readonly reference: ImageReference;
  /** Digest of the platform's image manifest (not of the index). */
  readonly digest: string;
  /** Digest of the index the manifest was chosen from, when the reference named an index. */
  readonly indexDigest: string | undefined;
  readonly manifest: ImageManifest;
  readonly config: ImageConfig;
}

/** Reads a base image and, when it is an index (multi-platform), picks the manifest for `platform`. */
export async function resolveImage(
  client: RegistryClient,
  ref: ImageReference,
  platform: Platform,
): Promise<ResolvedImage> {
  const name = `${ref.registry}/${ref.repository}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
  const reference = ref.digest ?? ref.tag ?? 'latest';
  let fetched = await client.getManifest(ref.repository, reference);
  let indexDigest: string | undefined;
  if (isIndex(fetched.mediaType)) {
    indexDigest = fetched.digest;
    const index = fetched.json as ImageIndex;
    const images = (index.manifests ?? []).filter(
      (d) => isManifest(d.mediaType) && d.platform && d.platform.os !== 'unknown',
    );
    const match = images.find((d) => platformMatches(platform, d.platform));
    if (!match) {
      const available = images.map((d) => formatPlatform(d.platform!));
      throw new PlatformNotFoundError(
        `base image ${name} has no ${formatPlatform(platform)} image (it has: ${available.join(', ') || 'none'}) — ` +
          'set the platform input to one of these or pick a base image built for it',
      );
    }
    fetched = await client.getManifest(ref.repository, match.digest);
  }
  if (!isManifest(fetched.mediaType)) {
    throw new RegistryError(`base image ${name} has unsupported media type '${fetched.mediaType}'`);
  }
  const manifest = fetched.json as ImageManifest;
  const config = JSON.parse(
    (await client.getBlob(ref.repository, manifest.config.digest)).toString('utf8'),
  ) as ImageConfig;
  if (!indexDigest && (config.os !== platform.os || config.architecture !== platform.architecture)) {
    throw new PlatformNotFoundError(
      `base image ${name} is a single ${config.os}/${config.architecture} image, not ${formatPlatform(platform)} — ` +
        'set the platform input to match or use a multi-platform base image',
    );
  }
  return { reference: ref, digest: fetched.digest, indexDigest, manifest, config };
}

export interface ImagePlan {
  readonly base: ResolvedImage;
  readonly layers: readonly BuiltLayer[];
  readonly config: Buffer;
  readonly configDigest: string;
  readonly manifest: Buffer;
  readonly digest: string;
  /** Compressed size of every layer plus the config: what a pull transfers. */
  readonly size: number;
}

export interface PlanOptions {
  /** The new layers, built (buildLayers, buildLayer) before planning. */
  readonly layers: readonly BuiltLayer[];
  /** Env defaults: replace the base's value of the same name, others appended in name order. */
  readonly env: Readonly<Record<string, string>>;
  readonly labels: Readonly<Record<string, string>>;
  /** RFC 3339 creation time (from the commit or SOURCE_DATE_EPOCH, never "now"). */
  readonly created: string;
  /** Written to history (created_by). */
  readonly createdBy: string;
}

function mergeEnv(base: readonly string[], env: Readonly<Record<string, string>>): string[] {
  const out = [...base];
  for (const name of Object.keys(env).sort()) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
      throw new ConfigError(`environment variable '${name}'`, 'is not a valid name');
    const line = `${name}=${env[name]}`;
    const at = out.findIndex((e) => e.startsWith(`${name}=`));
    if (at === -1) out.push(line);
    else out[at] = line;
  }
  return out;
}

/** Pure: base image + built layers + settings → config and manifest bytes. Same inputs, same digest. */
export function planImage(base: ResolvedImage, options: PlanOptions): ImagePlan {
  const layers = options.layers;
  const history: HistoryEntry[] = [...(base.config.history ?? [])];
  for (const layer of layers) {
    history.push({
      created: options.created,
      created_by: `${options.createdBy}: ${layer.name}`,
      comment: `${layer.files} files`,
    });
  }
  history.push({
    created: options.created,
    created_by: `${options.createdBy}: environment defaults and labels`,
    empty_layer: true,
  });
  const baseInner = base.config.config ?? {};
  const config: ImageConfig = {
    ...base.config,
    created: options.created,
    config: {
      ...baseInner,
      Env: mergeEnv(baseInner.Env ?? [], options.env),
      Labels: { ...(baseInner.Labels ?? {}), ...options.labels },
    },
    rootfs: { type: 'layers', diff_ids: [...base.config.rootfs.diff_ids, ...layers.map((l) => l.diffId)] },
    history,
  };
  const configBytes = Buffer.from(JSON.stringify(config), 'utf8');
  const configDigest = sha256(configBytes);
  const baseLayers: Descriptor[] = base.manifest.layers.map((l) => ({
    mediaType: l.mediaType === MediaType.dockerLayerGzip ? MediaType.ociLayerGzip : l.mediaType,
    digest: l.digest,
    size: l.size,
  }));
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: MediaType.ociManifest,
    config: { mediaType: MediaType.ociConfig, digest: configDigest, size: configBytes.length },
    layers: [
      ...baseLayers,
      ...layers.map((l) => ({
        mediaType: MediaType.ociLayerGzip,
        digest: l.digest,
        size: l.size,
        annotations: { [GZIP_RECIPE_ANNOTATION]: l.recipe },
      })),
    ],
    annotations: {
      'org.opencontainers.image.base.name': `${base.reference.registry}/${base.reference.repository}${base.reference.tag ? `:${base.reference.tag}` : ''}`,
      'org.opencontainers.image.base.digest': base.digest,
      'org.opencontainers.image.created': options.created,
    },
  };
  const manifestBytes = Buffer.from(JSON.stringify(manifest), 'utf8');
  return {
    base,
    layers,
    config: configBytes,
    configDigest,
    manifest: manifestBytes,
    digest: sha256(manifestBytes),
    size: configBytes.length + manifest.layers.reduce((sum, l) => sum + l.size, 0),
  };
}

export interface PushedBlob extends BlobPushResult {
  readonly digest: string;
  readonly size: number;
  /** "base" or the layer's name, or "config". */
  readonly source: string;
}

export interface PushResult {
  readonly digest: string;
  readonly blobs: readonly PushedBlob[];
  readonly tags: readonly string[];
  readonly blobBytesUploaded: number;
}

/**
 * Pushes a planned image: base layers (exists → skipped; same registry → mounted from the base repository;
 * otherwise copied from the base registry), new layers, config, then the manifest under each tag.
 */
export async function pushImage(
  plan: ImagePlan,
  target: { client: RegistryClient; repository: string; tags: readonly string[] },
  baseClient: RegistryClient,
  log: (message: string) => void = () => undefined,
  concurrency = 3,
): Promise<PushResult> {
  const { client, repository } = target;
  const sameRegistry = baseClient.registry === client.registry;
  const mountFrom = sameRegistry ? plan.base.reference.repository : undefined;
  const before = client.stats.blobBytesUploaded;
  const base = plan.base.reference.repository;
  const tasks: { source: string; label: string; digest: string; size: number; push: () => Promise<BlobPushResult> }[] =
    [
      ...plan.base.manifest.layers.map((layer) => ({
        source: 'base',
        label: 'base layer',
        digest: layer.digest,
        size: layer.size,
        push: () =>
          client.pushBlob(
            repository,
            layer.digest,
            () => baseClient.getBlob(base, layer.digest, layer.size),
            mountFrom,
          ),
      })),
      ...plan.layers.map((layer) => ({
        source: layer.name,
        label: `${layer.name} layer`,
        digest: layer.digest,
        size: layer.size,
        push: () => client.pushBlob(repository, layer.digest, layer.blob),
      })),
      {
        source: 'config',
        label: 'config',
        digest: plan.configDigest,
        size: plan.config.length,
        push: () => client.pushBlob(repository, plan.configDigest, plan.config),
      },
    ];
  // A few blobs at once (the registry's round trips dominate for small layers); results keep manifest order.
  const results: PushedBlob[] = new Array<PushedBlob>(tasks.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const i = next++;
      const task = tasks[i]!;
      results[i] = { ...(await task.push()), digest: task.digest, size: task.size, source: task.source };
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, tasks.length) }, worker));
  const blobs = results;
  for (const [i, b] of blobs.entries())
    log(`${tasks[i]!.label} ${b.digest.slice(7, 19)} (${b.size} bytes): ${b.action}`);
  const tags = [...new Set(target.tags)];
  // The manifest by digest first, so the image exists even if a tag push fails.
  await client.putManifest(repository, plan.digest, plan.manifest, MediaType.ociManifest);
  for (const tag of tags) await client.putManifest(repository, tag, plan.manifest, MediaType.ociManifest);
  return { digest: plan.digest, blobs, tags, blobBytesUploaded: client.stats.blobBytesUploaded - before };
}
