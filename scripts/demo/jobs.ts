/**
 * Runs the jobs of our workflow files locally, the way the runner would: steps in order, `if:` conditions
 * and `with:`/`env:` expressions evaluated against the workflow's inputs, `vars`, `needs`, `matrix`, the
 * runner context and earlier steps' outputs. Steps that use one of our actions (`$/actions/<name>`) run the
 * BUNDLED action through runBundle, exactly as the runner invokes it. Plain `run:` scripts run in bash.
 * Everything else (checkout, setup-node, OIDC credentials, artifacts, scripts that call the AWS CLI) is
 * simulated by a named handler that says what it stands in for; a step without one stops the demo, so the
 * demo notices when a workflow changes under it.
 */
import { mkdtemp } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { errorMessage, redact } from '@deploy-actions/core';
import { REPO_ROOT, runBundle, type RunResult } from '@deploy-actions/testing';
import { condition, evaluate, interpolate, type EvaluationContext, type Value } from '../../test/support/expressions';
import {
  inputsWithDefaults,
  loadAction,
  localAction,
  runScriptStep,
  type Job,
  type Step,
  type Workflow,
} from '../../test/support/workflows';
import { dim, green, red, renderMarkdown, yellow } from './terminal';

export type Outcome = 'success' | 'failure' | 'skipped';

export interface StepRecord {
  readonly id: string | undefined;
  readonly name: string;
  /** `actions/<name>` for our actions, `run` for scripts, `simulated` for stand-ins. */
  readonly kind: 'action' | 'run' | 'simulated';
  readonly action?: string;
  readonly outcome: Outcome;
  readonly outputs: Record<string, string>;
  readonly inputs?: Record<string, string>;
  readonly summary?: string;
  /** What the step printed (runner-visible lines, masks applied), for failures and checks. */
  readonly log: string;
}

export interface JobRecord {
  readonly workflow: string;
  readonly job: string;
  readonly title: string;
  readonly result: Outcome;
  readonly outputs: Record<string, string>;
  readonly steps: readonly StepRecord[];
}

/** What a simulated step sees and can do. */
export interface SimulationContext {
  readonly step: Step;
  /** The step's `with:` and `env:` with expressions evaluated. */
  readonly with: Record<string, string>;
  readonly env: Record<string, string>;
  readonly job: JobState;
  readonly contexts: Record<string, Value>;
}

export interface Simulation {
  /** One line saying what the real step does and what the demo does instead. */
  readonly note: string;
  readonly run: (ctx: SimulationContext) => Promise<Record<string, string>>;
}

/** Picks the stand-in for a step that is neither one of our actions nor a bash-only script. */
export type Simulator = (step: Step) => Simulation | undefined;

export interface JobState {
  /** Environment every later step gets (credentials once "configure-aws-credentials" ran). */
  readonly env: Record<string, string>;
  readonly workspace: string;
  readonly runnerTemp: string;
}

export interface JobOptions {
  readonly workflow: Workflow;
  readonly job: string;
  readonly inputs: Record<string, Value>;
  readonly vars: Record<string, string>;
  readonly needs?: Record<string, { result: Outcome; outputs: Record<string, string> }>;
  readonly matrix?: Record<string, Value>;
  /** The checked-out caller repository (GITHUB_WORKSPACE). */
  readonly workspace: string;
  readonly repository: string;
  readonly sha: string;
  readonly simulate: Simulator;
  /**
   * Inputs the demo must change because it runs on 127.0.0.1 (by step id): printed next to the step, so the
   * difference from the workflow file is never hidden.
   */
  readonly overrides?: Record<string, { readonly inputs: Record<string, string>; readonly why: string }>;
  /** Values the runner would mask (seeded secrets): replaced by *** in everything printed. */
  readonly secrets: readonly string[];
  readonly print: Printer;
}

/** Prints a line; --quiet leaves out `detail` lines (summaries, script output) but never `important` ones. */
export type Printer = (line: string, kind?: 'detail' | 'important') => void;

/** The first thing a failed step said (its first error annotation, else its last line), for reports. */
export function failureReason(step: StepRecord): string {
  const first = annotations(step.log)[0] ?? step.log.trim().split('\n').pop() ?? '';
  return first.split('\n')[0] ?? '';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function text(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

function evaluateMap(map: Record<string, unknown> | undefined, ctx: EvaluationContext): Record<string, string> {
  return Object.fromEntries(Object.entries(map ?? {}).map(([k, v]) => [k, interpolate(text(v), ctx)]));
}

const maskAll = (values: Record<string, string>, secrets: readonly string[]): Record<string, string> =>
  Object.fromEntries(Object.entries(values).map(([k, v]) => [k, redact(v, secrets)]));

/** Lines a user would notice in a step's log: errors and warnings (`all`: every line, commands rendered). */
function annotations(log: string, all = false): string[] {
  return log
    .split('\n')
    .filter((l) => all || /^::(error|warning)/.test(l))
    .map((l) => l.replace(/^::(error|warning)[^:]*::/, (_, kind: string) => `${kind}: `).replace(/%0A/g, '\n    '));
}

export async function runJob(options: JobOptions): Promise<JobRecord> {
  const { workflow, job: jobId, secrets } = options;
  // Everything printed is masked, as the runner masks its log.
  const print: Printer = (line, kind) => options.print(redact(line, secrets), kind);
  const job: Job | undefined = workflow.jobs[jobId];
  if (job === undefined) throw new Error(`${workflow.file} has no job '${jobId}'`);
  const runnerTemp = await mkdtemp(path.join(tmpdir(), `runner-${jobId}-`));
  const inputs = inputsWithDefaults(workflow, options.inputs);
  const steps: Record<string, { outputs: Record<string, string>; outcome: Outcome; conclusion: Outcome }> = {};
  const contexts = (): Record<string, Value> => ({
    inputs,
    vars: options.vars,
    needs: Object.fromEntries(
      Object.entries(options.needs ?? {}).map(([k, v]) => [k, { result: v.result, outputs: v.outputs }]),
    ),
    matrix: options.matrix ?? {},
    steps,
    runner: { temp: runnerTemp, os: 'Linux', arch: 'X64' },
    github: {
      run_id: '4242',
      sha: options.sha,
      repository: options.repository,
      workspace: options.workspace,
      ref: 'refs/heads/main',
    },
    env: {},
  });
  const title = interpolate(job.name ?? jobId, { contexts: contexts() });
  const record = (result: Outcome, stepRecords: StepRecord[], outputs: Record<string, string> = {}): JobRecord => ({
    workflow: workflow.file,
    job: jobId,
    title,
    result,
    outputs,
    steps: stepRecords,
  });

  // What the demo does not implement must stop it rather than be ignored.
  for (const key of ['env', 'defaults', 'container', 'services']) {
    if (key in job) throw new Error(`${workflow.file}: the demo does not implement jobs.${jobId}.${key}`);
  }
  for (const step of job.steps ?? []) {
    const extra = ['continue-on-error', 'timeout-minutes'].filter((k) => k in step);
    if (step.shell !== undefined && step.shell !== 'bash') extra.push(`shell: ${step.shell}`);
    if (extra.length > 0) {
      throw new Error(
        `${workflow.file}: the demo does not implement ${extra.join(', ')} (step '${step.name ?? step.id}')`,
      );
    }
  }
  if (!condition(job.if, { contexts: contexts() })) {
    print(`  ${dim(`○ job '${title}' skipped (if: ${text(job.if)})`)}`);
    return record('skipped', []);
  }
  print(`  ${dim(`${workflow.file} → jobs.${jobId}`)}${title === jobId ? '' : `: ${title}`}`);
  const state: JobState = {
    env: {
      GITHUB_REPOSITORY: options.repository,
      GITHUB_SHA: options.sha,
      GITHUB_RUN_ID: '4242',
      GITHUB_WORKSPACE: options.workspace,
      RUNNER_TEMP: runnerTemp,
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      HOME: process.env['HOME'] ?? runnerTemp,
    },
    workspace: options.workspace,
    runnerTemp,
  };
  const records: StepRecord[] = [];
  let status: 'success' | 'failure' = 'success';

  for (const [index, step] of (job.steps ?? []).entries()) {
    const ctx: EvaluationContext = { contexts: contexts(), status };
    const name = redact(
      interpolate(step.name ?? step.uses ?? step.run?.split('\n')[0] ?? `step ${index + 1}`, ctx),
      secrets,
    );
    const id = step.id;
    if (!condition(step.if, ctx)) {
      // Without a status function, a failed job skips the step whatever its `if:` says.
      const ownCondition = step.if !== undefined && /\b(always|failure|cancelled|success)\s*\(/.test(text(step.if));
      const why = status === 'failure' && !ownCondition ? 'an earlier step failed' : `if: ${text(step.if)} is false`;
      print(`    ${dim(`○ ${name} (skipped: ${why})`)}`);
      if (id !== undefined) steps[id] = { outputs: {}, outcome: 'skipped', conclusion: 'skipped' };
      records.push({ id, name, kind: 'simulated', outcome: 'skipped', outputs: {}, log: '' });
      continue;
    }
    const started = Date.now();
    const seconds = (): string => dim(`${((Date.now() - started) / 1000).toFixed(1)}s`);
    const withs = evaluateMap(step.with, ctx);
    const env = evaluateMap(step.env, ctx);
    const action = step.uses === undefined ? undefined : localAction(step.uses);
    let outcome: Outcome = 'success';
    let outputs: Record<string, string> = {};
    let summary: string | undefined;
    let log = '';
    let kind: StepRecord['kind'];

    if (action !== undefined) {
      kind = 'action';
      const override = id === undefined ? undefined : options.overrides?.[id];
      const stepInputs = { ...withs, ...(override?.inputs ?? {}) };
      const dist = path.join(REPO_ROOT, 'actions', action, 'dist', 'index.js');
      // An override may only set what the action declares: a renamed input must not be papered over.
      const declared = loadAction(action)?.inputs ?? {};
      const undeclared = Object.keys(override?.inputs ?? {}).filter((k) => !(k in declared));
      let result: RunResult | undefined;
      if (undeclared.length > 0) {
        log = `the demo overrides ${undeclared.join(', ')}, which actions/${action}/action.yml does not declare`;
      } else if (!existsSync(dist)) {
        log = `actions/${action}/dist/index.js does not exist: the action is not built (node scripts/build.mjs ${action})`;
      } else {
        result = await runBundle(action, {
          inputs: stepInputs,
          env: { ...state.env, ...env },
          workspace: options.workspace,
        });
        const visible = redact(result.visible + (result.stderr ? `\n${result.stderr}` : ''), [
          ...secrets,
          ...result.masked,
        ]);
        log = visible;
        outputs = result.outputs;
        summary = redact(result.summary, [...secrets, ...result.masked]);
      }
      outcome = result?.code === 0 ? 'success' : 'failure';
      const mark = outcome === 'success' ? green('✓') : red('✗');
      print(`    ${mark} ${name}  ${dim(`actions/${action} (bundle)`)}  ${seconds()}`);
      if (override !== undefined) {
        const list = Object.entries(override.inputs)
          .map(([k, v]) => `${k}=${v}`)
          .join(', ');
        print(`      ${yellow('demo override:')} ${list}`, 'detail');
        print(`      ${dim(`(${override.why})`)}`, 'detail');
      }
      if (outcome === 'failure') {
        const notes = annotations(log);
        for (const line of notes.length > 0 ? notes : log.trim().split('\n').slice(-15))
          print(`      ${red(line)}`, 'important');
      }
      if (summary !== undefined && summary.trim() !== '')
        for (const line of renderMarkdown(summary, '      '))
          print(line, outcome === 'failure' ? 'important' : 'detail');
      records.push({
        id,
        name,
        kind,
        action,
        outcome,
        outputs: maskAll(outputs, secrets),
        inputs: maskAll(stepInputs, secrets),
        ...(summary !== undefined ? { summary } : {}),
        log,
      });
    } else {
      const simulation = options.simulate(step);
      if (simulation !== undefined) {
        kind = 'simulated';
        try {
          outputs = await simulation.run({ step, with: withs, env, job: state, contexts: ctx.contexts });
        } catch (error) {
          outcome = 'failure';
          log = redact(errorMessage(error), secrets);
        }
        const mark = outcome === 'success' ? green('✓') : red('✗');
        print(`    ${mark} ${name}  ${dim(`simulated: ${simulation.note}`)}  ${seconds()}`);
        if (outcome === 'failure') print(`      ${red(log)}`, 'important');
      } else if (step.run !== undefined) {
        kind = 'run';
        // The runner's semantics (shell, `${{ }}` in the script, env, working-directory, GITHUB_OUTPUT)
        // come from the workflow helpers' runScriptStep.
        const result = await runScriptStep(workflow, jobId, id ?? step.name ?? '', ctx, {
          cwd: options.workspace,
          processEnv: state.env,
        });
        outcome = result.code === 0 ? 'success' : 'failure';
        outputs = result.outputs;
        log = redact(`${result.stdout}${result.stderr}`, secrets);
        const mark = outcome === 'success' ? green('✓') : red('✗');
        print(`    ${mark} ${name}  ${dim('run: bash')}  ${seconds()}`);
        const shown = annotations(log.trim(), true).filter((l) => l.trim() !== '' && !/^npm (warn|notice)/.test(l));
        for (const line of shown.slice(-6)) {
          print(
            `      ${outcome === 'failure' ? red(line) : dim(line)}`,
            outcome === 'failure' ? 'important' : 'detail',
          );
        }
      } else {
        kind = 'simulated';
        outcome = 'failure';
        log = `the demo has no stand-in for '${step.uses ?? name}': teach scripts/demo/pipelines.ts how to simulate it`;
        print(`    ${red('✗')} ${name}  ${red(log)}`);
      }
      records.push({ id, name, kind, outcome, outputs: maskAll(outputs, secrets), log });
    }
    if (id !== undefined) steps[id] = { outputs, outcome, conclusion: outcome };
    if (outcome === 'failure') status = 'failure';
  }

  const final: EvaluationContext = { contexts: contexts(), status };
  // Later steps see real outputs; what leaves the job (and every record) is masked, as the runner does.
  const jobOutputs = maskAll(evaluateMap(job.outputs, final), secrets);
  const result: Outcome = status === 'success' ? 'success' : 'failure';
  return record(result, records, jobOutputs);
}

/** Matrix values of a job whose strategy.matrix has one dimension given as a list or a `${{ }}` expression. */
export function matrixOf(job: Job, contexts: Record<string, Value>): { key: string; values: Value[] } | undefined {
  const strategy = (job as { strategy?: unknown }).strategy;
  if (!isRecord(strategy) || !isRecord(strategy['matrix'])) return undefined;
  const entries = Object.entries(strategy['matrix']);
  if (entries.length !== 1) throw new Error('the demo runs one-dimensional matrices only');
  const [key, raw] = entries[0] ?? ['', null];
  if (Array.isArray(raw)) return { key, values: raw as Value[] };
  const whole = /^\$\{\{([\s\S]*)\}\}$/.exec(text(raw).trim());
  const value = evaluate(whole?.[1]?.trim() ?? text(raw), { contexts });
  if (!Array.isArray(value)) throw new Error(`matrix.${key} is not a list`);
  return { key, values: value };
}
