import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  actionCredentials,
  awsClientConfig,
  DeployActionsError,
  redact,
  runAction,
  type ActionIO,
} from '@deploy-actions/core';
import { environment } from '@deploy-actions/manifest';
import {
  countsLine,
  outcome,
  reportJson,
  sdkGetParameters,
  summaryMarkdown,
  verifyParameters,
  type GetParameters,
  type Outcome,
  type Problem,
  type VerifyResult,
} from '@deploy-actions/params';
import { ACTION, readOptions } from './options';

export interface MainDeps {
  /** GetParameters per region; the real SDK client unless a test injects one. */
  readonly getParameters?: (region: string, io: ActionIO) => GetParameters;
}

function sdkFor(region: string, io: ActionIO): GetParameters {
  const config = awsClientConfig({ region, actionName: ACTION, credentials: actionCredentials(io) }, io.env);
  // The SDK is evaluated at the first GetParameters, once the inputs and the manifest have been checked.
  const client = import(/* webpackMode: "eager", webpackExports: ["SSMClient"] */ '@aws-sdk/client-ssm').then(
    ({ SSMClient }) => new SSMClient(config),
  );
  return async (input) => sdkGetParameters(await client)(input);
}

/** At most 10 problems in one sentence: GitHub shows an annotation in a few lines, the rest is in the report. */
function list(problems: readonly Problem[]): string {
  const shown = problems.slice(0, 10).map((p) => `${p.name} (${p.reason})`);
  return `${shown.join('; ')}${problems.length > 10 ? `; and ${problems.length - 10} more` : ''}`;
}

/** GitHub shows the first 10 annotations of each kind per step; the rest of the problems are plain log lines. */
const ANNOTATIONS = 10;

/** Every parameter's line, then the problems as annotations (missing and invalid as errors), then the counts. */
function logResult(io: ActionIO, result: VerifyResult, out: Outcome): void {
  for (const p of result.parameters) {
    const mark = p.status === 'ok' ? '✓' : p.status === 'warning' ? '!' : '✗';
    io.log.info(
      `${mark} ${p.fullName} ${p.actualType ?? ''} ${p.status}${p.reasons.length ? `: ${p.reasons.join('; ')}` : ''}`,
    );
  }
  const shown = { error: 0, warning: 0 };
  for (const p of out.problems) {
    const kind = p.level === 'warning' ? 'warning' : 'error';
    const line = `${p.level}: ${p.name}: ${p.reason}`;
    if (shown[kind]++ < ANNOTATIONS) io.log[kind](line);
    else io.log.info(line);
  }
  for (const f of result.findings) if (f.level === 'hint') io.log.notice(`${f.where}: ${f.message}`);
  io.log.info(`${out.counts.parameters} parameters, ${result.calls} GetParameters calls: ${countsLine(out.counts)}`);
}

export async function main(io: ActionIO, deps: MainDeps = {}): Promise<void> {
  const options = await readOptions(io);
  // Every value masked is also kept here, so files the runner does not mask (report, summary) are redacted too.
  const seen: string[] = [];
  const setSecret = (value: string): void => {
    seen.push(value);
    io.setSecret(value);
  };
  const clients = new Map<string, GetParameters>();
  const getParameters = (region: string): GetParameters => {
    let client = clients.get(region);
    if (!client) {
      client = (deps.getParameters ?? sdkFor)(region, io);
      clients.set(region, client);
    }
    return client;
  };
  const env = environment(options.manifest, options.environment, `input 'environment'`);
  const result = await io.log.group(
    `Checking the parameters of '${options.environment}' under ${env.path} in ${options.region}`,
    () =>
      verifyParameters(
        {
          manifest: options.manifest,
          environment: options.environment,
          region: options.region,
          taskDefinitions: options.taskDefinitions,
          concurrency: options.concurrency,
        },
        { getParameters, setSecret, debug: (m) => io.log.debug(m) },
      ),
  );
  const out = outcome(result, options.failOnWarnings);
  logResult(io, result, out);

  const reportDir = io.env['RUNNER_TEMP'] ?? tmpdir();
  await mkdir(reportDir, { recursive: true });
  const reportPath = path.join(reportDir, `verify-params-${options.environment.replace(/[^A-Za-z0-9_.-]/g, '_')}.json`);
  await writeFile(reportPath, redact(reportJson(result, out), seen));
  io.setOutput('missing', redact(JSON.stringify(out.missing), seen));
  io.setOutput('invalid', redact(JSON.stringify(out.invalid), seen));
  io.setOutput('warnings', redact(JSON.stringify(out.warnings), seen));
  io.setOutput('report', reportPath);
  await io.writeSummary(redact(summaryMarkdown(result, out, path.basename(reportPath)), seen));

  if (out.failed) {
    const { counts } = out;
    const more = (n: number): string => (n > 10 ? `, and ${n - 10} more` : '');
    const parts: string[] = [];
    if (counts.missing > 0)
      parts.push(`${counts.missing} missing: ${out.missing.slice(0, 10).join(', ')}${more(counts.missing)}`);
    if (counts.invalid > 0) parts.push(`${counts.invalid} invalid: ${list(out.invalid)}`);
    if (options.failOnWarnings && counts.warnings > 0) {
      parts.push(`${counts.warnings} warnings (fail-on-warnings is true): ${list(out.warnings)}`);
    }
    const hint = result.findings.find((f) => f.level === 'hint');
    throw new DeployActionsError(
      redact(`${parts.join('. ')}${hint ? `. ${hint.message}` : ''} (report: ${reportPath})`, seen),
    );
  }
}

export function run(io?: ActionIO, deps?: MainDeps): Promise<void> {
  return runAction(ACTION, (actionIO) => main(actionIO, deps), io);
}
