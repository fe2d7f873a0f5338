import { md } from '@deploy-actions/core';
import type { DeployResult } from './report';
import { shortArn } from './verdict';

function title(r: DeployResult): string {
  switch (r.outcome) {
    case 'succeeded':
      return '✅ succeeded';
    case 'rolled-back':
      return '↩️ failed and rolled back';
    case 'failed':
      return '❌ failed';
    case 'in-progress':
      return r.cause === undefined ? '⏩ handed over to ECS' : '⏸️ stopped waiting, not rolled back';
  }
}

const escapeHtml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\|/g, '&#124;');

/**
 * Report lines that wrap instead of running off the right edge (a <pre> block scrolls and hides the end of
 * long log lines): each line is inline code, indentation kept as non-breaking spaces.
 */
export function wrappedLines(lines: readonly string[]): string {
  const body = lines.map((line) => {
    const indent = /^ */.exec(line)?.[0].length ?? 0;
    return `${'&nbsp;'.repeat(indent)}<code>${escapeHtml(line.slice(indent))}</code>`;
  });
  return `<p>\n${body.join('<br>\n')}\n</p>\n\n`;
}

/** Where the run deployed; without a service it only registered (and maybe ran a one-off task). */
export interface SummaryTarget {
  readonly cluster: string;
  readonly service?: string | undefined;
}

function rows(r: DeployResult, where: SummaryTarget): md.Cell[][] {
  const revision =
    where.service === undefined
      ? md.code(shortArn(r.taskDefinitionArn))
      : `${md.code(shortArn(r.previousTaskDefinitionArn))} → ${md.code(shortArn(r.taskDefinitionArn))}`;
  const out: md.Cell[][] = [
    ...(where.service !== undefined ? [['Service', md.raw(md.code(where.service))] as md.Cell[]] : []),
    ['Cluster', md.raw(md.code(where.cluster))],
    ['Revision', md.raw(`${revision}${r.registered ? '' : ' (existing revision, not registered)'}`)],
    ['Images', md.raw(r.images.map((i) => `${md.code(i.container)}: ${md.code(i.image)}`).join('<br>'))],
  ];
  if (r.strategy) out.push(['Deployment', md.raw(md.code(r.strategy))]);
  if (r.lifecycleStage) out.push(['Last stage', md.raw(md.code(r.lifecycleStage))]);
  out.push(
    ['Outcome', `${r.outcome}${r.waited ? '' : ' (rollout not followed)'}`],
    ['Duration', `${r.durationSeconds} s`],
  );
  if (r.deploymentId) out.push(['ECS deployment', md.raw(md.code(r.deploymentId))]);
  if (r.serviceDeploymentArn) out.push(['Service deployment', md.raw(md.code(r.serviceDeploymentArn))]);
  if (r.runTaskArn) out.push(['One-off task', md.raw(md.code(r.runTaskArn))]);
  if (r.deregistered.length)
    out.push(['Deregistered', md.raw(r.deregistered.map((a) => md.code(shortArn(a))).join(' '))]);
  return out;
}

/**
 * The job summary, cause first: the headline, what happened and where the service is now, the console links,
 * then the table, the grouped failure report, the one-off task and the events that mattered. Redacted by
 * the caller (the runner does not mask files).
 */
export function deploySummary(r: DeployResult, where: SummaryTarget): string {
  let out = md.heading(`deploy-service: ${title(r)}`);
  const [first = '', ...rest] = r.message.split('\n').filter((l) => !l.startsWith('ECS console: '));
  out += md.paragraph(md.raw(`<strong>${md.escapeText(first)}</strong>`));
  for (const line of rest) out += md.paragraph(line);
  if (r.links) {
    out += md.paragraph(
      md.raw(
        `<a href="${encodeURI(r.links.service)}">Service in the ECS console</a> · <a href="${encodeURI(r.links.deployments)}">its deployments</a>`,
      ),
    );
  }
  out += md.table(['', ''], rows(r, where)) + '\n';
  if (r.report.length) out += md.heading('What failed', 4) + wrappedLines(r.report);
  if (r.runTaskReport.length) out += md.heading('One-off task', 4) + wrappedLines(r.runTaskReport);
  const events = eventsThatMattered(r.events);
  if (events.length) out += md.heading('Service events', 4) + md.list(events);
  return out;
}

/** The events worth keeping in the summary: failures, rollbacks, health, steady state (last `max`). */
const MATTERS =
  /fail|unhealthy|unable|error|roll|circuit|stopp|deregister|timed out|steady state|insufficient|denied|paused|alarm/i;
export function eventsThatMattered(events: readonly string[], max = 12): string[] {
  const picked = events.filter((e) => MATTERS.test(e));
  return (picked.length ? picked : events).slice(-max);
}
