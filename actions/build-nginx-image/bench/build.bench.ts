// Build and push of a generated 50 MB static site against a local registry (Debian's docker-registry, or the
// in-memory registry-sim when it is not installed), then the same build again: the second push must upload
// 0 blob bytes. Prints figures; asserts only that invariant.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { imageEnvironment, nginxFiles } from '@deploy-actions/nginx-config';
import {
  directoryEntries,
  generatedEntries,
  NGINX_HTML_ROOT,
  parsePlatform,
  parseReference,
  planImage,
  pushImage,
  RegistryClient,
  resolveImage,
} from '@deploy-actions/oci';
import {
  DOCKER_REGISTRY_BIN,
  pushTestBaseImage,
  startDockerRegistry,
  startRegistrySim,
} from '@deploy-actions/registry-sim';
import { freePort } from '@deploy-actions/testing';
import type { Figure } from '../../../scripts/bench';

const SITE_BYTES = 50 * 1024 * 1024;

/** A site like a real build: HTML, minified-looking JS/CSS (compressible) and images (not), from a fixed seed. */
async function generateSite(dir: string): Promise<{ files: number; bytes: number }> {
  // xorshift32: a fixed sequence, so every run builds the same site.
  let seed = 42;
  const next = (): number => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return seed >>> 0;
  };
  const random = (): number => next() / 0x100000000;
  const words = ['function', 'return', 'const', 'let', 'if', 'else', 'map', 'filter', 'props', 'state', '=>', '{', '}'];
  await mkdir(path.join(dir, 'assets'), { recursive: true });
  await writeFile(
    path.join(dir, 'index.html'),
    '<!doctype html><div id="root"></div><script src="/assets/app.js"></script>',
  );
  let bytes = 0;
  let files = 1;
  while (bytes < SITE_BYTES) {
    const image = files % 3 === 0;
    const size = 50_000 + Math.floor(random() * 200_000);
    const content = Buffer.alloc(size);
    if (image) {
      for (let i = 0; i + 4 <= size; i += 4) content.writeUInt32LE(next(), i);
    } else {
      let at = 0;
      while (at < size) at += content.write(`${words[Math.floor(random() * words.length)]} `, at);
    }
    await writeFile(path.join(dir, 'assets', `chunk-${files}.${image ? 'webp' : 'js'}`), content);
    bytes += size;
    files++;
  }
  return { files, bytes };
}

export default async function bench(): Promise<Figure[]> {
  const real = existsSync(DOCKER_REGISTRY_BIN);
  const registry = real ? await startDockerRegistry({ port: await freePort() }) : await startRegistrySim();
  const dir = await mkdtemp(path.join(tmpdir(), 'bench-site-'));
  try {
    const site = await generateSite(dir);
    const setup = new RegistryClient({ registry: registry.host });
    await pushTestBaseImage(setup, 'mirror/nginx');
    const figures: Figure[] = [
      { name: 'registry', value: real ? 'docker-registry (Debian)' : 'registry-sim (in memory)' },
      { name: 'site', value: site.bytes / 1024 / 1024, unit: 'MiB', note: `${site.files} files` },
    ];
    let firstDigest = '';
    for (const round of ['first build+push', 'same site again']) {
      const started = performance.now();
      const client = new RegistryClient({ registry: registry.host });
      const base = await resolveImage(
        client,
        parseReference(`${registry.host}/mirror/nginx:base`),
        parsePlatform('linux/amd64'),
      );
      const entries = await directoryEntries(dir, {
        root: NGINX_HTML_ROOT,
        where: 'bench',
        require: 'index.html',
        replace: true,
      });
      const read = performance.now();
      const plan = planImage(base, {
        layers: [
          { name: 'static files', entries },
          { name: 'nginx configuration', entries: generatedEntries(nginxFiles({})) },
        ],
        env: imageEnvironment({}),
        labels: { 'org.opencontainers.image.revision': 'bench' },
        created: '2024-05-01T10:00:00Z',
        mtime: 1714557600,
        createdBy: 'bench',
      });
      const built = performance.now();
      const pushed = await pushImage(plan, { client, repository: 'frontend/site', tags: ['bench'] }, client);
      const done = performance.now();
      if (round === 'first build+push') firstDigest = pushed.digest;
      else {
        if (pushed.digest !== firstDigest) throw new Error(`not reproducible: ${pushed.digest} != ${firstDigest}`);
        if (pushed.blobBytesUploaded !== 0) throw new Error(`re-push uploaded ${pushed.blobBytesUploaded} blob bytes`);
      }
      figures.push(
        { name: `${round}: total`, value: (done - started) / 1000, unit: 's' },
        { name: `${round}: read files`, value: (read - started) / 1000, unit: 's' },
        { name: `${round}: tar+gzip layers`, value: (built - read) / 1000, unit: 's' },
        { name: `${round}: push`, value: (done - built) / 1000, unit: 's' },
        {
          name: `${round}: blob bytes uploaded`,
          value: pushed.blobBytesUploaded,
          unit: 'B',
          note: `${pushed.blobs.filter((b) => b.action === 'uploaded').length} of ${pushed.blobs.length} blobs; image ${(plan.size / 1024 / 1024).toFixed(1)} MiB compressed`,
        },
        { name: `${round}: requests`, value: client.stats.requests },
      );
    }
    figures.push({ name: 'digest (both rounds)', value: firstDigest.slice(0, 19) });
    return figures;
  } finally {
    await rm(dir, { recursive: true, force: true });
    await registry.stop();
  }
}
