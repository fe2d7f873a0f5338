import { RegistryError } from './errors';
import type { KnownLayer } from './layer';
import { isManifest, type ImageConfig, type ImageManifest } from './media';
import type { RegistryClient } from './registry';

/** The layer annotation that records how a layer built by this package is compressed (gzip.recipeId). */
export const GZIP_RECIPE_ANNOTATION = 'io.github.elearning-plus.deploy-actions.layer.gzip';

/**
 * The layers of the images `tags` point at in the target repository now, by diff_id, with the compression
 * recipe each was recorded with: what lets an unchanged site be recognised by hashing alone. Two reads per
 * existing tag (manifest, config). A tag that does not exist, is an index or cannot be read adds nothing: the
 * build then compresses everything, which is slower but never wrong; why is logged.
 */
export async function knownLayers(
  client: RegistryClient,
  repository: string,
  tags: readonly string[],
  log: (message: string) => void = () => undefined,
): Promise<Map<string, KnownLayer>> {
  const known = new Map<string, KnownLayer>();
  for (const tag of new Set(tags)) {
    try {
      const fetched = await client.getManifest(repository, tag);
      if (!isManifest(fetched.mediaType)) continue;
      const manifest = fetched.json as ImageManifest;
      const config = JSON.parse(
        (await client.getBlob(repository, manifest.config.digest)).toString('utf8'),
      ) as ImageConfig;
      const diffIds = config.rootfs?.diff_ids ?? [];
      if (diffIds.length !== manifest.layers.length) continue;
      for (const [i, layer] of manifest.layers.entries()) {
        const recipe = layer.annotations?.[GZIP_RECIPE_ANNOTATION];
        if (recipe !== undefined) known.set(diffIds[i]!, { digest: layer.digest, size: layer.size, recipe });
      }
    } catch (error) {
      if (error instanceof RegistryError && error.status === 404) continue;
      log(
        `could not read ${repository}:${tag} to reuse its layers (${error instanceof Error ? error.message : String(error)}); compressing every layer`,
      );
    }
  }
  return known;
}
