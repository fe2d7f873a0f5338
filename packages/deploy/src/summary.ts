import { md } from '@deploy-actions/core';
import { eventsThatMattered, type DeployResult } from './deploy';
import { shortArn } from './rollout';

const TITLE: Record<DeployResult['outcome'], string> = {
  succeeded: '✅ succeeded',
  'rolled-back': '↩️ failed and rolled back',
  failed: '❌ failed',
};

function pre(lines: readonly string[]): string {
  const text = lines.join('\n').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return `<pre>${text}</pre>\n\n`;
}

/** The job summary: what was deployed where, before → after, how it ended and why. Inputs are redacted. */
export function deploySummary(r: DeployResult, where: { cluster: string; service: string }): string {
  const rows: md.Cell[][] = [
    ['Service', md.raw(md.code(where.service))],
    ['Cluster', md.raw(md.code(where.cluster))],
    [
      'Revision',
      md.raw(`${md.code(shortArn(r.previousTaskDefinitionArn))} → ${md.code(shortArn(r.taskDefinitionArn))}`),
    ],
    ['Images', md.raw(r.images.map((i) => `${md.code(i.container)}: ${md.code(i.image)}`).join('<br>'))],
    ['Outcome', `${r.outcome}${r.waited ? '' : ' (rollout not followed)'}`],
    ['Duration', `${r.durationSeconds} s`],
  ];
  if (r.deploymentId) rows.push(['ECS deployment', md.raw(md.code(r.deploymentId))]);
  if (r.runTaskArn) rows.push(['One-off task', md.raw(md.code(r.runTaskArn))]);
  if (r.deregistered.length) {
    rows.push(['Deregistered', md.raw(r.deregistered.map((a) => md.code(shortArn(a))).join(' '))]);
  }
  let out = md.heading(`deploy-service: ${TITLE[r.outcome]}`) + md.table(['', ''], rows) + '\n';
  out += md.paragraph(r.message);
  if (r.report.length) out += md.heading('What failed', 4) + pre(r.report);
  if (r.runTaskReport.length) out += md.heading('One-off task', 4) + pre(r.runTaskReport);
  const events = eventsThatMattered(r.events);
  if (events.length) out += md.heading('Service events', 4) + md.list(events);
  return out;
}
