import {
  buildLayer,
  MediaType,
  sha256,
  type BuiltLayer,
  type ImageConfig,
  type ImageIndex,
  type ImageManifest,
  type RegistryClient,
} from '@deploy-actions/oci';

/**
 * Pushes a one-layer image: the layer blob, the config blob, then the OCI manifest under `tag` (by digest only
 * when no tag is given). Returns the manifest's digest and size.
 */
export async function pushOneLayerImage(
  client: RegistryClient,
  repository: string,
  layer: BuiltLayer,
  config: ImageConfig,
  tag?: string,
): Promise<{ digest: string; size: number }> {
  const configBytes = Buffer.from(JSON.stringify(config));
  await client.pushBlob(repository, layer.digest, layer.blob);
  await client.pushBlob(repository, sha256(configBytes), configBytes);
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: MediaType.ociManifest,
    config: { mediaType: MediaType.ociConfig, digest: sha256(configBytes), size: configBytes.length },
    layers: [{ mediaType: MediaType.ociLayerGzip, digest: layer.digest, size: layer.size }],
  };
  const bytes = Buffer.from(JSON.stringify(manifest));
  const digest = await client.putManifest(repository, tag ?? sha256(bytes), bytes, MediaType.ociManifest);
  return { digest, size: bytes.length };
}

export interface TestBaseImage {
  /** Digest of the index (what a base-image reference pins). */
  readonly indexDigest: string;
  /** Per platform ("linux/amd64"): manifest digest and the marker file's content. */
  readonly platforms: Readonly<Record<string, { digest: string; marker: string }>>;
}

/**
 * Pushes a tiny multi-platform "nginx-like" base image (an OCI index with the given platforms, default
 * linux/amd64 and linux/arm64), so tests and the demo never download one. Each platform has one layer with
 * etc/base-release naming its architecture, and a config with PATH and NGINX_VERSION like the real image.
 */
export async function pushTestBaseImage(
  client: RegistryClient,
  repository: string,
  tag = 'base',
  platforms: readonly string[] = ['linux/amd64', 'linux/arm64'],
): Promise<TestBaseImage> {
  const descriptors: ImageIndex['manifests'][number][] = [];
  const out: Record<string, { digest: string; marker: string }> = {};
  for (const platform of platforms) {
    const [os = 'linux', architecture = 'amd64'] = platform.split('/');
    const marker = `test base image for ${platform}\n`;
    const layer = buildLayer(
      {
        name: 'base',
        entries: [
          { type: 'dir', path: 'etc' },
          { type: 'file', path: 'etc/base-release', content: Buffer.from(marker) },
          { type: 'dir', path: 'usr/share/nginx/html' },
          { type: 'file', path: 'usr/share/nginx/html/50x.html', content: Buffer.from('<h1>base error page</h1>\n') },
        ],
      },
      0,
    );
    const config: ImageConfig = {
      architecture,
      os,
      created: '2024-01-01T00:00:00Z',
      config: {
        Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'NGINX_VERSION=1.27.0'],
        Cmd: ['nginx', '-g', 'daemon off;'],
        ExposedPorts: { '80/tcp': {} },
        Labels: { maintainer: 'test' },
      },
      rootfs: { type: 'layers', diff_ids: [layer.diffId] },
      history: [{ created: '2024-01-01T00:00:00Z', created_by: 'test base layer' }],
    };
    const { digest, size } = await pushOneLayerImage(client, repository, layer, config);
    descriptors.push({ mediaType: MediaType.ociManifest, digest, size, platform: { os, architecture } });
    out[platform] = { digest, marker };
  }
  const index: ImageIndex = { schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: descriptors };
  const indexBytes = Buffer.from(JSON.stringify(index));
  const indexDigest = await client.putManifest(repository, tag, indexBytes, MediaType.ociIndex);
  return { indexDigest, platforms: out };
}
