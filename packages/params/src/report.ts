import { md } from '@deploy-actions/core';
import type { Finding, ParameterResult, VerifyResult } from './verify';

export interface Problem {
  /** Full parameter name, or the task definition variable for wiring problems. */
  readonly name: string;
  readonly reason: string;
}

export type Level = 'missing' | 'invalid' | 'warning';

/** One problem as every report shows it: one row per name and level, however many places report it. */
export interface ProblemRow {
  readonly level: Level;
  readonly name: string;
  /** Where it was found: `Parameter Store`, or the task definition file and container. */
  readonly where: string;
  readonly reason: string;
}

export interface Counts {
  readonly parameters: number;
  /** Parameters found with the right type (and a value matching its rule, when it has one). */
  readonly ok: number;
  readonly missing: number;
  readonly invalid: number;
  readonly warnings: number;
}

/**
 * The one verdict every report uses: the outputs, the log's closing line, the failure annotation, the report
 * file and the job summary all count from here, so they never disagree.
 */
export interface Outcome {
  /** Full names of required parameters (and task definition references) that do not exist. */
  readonly missing: readonly string[];
  /** Parameters (and task definition wiring) that exist but are wrong. */
  readonly invalid: readonly Problem[];
  readonly warnings: readonly Problem[];
  /** Every problem, missing first, then invalid, then warnings. */
  readonly problems: readonly ProblemRow[];
  readonly counts: Counts;
  readonly failed: boolean;
}

const PARAMETER_STORE = 'Parameter Store';

/** Sorts the results into what fails the step and what only warns, one row per name and level. */
export function outcome(result: VerifyResult, failOnWarnings: boolean): Outcome {
  const rows = new Map<string, { level: Level; name: string; where: string[]; reasons: string[]; located: string[] }>();
  const add = (level: Level, name: string, where: string, reason: string): void => {
    const key = `${level}\u0000${name}`;
    const row = rows.get(key) ?? { level, name, where: [], reasons: [], located: [] };
    rows.set(key, row);
    if (!row.where.includes(where)) row.where.push(where);
    row.reasons.push(reason);
    // The outputs carry no separate place, so there each reason says where it was found.
    row.located.push(where === PARAMETER_STORE ? reason : `${where}: ${reason}`);
  };
  for (const p of result.parameters) {
    if (p.status === 'ok') continue;
    const level: Level = p.status === 'warning' ? 'warning' : p.status;
    add(level, p.fullName, PARAMETER_STORE, p.reasons.join('; '));
  }
  for (const f of result.findings) {
    if (f.level === 'hint') continue;
    const level: Level = f.level === 'warning' ? 'warning' : f.missing !== undefined ? 'missing' : 'invalid';
    add(level, f.missing ?? f.parameter ?? f.where, f.where, f.message);
  }
  const order: Level[] = ['missing', 'invalid', 'warning'];
  const sorted = [...rows.values()].sort((a, b) => order.indexOf(a.level) - order.indexOf(b.level));
  const problems: ProblemRow[] = sorted.map((r) => ({
    level: r.level,
    name: r.name,
    where: r.where.join('; '),
    reason: r.reasons.join('; '),
  }));
  const of = (level: Level): Problem[] =>
    sorted.filter((r) => r.level === level).map((r) => ({ name: r.name, reason: r.located.join('; ') }));
  const missing = of('missing').map((p) => p.name);
  const invalid = of('invalid');
  const warnings = of('warning');
  const counts: Counts = {
    parameters: result.parameters.length,
    ok: result.parameters.filter((p) => p.status === 'ok').length,
    missing: missing.length,
    invalid: invalid.length,
    warnings: warnings.length,
  };
  return {
    missing,
    invalid,
    warnings,
    problems,
    counts,
    failed: missing.length > 0 || invalid.length > 0 || (failOnWarnings && warnings.length > 0),
  };
}

/** "1 missing, 5 invalid, 1 warning": the counts every report shows, in one wording. */
export function countsLine(counts: Counts): string {
  return `${counts.missing} missing, ${counts.invalid} invalid, ${counts.warnings} warning${counts.warnings === 1 ? '' : 's'}`;
}

/** Problem rows shown in the summary at most (GitHub's byte limit may cut earlier; the summary says so). */
export const MAX_ROWS = 1000;

const ICON: Record<Level, string> = { missing: '❌ missing', invalid: '❌ invalid', warning: '⚠️ warning' };

/**
 * The job summary: problems first, one row each; a passing run is one line. Never a value (results carry none),
 * and bounded under GitHub's 1 MiB limit whatever the number of parameters, saying what was cut: every
 * parameter is in the report file and the step log.
 */
export function summaryMarkdown(result: VerifyResult, out: Outcome, reportFile = 'report.json'): string {
  const { counts } = out;
  const everything = `the report file ${md.code(reportFile)} (output report) and the step log`;
  const summary = new md.BoundedSummary(everything);
  summary.add(md.heading(`verify-params: ${result.environment}`));
  const scope = `${counts.parameters} parameters under ${md.code(result.path)} in ${md.code(result.region)}`;
  const files = result.taskDefinitions > 0 ? `, ${result.taskDefinitions} task definition file(s) cross-checked` : '';
  if (out.failed) {
    summary.add(md.paragraph(md.raw(`❌ **Failed**: ${countsLine(counts)} — ${scope}${files}.`)));
  } else if (out.problems.length > 0) {
    summary.add(md.paragraph(md.raw(`✅ **Passed** with ${countsLine(counts)} — ${scope}${files}.`)));
  } else {
    const checked = result.parameters.filter((p) => p.rule !== undefined && p.valueChecked).length;
    summary.add(
      md.paragraph(
        md.raw(
          `✅ **Passed**: all ${scope} exist with the right type; ${checked} value(s) match their rule${files ? `; every task definition reference resolves` : ''}.`,
        ),
      ),
    );
  }
  const hints = result.findings.filter((f: Finding) => f.level === 'hint');
  if (hints.length > 0) summary.add(md.list(hints.map((h) => `💡 ${md.clip(h.message, 1000)}`)), 'hints');
  if (out.problems.length === 0) return summary.toString();
  // A table of thousands of rows is read by nobody; past MAX_ROWS the report file is the place to look.
  summary.table(
    ['Problem', 'Name', 'Where', 'Reason'],
    out.problems.map((p) => [
      ICON[p.level],
      md.raw(md.code(md.clip(p.name, 300))),
      md.clip(p.where, 300),
      md.clip(p.reason, 600),
    ]),
    'problems',
    MAX_ROWS,
  );
  if (counts.ok > 0) {
    summary.add(
      md.paragraph(md.raw(`${counts.ok} other parameter(s) passed; every parameter is listed in ${everything}.`)),
    );
  }
  return summary.toString();
}

/** The JSON report file: everything of the result except values (which it never had). */
export function reportJson(result: VerifyResult, out: Outcome): string {
  return `${JSON.stringify(
    {
      manifest: result.manifestFile,
      environment: result.environment,
      path: result.path,
      region: result.region,
      passed: !out.failed,
      counts: out.counts,
      getParametersCalls: result.calls,
      problems: out.problems,
      parameters: result.parameters.map((p: ParameterResult) => ({
        name: p.name,
        fullName: p.fullName,
        expectedType: p.expectedType,
        type: p.actualType ?? null,
        status: p.status,
        required: p.required,
        secret: p.secret,
        rule: p.rule ?? null,
        valueChecked: p.valueChecked,
        reasons: p.reasons,
      })),
      findings: result.findings,
      missing: out.missing,
      invalid: out.invalid,
      warnings: out.warnings,
    },
    null,
    2,
  )}\n`;
}
