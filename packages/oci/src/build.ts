import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { planImage, pushImage, type ImagePlan, type PlanOptions, type PushResult, type ResolvedImage } from './image';
import { buildLayers, type BuiltLayer, type LayerSpec } from './layer';
import type { RegistryClient } from './registry';
import { knownLayers } from './reuse';

export interface BuildImageInput extends Omit<PlanOptions, 'layers'> {
  readonly base: ResolvedImage;
  readonly baseClient: RegistryClient;
  readonly target: { readonly client: RegistryClient; readonly repository: string; readonly tags: readonly string[] };
  readonly layers: readonly LayerSpec[];
  /** Entry mtime in seconds. */
  readonly mtime: number;
  /** A directory for the compressed layers (RUNNER_TEMP); a fresh one is made inside it and removed after. */
  readonly tempDir: string;
  /** Segments compressed at once; default: the cores, at most 3 (libuv's pool has 4 threads; reads need one). */
  readonly concurrency?: number;
  readonly log?: (message: string) => void;
}

export interface BuiltImage {
  readonly plan: ImagePlan;
  readonly layers: readonly BuiltLayer[];
  readonly pushed: PushResult;
}

export function defaultConcurrency(): number {
  return Math.max(1, Math.min(availableParallelism(), 3));
}

/**
 * Builds the new layers as files (streamed: memory stays bounded whatever the site's size), recognising
 * layers the images under the target tags already have, plans the image and pushes it. Temporary files are
 * removed whatever happens.
 */
export async function buildAndPushImage(input: BuildImageInput): Promise<BuiltImage> {
  const log = input.log ?? (() => undefined);
  const dir = await mkdtemp(path.join(input.tempDir, 'layers-'));
  try {
    const { client, repository, tags } = input.target;
    const known = await knownLayers(client, repository, tags, log);
    const layers = await buildLayers(input.layers, {
      mtime: input.mtime,
      dir,
      known,
      concurrency: input.concurrency ?? defaultConcurrency(),
      log,
    });
    const plan = planImage(input.base, {
      layers,
      env: input.env,
      labels: input.labels,
      created: input.created,
      createdBy: input.createdBy,
    });
    const pushed = await pushImage(plan, input.target, input.baseClient, log);
    return { plan, layers, pushed };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
