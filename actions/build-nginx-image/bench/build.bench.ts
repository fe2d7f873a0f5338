// The committed bundle run as the runner runs it (`node dist/index.js`, INPUT_* variables) against Debian's
// docker-registry, through a proxy that closes connections idle for 5 s like a load balancer does, for
// generated sites of 10 MiB, 300 MiB and 1 GiB (BENCH_SITE_MIB="10,300,1024,2048" to choose): the first
// push, then the same commit again (a re-push). Per run: wall time, peak memory (the process's maxRSS), the
// longest event-loop stall (perf_hooks.monitorEventLoopDelay), bytes sent over the wire (counted by the
// proxy) and what the summary reports. Prints figures; fails only when a push fails or a re-push is not
// reproducible. Sites are written under RUNNER_TEMP (else the system temp directory) and removed.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { RegistryClient } from '@deploy-actions/oci';
import {
  DOCKER_REGISTRY_BIN,
  pushTestBaseImage,
  startDockerRegistry,
  startRegistrySim,
  startTcpProxy,
} from '@deploy-actions/registry-sim';
import { freePort, runBundle, type RunResult } from '@deploy-actions/testing';
import type { Figure } from '../../../scripts/bench';
import { generateSite } from './site';

const MIB = 1024 * 1024;
const SIZES = (process.env['BENCH_SITE_MIB'] ?? '10,300,1024').split(',').map(Number);
const IDLE_CLOSE_MS = Number(process.env['BENCH_IDLE_CLOSE_MS'] ?? '5000');

// Loaded into the bundle's process with NODE_OPTIONS=--require: records the peak RSS and the longest
// event-loop stall, written when the process exits.
const PROBE = `
const { monitorEventLoopDelay } = require('node:perf_hooks');
const h = monitorEventLoopDelay({ resolution: 10 });
h.enable();
process.on('exit', () => {
  h.disable();
  require('node:fs').writeFileSync(process.env.BENCH_PROBE_OUT, JSON.stringify({
    maxRssKiB: process.resourceUsage().maxRSS, loopMaxMs: h.max / 1e6,
  }));
});
`;

interface Probe {
  readonly maxRssKiB: number;
  readonly loopMaxMs: number;
}

interface Run {
  readonly result: RunResult;
  readonly seconds: number;
  readonly probe: Probe;
  readonly bytesSent: number;
  readonly idleClosed: number;
}

export default async function bench(): Promise<Figure[]> {
  const real = existsSync(DOCKER_REGISTRY_BIN);
  const registry = real ? await startDockerRegistry({ port: await freePort() }) : await startRegistrySim();
  const proxy = await startTcpProxy({
    target: registry.host,
    ...(IDLE_CLOSE_MS > 0 ? { idleCloseMs: IDLE_CLOSE_MS } : {}),
  });
  const work = await mkdtemp(path.join(process.env['RUNNER_TEMP'] ?? tmpdir(), 'bench-build-'));
  const probeFile = path.join(work, 'probe.cjs');
  await writeFile(probeFile, PROBE);
  const figures: Figure[] = [
    { name: 'registry', value: real ? 'docker-registry (Debian)' : 'registry-sim (in memory)' },
    { name: 'idle connections closed after', value: IDLE_CLOSE_MS > 0 ? IDLE_CLOSE_MS / 1000 : 'never', unit: 's' },
  ];
  const peaks: { mib: number; rss: number }[] = [];
  try {
    await pushTestBaseImage(new RegistryClient({ registry: registry.host }), 'mirror/nginx');
    for (const mib of SIZES) {
      const workspace = path.join(work, `ws-${mib}`);
      const site = await generateSite(path.join(workspace, 'dist'), mib * MIB);
      const label = `${mib} MiB`;
      figures.push({
        name: `${label}: site`,
        value: site.bytes / MIB,
        unit: 'MiB',
        note: `${site.files} files, ${Math.round((100 * site.mediaBytes) / site.bytes)} % media`,
      });
      const run = async (probeName: string): Promise<Run> => {
        const probeOut = path.join(work, `${probeName}.json`);
        const before = { bytes: proxy.stats.bytesFromClients, idle: proxy.stats.idleClosed };
        const started = performance.now();
        const result = await runBundle('build-nginx-image', {
          inputs: {
            directory: 'dist',
            repository: `${proxy.host}/frontend/site`,
            'base-image': `${proxy.host}/mirror/nginx:base`,
          },
          env: {
            SOURCE_DATE_EPOCH: '1714557600',
            NODE_OPTIONS: `--require ${probeFile}`,
            BENCH_PROBE_OUT: probeOut,
          },
          workspace,
          timeoutMs: 60 * 60 * 1000,
        });
        const seconds = (performance.now() - started) / 1000;
        await rm(path.dirname(result.runnerTemp), { recursive: true, force: true });
        const probe = JSON.parse(await readFile(probeOut, 'utf8')) as Probe;
        return {
          result,
          seconds,
          probe,
          bytesSent: proxy.stats.bytesFromClients - before.bytes,
          idleClosed: proxy.stats.idleClosed - before.idle,
        };
      };
      const first = await run(`first-${mib}`);
      figures.push(...describe(`${label}: first push`, first, site.bytes));
      peaks.push({ mib: site.bytes / MIB, rss: first.probe.maxRssKiB / 1024 });
      if (first.result.code !== 0) {
        await rm(workspace, { recursive: true, force: true });
        continue;
      }
      const again = await run(`again-${mib}`);
      figures.push(...describe(`${label}: re-push`, again, site.bytes), {
        name: `${label}: re-push / first push`,
        value: again.seconds / first.seconds,
        note: 'wall time ratio',
      });
      if (again.result.code === 0 && again.result.outputs['digest'] !== first.result.outputs['digest']) {
        throw new Error(
          `${label}: not reproducible: ${again.result.outputs['digest']} != ${first.result.outputs['digest']}`,
        );
      }
      await rm(workspace, { recursive: true, force: true });
    }
    if (peaks.length >= 2) {
      const [a, b] = [peaks[0]!, peaks[peaks.length - 1]!];
      const slope = (b.rss - a.rss) / (b.mib - a.mib);
      figures.push({
        name: 'peak memory growth',
        value: slope,
        unit: 'MiB per MiB of site',
        note: `peak ≈ ${(a.rss - slope * a.mib).toFixed(0)} MiB + ${slope.toFixed(3)} × site`,
      });
    }
    return figures;
  } finally {
    await rm(work, { recursive: true, force: true });
    await proxy.stop();
    await registry.stop();
  }
}

function describe(label: string, run: Run, siteBytes: number): Figure[] {
  const { result } = run;
  const uploaded = /\| Uploaded \| ([^|]+) \|/.exec(result.summary)?.[1]?.trim();
  const error = /::error::(.*)/.exec(result.stdout)?.[1];
  return [
    {
      name: `${label}: result`,
      value: result.code === 0 ? 'ok' : 'FAILED',
      ...(error ? { note: error.slice(0, 300) } : {}),
    },
    {
      name: `${label}: wall`,
      value: run.seconds,
      unit: 's',
      note: `${((run.seconds * 1000 * MIB) / siteBytes).toFixed(1)} ms/MiB`,
    },
    {
      name: `${label}: site layer`,
      // What the action logged: compressed in how long, or recognised unchanged.
      value: /static files: (unchanged|\d+ files, [\d.]+ MiB compressed in [\d.]+ s)/.exec(result.stdout)?.[1] ?? '?',
    },
    { name: `${label}: peak memory`, value: run.probe.maxRssKiB / 1024, unit: 'MiB' },
    { name: `${label}: longest event-loop stall`, value: run.probe.loopMaxMs, unit: 'ms' },
    {
      name: `${label}: bytes sent to the registry`,
      value: run.bytesSent,
      unit: 'B',
      note: `${uploaded ? `summary: uploaded ${uploaded}; ` : ''}${run.idleClosed} idle connection(s) closed by the proxy`,
    },
  ];
}
