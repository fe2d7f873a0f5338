import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import * as path from 'node:path';
import { DeployActionsError } from '@deploy-actions/core';
import { fileSource, type BlobContent, type BlobSource } from './blob';
import { DEFAULT_GZIP, GzipWriter, gzipPiecesSync, recipeId, sha256, type GzipRecipe } from './gzip';
import { createTar, tarPieces, tarPiecesSync, type TarEntry } from './tar';

/** One layer to add: what it is (for history and the summary) and its entries. */
export interface LayerSpec {
  readonly name: string;
  readonly entries: readonly TarEntry[];
}

export interface BuiltLayer {
  readonly name: string;
  readonly digest: string;
  readonly diffId: string;
  readonly size: number;
  readonly files: number;
  /** How the blob is compressed (recipeId), recorded on the layer in the manifest. */
  readonly recipe: string;
  /**
   * built: compressed by this build. reused: an image already in the target repository holds the same
   * content compressed the same way, so its digest is known without compressing (done only if the blob is
   * missing after all).
   */
  readonly origin: 'built' | 'reused';
  readonly blob: BlobContent;
}

/** A layer of an image already in the target repository, by diff_id. */
export interface KnownLayer {
  readonly digest: string;
  readonly size: number;
  readonly recipe: string;
}

const fileCount = (entries: readonly TarEntry[]): number => entries.filter((e) => e.type === 'file').length;

/** A layer built in memory: its blob is the bytes. */
export interface MemoryLayer extends BuiltLayer {
  readonly blob: Buffer;
}

/**
 * A small layer in memory (generated files, tests): deterministic tar, then deterministic gzip; the same
 * bytes buildLayers writes for the same entries.
 */
export function buildLayer(spec: LayerSpec, mtime: number, recipe: GzipRecipe = DEFAULT_GZIP): MemoryLayer {
  const tar = createTar(spec.entries, { mtime });
  const blob = gzipPiecesSync(tarPiecesSync(spec.entries, { mtime }), recipe);
  return {
    name: spec.name,
    digest: sha256(blob),
    diffId: sha256(tar),
    size: blob.length,
    files: fileCount(spec.entries),
    recipe: recipeId(recipe),
    origin: 'built',
    blob,
  };
}

export interface BuildLayersOptions {
  /** Entry mtime in seconds. */
  readonly mtime: number;
  /** Where compressed layers are written (under RUNNER_TEMP); the caller removes it. */
  readonly dir: string;
  readonly recipe?: GzipRecipe;
  /** Segments compressed at once. */
  readonly concurrency?: number;
  /** Layers of the images the tags point at now: a layer whose diff_id is here is not compressed again. */
  readonly known?: ReadonlyMap<string, KnownLayer>;
  readonly log?: (message: string) => void;
}

/** The diff_id (sha256 of the tar) without compressing: what a re-push compares first. */
export async function layerDiffId(entries: readonly TarEntry[], mtime: number): Promise<string> {
  const hash = createHash('sha256');
  for await (const piece of tarPieces(entries, { mtime })) hash.update(piece.data);
  return `sha256:${hash.digest('hex')}`;
}

interface LayerFile {
  readonly file: string;
  readonly digest: string;
  readonly diffId: string;
  readonly size: number;
}

/** Streams the layer through tar and gzip into `file`; memory stays a few segments whatever its size. */
async function writeLayerFile(
  entries: readonly TarEntry[],
  file: string,
  options: BuildLayersOptions,
): Promise<LayerFile> {
  const handle = await open(file, 'w');
  try {
    const gzip = new GzipWriter(
      async (data) => void (await handle.write(data)),
      options.recipe ?? DEFAULT_GZIP,
      options.concurrency ?? 1,
    );
    await gzip.start();
    for await (const piece of tarPieces(entries, { mtime: options.mtime })) await gzip.add(piece);
    const result = await gzip.finish();
    return { file, digest: result.digest, diffId: result.diffId, size: result.size };
  } finally {
    await handle.close();
  }
}

const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/**
 * Builds each layer into a file under `options.dir`. When the target already has images (`known`), a layer's
 * diff_id is computed first, without compressing: if an image there has the same content compressed with the
 * same recipe, its digest and size are taken and nothing is compressed (an unchanged re-push).
 */
export async function buildLayers(specs: readonly LayerSpec[], options: BuildLayersOptions): Promise<BuiltLayer[]> {
  const recipe = recipeId(options.recipe ?? DEFAULT_GZIP);
  const log = options.log ?? (() => undefined);
  const layers: BuiltLayer[] = [];
  for (const [index, spec] of specs.entries()) {
    const file = path.join(options.dir, `layer-${index}.tar.gz`);
    const files = fileCount(spec.entries);
    const started = performance.now();
    let expected: string | undefined;
    if (options.known && options.known.size > 0) {
      expected = await layerDiffId(spec.entries, options.mtime);
      const known = options.known.get(expected);
      if (known && known.recipe === recipe) {
        log(`${spec.name}: unchanged (diff_id ${expected.slice(7, 19)} is in the target), not compressed`);
        const build = async (): Promise<BlobSource> => {
          const built = await writeLayerFile(spec.entries, file, options);
          if (built.digest !== known.digest) {
            throw new DeployActionsError(
              `${spec.name} layer: an image in the target lists blob ${known.digest} for this content but the registry ` +
                `does not have it, and compressing again gave ${built.digest} — delete or retag the images that list ` +
                'the missing blob, then run again',
            );
          }
          return fileSource(built.file, built.size);
        };
        layers.push({
          name: spec.name,
          digest: known.digest,
          diffId: expected,
          size: known.size,
          files,
          recipe,
          origin: 'reused',
          blob: build,
        });
        continue;
      }
    }
    const built = await writeLayerFile(spec.entries, file, options);
    if (expected !== undefined && built.diffId !== expected) {
      throw new DeployActionsError(
        `${spec.name} layer: the files changed while the image was built — do not write to the directory during the build`,
      );
    }
    const seconds = (performance.now() - started) / 1000;
    log(`${spec.name}: ${files} files, ${mib(built.size)} compressed in ${seconds.toFixed(1)} s`);
    layers.push({
      name: spec.name,
      digest: built.digest,
      diffId: built.diffId,
      size: built.size,
      files,
      recipe,
      origin: 'built',
      blob: fileSource(built.file, built.size),
    });
  }
  return layers;
}
