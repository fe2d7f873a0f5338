import { md } from '@deploy-actions/core';
import type { Finding, ParameterResult, VerifyResult } from './verify';

export interface Problem {
  /** Full parameter name, or the task definition variable for wiring problems. */
  readonly name: string;
  readonly reason: string;
}

export interface Outcome {
  /** Full names of required parameters (and task definition references) that do not exist. */
  readonly missing: readonly string[];
  /** Parameters (and task definition wiring) that exist but are wrong. */
  readonly invalid: readonly Problem[];
  readonly warnings: readonly Problem[];
  readonly failed: boolean;
}

function reasonOf(result: ParameterResult): string {
  return result.reasons.join('; ');
}

/** Sorts the results into what fails the step and what only warns. */
export function outcome(result: VerifyResult, failOnWarnings: boolean): Outcome {
  const missing: string[] = [];
  const invalid: Problem[] = [];
  const warnings: Problem[] = [];
  for (const p of result.parameters) {
    if (p.status === 'missing') missing.push(p.fullName);
    else if (p.status === 'invalid') invalid.push({ name: p.fullName, reason: reasonOf(p) });
    else if (p.status === 'warning') warnings.push({ name: p.fullName, reason: reasonOf(p) });
  }
  for (const f of result.findings) {
    const problem = { name: f.parameter ?? f.where, reason: `${f.where}: ${f.message}` };
    if (f.level === 'hint') continue;
    if (f.level === 'warning') warnings.push(problem);
    else {
      if (f.missing !== undefined) missing.push(f.missing);
      invalid.push(problem);
    }
  }
  return {
    missing: [...new Set(missing)],
    invalid,
    warnings,
    failed: missing.length > 0 || invalid.length > 0 || (failOnWarnings && warnings.length > 0),
  };
}

const ICON: Record<ParameterResult['status'], string> = {
  ok: '✅ ok',
  missing: '❌ missing',
  invalid: '❌ invalid',
  warning: '⚠️ warning',
};

const FINDING_ICON: Record<Finding['level'], string> = { error: '❌', warning: '⚠️', hint: '💡' };

/** The job summary: one row per parameter (never a value), then task definition findings. */
export function summaryMarkdown(result: VerifyResult, out: Outcome): string {
  const counts = { ok: 0, missing: 0, invalid: 0, warning: 0 };
  for (const p of result.parameters) counts[p.status]++;
  let text = md.heading(`verify-params: ${result.environment}`);
  text += md.paragraph(
    md.raw(
      `${md.code(result.path)} in ${md.code(result.region)} — ${result.parameters.length} parameters: ` +
        `${counts.ok} ok, ${counts.missing} missing, ${counts.invalid} invalid, ${counts.warning} warnings. ` +
        `${out.failed ? '**Failed.**' : '**Passed.**'}`,
    ),
  );
  text += md.table(
    ['Parameter', 'Type', 'Status', 'Reason'],
    result.parameters.map((p) => [
      md.raw(md.code(p.fullName)),
      p.actualType === undefined ? `(expected ${p.expectedType})` : p.actualType,
      ICON[p.status],
      p.reasons.length > 0 ? reasonOf(p) : p.rule ? `value is ${p.rule}` : 'exists',
    ]),
  );
  if (result.findings.length > 0) {
    text += `\n${md.heading('Task definitions and hints', 4)}`;
    text += md.list(result.findings.map((f: Finding) => `${FINDING_ICON[f.level]} ${f.where}: ${f.message}`));
  }
  return text;
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
      counts: {
        parameters: result.parameters.length,
        missing: out.missing.length,
        invalid: out.invalid.length,
        warnings: out.warnings.length,
      },
      getParametersCalls: result.calls,
      parameters: result.parameters.map((p) => ({
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
