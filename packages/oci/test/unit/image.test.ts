import {
  buildLayer,
  DEFAULT_GZIP,
  GZIP_RECIPE_ANNOTATION,
  recipeId,
  gunzip,
  MediaType,
  planImage,
  readTar,
  type ImageConfig,
  type ResolvedImage,
} from '../../src';

const baseConfig: ImageConfig = {
  architecture: 'amd64',
  os: 'linux',
  config: { Env: ['PATH=/usr/bin', 'NGINX_VERSION=1.27.0'], Labels: { maintainer: 'nginx' }, Cmd: ['nginx'] },
  rootfs: { type: 'layers', diff_ids: ['sha256:base'] },
  history: [{ created_by: 'base' }],
};
const base: ResolvedImage = {
  reference: { registry: 'public.ecr.aws', repository: 'nginx/nginx', tag: '1.27-alpine' },
  digest: `sha256:${'b'.repeat(64)}`,
  indexDigest: undefined,
  manifest: {
    schemaVersion: 2,
    mediaType: MediaType.dockerManifest,
    config: { mediaType: MediaType.dockerConfig, digest: `sha256:${'c'.repeat(64)}`, size: 10 },
    layers: [{ mediaType: MediaType.dockerLayerGzip, digest: `sha256:${'d'.repeat(64)}`, size: 100 }],
  },
  config: baseConfig,
};
const site = {
  name: 'static files',
  entries: [{ type: 'file' as const, path: 'usr/share/nginx/html/index.html', content: Buffer.from('<h1>x</h1>') }],
};
const layer = buildLayer(site, 1714557600);
const options = {
  layers: [layer],
  env: { SITE_API_PATH: '/api/', NGINX_VERSION: 'kept-from-us' },
  labels: { 'org.opencontainers.image.revision': 'abc' },
  created: '2024-05-01T10:00:00Z',
  createdBy: 'test',
};

test('the same inputs give the same digest; other inputs another', () => {
  const a = planImage(base, options);
  expect(planImage(base, options).digest).toBe(a.digest);
  expect(planImage(base, { ...options, created: '2024-05-01T10:00:01Z' }).digest).not.toBe(a.digest);
  expect(buildLayer(site, 1).digest).not.toBe(a.layers[0]!.digest);
});

test('config keeps the base and adds env defaults, labels, diff_ids and history', () => {
  const plan = planImage(base, options);
  const config = JSON.parse(plan.config.toString()) as ImageConfig;
  expect(config.config?.Env).toEqual(['PATH=/usr/bin', 'NGINX_VERSION=kept-from-us', 'SITE_API_PATH=/api/']);
  expect(config.config?.Labels).toEqual({ maintainer: 'nginx', 'org.opencontainers.image.revision': 'abc' });
  expect(config.config?.['Cmd']).toEqual(['nginx']);
  expect(config.rootfs.diff_ids).toEqual(['sha256:base', plan.layers[0]!.diffId]);
  expect(config.created).toBe('2024-05-01T10:00:00Z');
  expect(config.history?.map((h) => [h.created_by, h.empty_layer ?? false])).toEqual([
    ['base', false],
    ['test: static files', false],
    ['test: environment defaults and labels', true],
  ]);
});

test('the manifest is OCI, base layers converted, new layers appended', () => {
  const plan = planImage(base, options);
  const manifest = JSON.parse(plan.manifest.toString()) as {
    mediaType: string;
    config: { digest: string; mediaType: string };
    layers: { mediaType: string; digest: string; annotations?: Record<string, string> }[];
    annotations: Record<string, string>;
  };
  expect(manifest.mediaType).toBe(MediaType.ociManifest);
  expect(manifest.config).toMatchObject({ digest: plan.configDigest, mediaType: MediaType.ociConfig });
  expect(manifest.layers.map((l) => l.mediaType)).toEqual([MediaType.ociLayerGzip, MediaType.ociLayerGzip]);
  expect(manifest.layers[1]!.digest).toBe(plan.layers[0]!.digest);
  // How our layer was compressed is recorded on it (a re-push reuses only what the same recipe made).
  expect(manifest.layers[1]!.annotations).toEqual({ [GZIP_RECIPE_ANNOTATION]: recipeId(DEFAULT_GZIP) });
  expect(manifest.layers[0]!.annotations).toBeUndefined();
  expect(manifest.annotations['org.opencontainers.image.base.digest']).toBe(base.digest);
  expect(plan.size).toBe(plan.config.length + 100 + plan.layers[0]!.size);
  const [entry] = readTar(gunzip(layer.blob));
  expect(entry).toMatchObject({ path: 'usr/share/nginx/html/index.html', mtime: 1714557600 });
});

test('an invalid env name is rejected', () => {
  expect(() => planImage(base, { ...options, env: { 'BAD-NAME': 'x' } })).toThrow(/'BAD-NAME'.*not a valid name/);
});
