// deploy-service on the rollout simulator: how late the action notices a finished rollout, how many API calls a
// healthy deploy costs and its cold start (sizes and the comparison with aws-actions: scripts/bench/bundles.bench.ts). Figures only; nothing asserts timings.
import { startAwsSim, type AwsSim } from '@deploy-actions/aws-sim';
import { runBundle } from '@deploy-actions/testing';
import type { Figure } from '../../../scripts/bench';
import { CLUSTER, NGINX, callCounts, nginxTaskDefinition, workspace } from '../test/integration/helpers';

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

/** One healthy deploy; returns real seconds from the rollout's COMPLETED instant to the process exiting. */
async function healthyDeploy(
  sim: AwsSim,
  toReal: (simMs: number) => number,
  pollSeconds: number,
  tag: string,
): Promise<{ lag: number; calls: Record<string, number>; code: number | null }> {
  const ws = await workspace({ 'td.json': JSON.stringify(nginxTaskDefinition(`nginx:bench-${tag}`)) });
  const from = sim.calls.length;
  const run = await runBundle('deploy-service', {
    workspace: ws,
    env: sim.env,
    inputs: {
      'task-definition': 'td.json',
      service: NGINX,
      cluster: CLUSTER,
      'poll-interval-seconds': String(pollSeconds),
      'wait-for-minutes': '2',
    },
  });
  const exited = Date.now();
  const listed = sim.call('ecs', 'ListServiceDeployments', { cluster: CLUSTER, service: NGINX });
  const records = (listed['serviceDeployments'] as { finishedAt?: number; createdAt?: number }[]) ?? [];
  const newest = [...records].sort((a, b) => (b.createdAt ?? 0) - (a.createdAt ?? 0))[0];
  const completedSim = (newest?.finishedAt ?? NaN) * 1000;
  return { lag: (exited - toReal(completedSim)) / 1000, calls: callCounts(sim, from), code: run.code };
}

export default async function bench(): Promise<Figure[]> {
  const figures: Figure[] = [];
  // A slow clock (30x) so a rollout takes several real seconds and the poll interval is what decides the lag.
  const scale = 30;
  const realStart = Date.now();
  const sim = await startAwsSim({ clock: { now: () => realStart + (Date.now() - realStart) * scale } });
  const toReal = (simMs: number): number => realStart + (simMs - realStart) / scale;
  try {
    sim.seedPlatform();
    let calls: Record<string, number> = {};
    for (const poll of [0.5, 2]) {
      const runs = [];
      for (let i = 0; i < 2; i++) runs.push(await healthyDeploy(sim, toReal, poll, `${poll}-${i}`));
      if (runs.some((r) => r.code !== 0)) throw new Error(`a healthy deploy failed: ${JSON.stringify(runs)}`);
      figures.push({
        name: `COMPLETED → exit, poll ${poll}s`,
        value: median(runs.map((r) => r.lag)),
        unit: 's',
        note: `median of ${runs.length}; target <= ${poll} s (one poll interval) + process exit`,
      });
      calls = runs[runs.length - 1]?.calls ?? {};
    }
    const total = Object.values(calls).reduce((a, b) => a + b, 0);
    figures.push({
      name: 'API calls per healthy deploy (poll 2s)',
      value: total,
      note: Object.entries(calls)
        .map(([op, count]) => `${op} ${count}`)
        .join(', '),
    });
  } finally {
    await sim.stop();
  }
  // Cold start: load the bundle and fail on the first input check (no AWS call).
  const starts: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = Date.now();
    const run = await runBundle('deploy-service', { inputs: { 'task-definition': 'none.json' } });
    if (run.code !== 1) throw new Error('the cold start run did not fail on its missing input');
    starts.push(Date.now() - t0);
  }
  figures.push({
    name: 'cold start (load + input validation)',
    value: median(starts),
    unit: 'ms',
    note: `median of 3, ${process.env['ACTIONS_NODE'] ? 'ACTIONS_NODE' : `node ${process.version}`}`,
  });
  return figures;
}
