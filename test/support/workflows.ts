/**
 * Reading our workflow files: the reusable workflows, the manual deploy, and the example callers. Used by the
 * workflow contract test and by the demo, which takes the steps it runs (which action, with which inputs)
 * from these files instead of repeating them, so the demo cannot drift from what users run.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseOutputFile, REPO_ROOT } from '@deploy-actions/testing';
import { interpolate, expressionsIn, propertyPaths, type EvaluationContext, type Value } from './expressions';

/** Where users get the suite from: `eLearning-Plus/deploy-actions/...@v1`. */
export const SUITE_REPOSITORY = 'eLearning-Plus/deploy-actions';

export interface InputSpec {
  readonly description?: string;
  readonly type?: string;
  readonly required?: boolean;
  readonly default?: unknown;
  readonly options?: readonly string[];
}

export interface OutputSpec {
  readonly description?: string;
  readonly value?: string;
}

export interface Step {
  readonly id?: string;
  readonly name?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly if?: string | boolean;
  readonly with?: Record<string, unknown>;
  readonly env?: Record<string, unknown>;
  readonly shell?: string;
  readonly 'working-directory'?: string;
}

export interface Job {
  readonly name?: string;
  readonly needs?: string | readonly string[];
  readonly if?: string | boolean;
  readonly uses?: string;
  readonly with?: Record<string, unknown>;
  readonly steps?: readonly Step[];
  readonly outputs?: Record<string, string>;
  readonly environment?: unknown;
  readonly permissions?: unknown;
  readonly concurrency?: unknown;
}

export interface Workflow {
  /** Path relative to the repository root, e.g. `.github/workflows/deploy-api.yml`. */
  readonly file: string;
  readonly name?: string;
  readonly on: Record<string, unknown>;
  readonly jobs: Record<string, Job>;
  readonly permissions?: unknown;
}

export interface ActionMetadata {
  readonly name: string;
  readonly inputs: Record<string, InputSpec>;
  readonly outputs: Record<string, OutputSpec>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Every workflow we ship or show: `.github/workflows/*.yml` and `examples/<repo>/.github/workflows/*.yml`. */
export function workflowFiles(root: string = REPO_ROOT): string[] {
  const files: string[] = [];
  const add = (dir: string): void => {
    const abs = path.join(root, dir);
    if (!existsSync(abs)) return;
    for (const f of readdirSync(abs).sort()) if (/\.ya?ml$/.test(f)) files.push(path.posix.join(dir, f));
  };
  add('.github/workflows');
  const examples = path.join(root, 'examples');
  if (existsSync(examples)) {
    for (const repo of readdirSync(examples).sort()) add(path.posix.join('examples', repo, '.github/workflows'));
  }
  return files;
}

/** Parses a workflow document (YAML 1.2: the `on` key stays a string). */
export function parseWorkflow(file: string, text: string): Workflow {
  const doc: unknown = parseYaml(text);
  if (!isRecord(doc)) throw new Error(`${file}: not a YAML mapping`);
  const on = doc['on'];
  const triggers: Record<string, unknown> =
    typeof on === 'string'
      ? { [on]: null }
      : Array.isArray(on)
        ? Object.fromEntries(on.map((t) => [String(t), null]))
        : isRecord(on)
          ? on
          : {};
  const jobs = isRecord(doc['jobs']) ? (doc['jobs'] as Record<string, Job>) : {};
  return {
    file,
    on: triggers,
    jobs,
    ...(typeof doc['name'] === 'string' ? { name: doc['name'] } : {}),
    ...(doc['permissions'] !== undefined ? { permissions: doc['permissions'] } : {}),
  };
}

export function loadWorkflow(file: string, root: string = REPO_ROOT): Workflow {
  return parseWorkflow(file, readFileSync(path.join(root, file), 'utf8'));
}

function triggerInputs(on: Record<string, unknown>, trigger: string): Record<string, InputSpec> {
  const t = on[trigger];
  return isRecord(t) && isRecord(t['inputs']) ? (t['inputs'] as Record<string, InputSpec>) : {};
}

/** Inputs a workflow accepts: those of `workflow_call` and `workflow_dispatch` together (both fill `inputs`). */
export function workflowInputs(workflow: Workflow): Record<string, InputSpec> {
  return { ...triggerInputs(workflow.on, 'workflow_dispatch'), ...triggerInputs(workflow.on, 'workflow_call') };
}

/** Inputs a caller may pass with `jobs.<id>.with` (workflow_call only). */
export function callInputs(workflow: Workflow): Record<string, InputSpec> {
  return triggerInputs(workflow.on, 'workflow_call');
}

export function callOutputs(workflow: Workflow): Record<string, OutputSpec> {
  const t = workflow.on['workflow_call'];
  return isRecord(t) && isRecord(t['outputs']) ? (t['outputs'] as Record<string, OutputSpec>) : {};
}

export function needsOf(job: Job): string[] {
  if (job.needs === undefined) return [];
  return typeof job.needs === 'string' ? [job.needs] : [...job.needs];
}

const SUITE = SUITE_REPOSITORY.toLowerCase();

/** The name of our action a `uses:` refers to (`$/actions/x`, `./actions/x`, `<suite>/actions/x@ref`). */
export function localAction(uses: string): string | undefined {
  const self = /^(?:\$|\.)\/actions\/([a-z0-9-]+)\/?$/.exec(uses);
  if (self?.[1] !== undefined) return self[1];
  const remote = /^([^/]+\/[^/]+)\/actions\/([a-z0-9-]+)@.+$/.exec(uses);
  return remote?.[1]?.toLowerCase() === SUITE ? remote[2] : undefined;
}

/** The repository path of our reusable workflow a job's `uses:` calls, if it is one of ours. */
export function localWorkflow(uses: string): string | undefined {
  const self = /^(?:\$|\.)\/(\.github\/workflows\/[A-Za-z0-9._-]+\.ya?ml)$/.exec(uses);
  if (self?.[1] !== undefined) return self[1];
  const remote = /^([^/]+\/[^/]+)\/(\.github\/workflows\/[A-Za-z0-9._-]+\.ya?ml)@.+$/.exec(uses);
  return remote?.[1]?.toLowerCase() === SUITE ? remote[2] : undefined;
}

/** `actions/<name>/action.yml`, or undefined when the action does not exist (yet). */
export function loadAction(name: string, root: string = REPO_ROOT): ActionMetadata | undefined {
  const file = path.join(root, 'actions', name, 'action.yml');
  if (!existsSync(file)) return undefined;
  const doc: unknown = parseYaml(readFileSync(file, 'utf8'));
  const meta = isRecord(doc) ? doc : {};
  return {
    name,
    inputs: isRecord(meta['inputs']) ? (meta['inputs'] as Record<string, InputSpec>) : {},
    outputs: isRecord(meta['outputs']) ? (meta['outputs'] as Record<string, OutputSpec>) : {},
  };
}

/** Inputs that must be given: required and without a default. */
export function requiredInputs(inputs: Record<string, InputSpec>): string[] {
  return Object.entries(inputs)
    .filter(([, spec]) => spec.required === true && (spec.default === undefined || spec.default === null))
    .map(([name]) => name);
}

/** A step of one of our workflows that runs one of our actions. */
export interface ActionStep {
  readonly workflow: string;
  readonly job: string;
  readonly index: number;
  readonly id?: string;
  readonly name?: string;
  readonly action: string;
  readonly if?: string | boolean;
  /** The `with:` values as written, expressions unevaluated (YAML scalars turned into text). */
  readonly with: Record<string, string>;
}

/** The steps of a workflow (or of one job) that run our actions, in order. */
export function actionSteps(workflow: Workflow, jobId?: string): ActionStep[] {
  const result: ActionStep[] = [];
  for (const [job, spec] of Object.entries(workflow.jobs)) {
    if (jobId !== undefined && job !== jobId) continue;
    (spec.steps ?? []).forEach((step, index) => {
      const action = step.uses === undefined ? undefined : localAction(step.uses);
      if (action === undefined) return;
      const withs = Object.fromEntries(Object.entries(step.with ?? {}).map(([k, v]) => [k, scalarText(v)]));
      result.push({
        workflow: workflow.file,
        job,
        index,
        action,
        with: withs,
        ...(step.id !== undefined ? { id: step.id } : {}),
        ...(step.name !== undefined ? { name: step.name } : {}),
        ...(step.if !== undefined ? { if: step.if } : {}),
      });
    });
  }
  return result;
}

function scalarText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/**
 * The inputs a step's action receives, as the runner computes them: every `${{ }}` evaluated against the
 * given contexts (inputs, steps, vars, runner, github...), missing values becoming ''.
 */
export function stepInputs(step: ActionStep, context: EvaluationContext): Record<string, string> {
  return Object.fromEntries(Object.entries(step.with).map(([k, v]) => [k, interpolate(v, context)]));
}

/** Applies a workflow input's default the way GitHub fills the `inputs` context. */
export function inputsWithDefaults(workflow: Workflow, given: Record<string, Value>): Record<string, Value> {
  const result: Record<string, Value> = {};
  for (const [name, spec] of Object.entries(workflowInputs(workflow))) {
    const value = given[name];
    if (value !== undefined) result[name] = value;
    else if (spec.default !== undefined) result[name] = spec.default as Value;
    else result[name] = spec.type === 'boolean' ? false : '';
  }
  for (const name of Object.keys(given)) {
    if (!(name in result)) throw new Error(`${workflow.file}: '${name}' is not an input of this workflow`);
  }
  return result;
}

/** Every `${{ }}` expression in a value, with where it is (e.g. `jobs.deploy.steps[3].with.image`). */
export function expressionSites(value: unknown, where: string): { where: string; expression: string }[] {
  if (typeof value === 'string') {
    // `if:` is an expression even without `${{ }}`.
    if (where.endsWith('.if') && !value.includes('${{')) return [{ where, expression: value.trim() }];
    return expressionsIn(value).map((expression) => ({ where, expression }));
  }
  if (Array.isArray(value)) return value.flatMap((v, i) => expressionSites(v, `${where}[${i}]`));
  if (isRecord(value)) return Object.entries(value).flatMap(([k, v]) => expressionSites(v, `${where}.${k}`));
  return [];
}

/** Loaders the contract check uses; tests replace them to feed synthetic actions and workflows. */
export interface ContractSources {
  action(name: string): ActionMetadata | undefined;
  workflow(file: string): Workflow | undefined;
}

export const repositorySources: ContractSources = {
  action: (name) => loadAction(name),
  workflow: (file) => (existsSync(path.join(REPO_ROOT, file)) ? loadWorkflow(file) : undefined),
};

const list = (names: Iterable<string>): string => [...names].join(', ') || 'none';

/**
 * The workflow contract: each step using one of our actions passes only inputs its action.yml declares and
 * every required one; each job calling one of our reusable workflows does the same against its
 * `workflow_call` inputs; `steps.<id>.outputs.<x>` names an earlier step of the job and an output it has;
 * `inputs.<x>` is an input of the workflow; `needs.<job>.outputs.<x>` names a job in `needs` and an output
 * that job declares; `jobs.<job>.outputs.<x>` in workflow_call outputs names a declared job output.
 * Returns one message per problem, empty when the workflow keeps the contract.
 */
export function checkWorkflowContract(workflow: Workflow, sources: ContractSources = repositorySources): string[] {
  const problems: string[] = [];
  const report = (where: string, message: string): void => {
    problems.push(`${workflow.file}: ${where}: ${message}`);
  };
  const inputs = workflowInputs(workflow);

  const checkWith = (
    where: string,
    given: Record<string, unknown> | undefined,
    declared: Record<string, InputSpec>,
    target: string,
  ): void => {
    for (const key of Object.keys(given ?? {})) {
      if (!(key in declared))
        report(where, `with.${key} is not an input of ${target} (inputs: ${list(Object.keys(declared))})`);
    }
    for (const key of requiredInputs(declared)) {
      if (!(key in (given ?? {}))) report(where, `required input '${key}' of ${target} is not given`);
    }
  };

  // Outputs a job makes available to `needs.<job>.outputs`.
  const jobOutputs = (job: Job): Record<string, unknown> | undefined => {
    if (job.uses !== undefined) {
      const file = localWorkflow(job.uses);
      if (file === undefined) return undefined; // someone else's workflow: not ours to check
      const called = sources.workflow(file);
      return called === undefined ? {} : callOutputs(called);
    }
    return job.outputs ?? {};
  };

  const checkPaths = (
    where: string,
    expression: string,
    jobId: string | undefined,
    stepScope: Map<string, Step> | undefined,
  ): void => {
    let paths: string[][];
    try {
      paths = propertyPaths(expression);
    } catch (error) {
      report(where, (error as Error).message);
      return;
    }
    for (const p of paths) {
      const [head, a, b, c] = p;
      if (head === 'inputs' && a !== undefined && !(a in inputs)) {
        report(where, `inputs.${a} is not an input of this workflow (inputs: ${list(Object.keys(inputs))})`);
      }
      if (head === 'needs' && a !== undefined && jobId !== undefined) {
        const job = workflow.jobs[jobId];
        if (job === undefined || !needsOf(job).includes(a)) {
          report(where, `needs.${a} is not in jobs.${jobId}.needs (${list(job ? needsOf(job) : [])})`);
        } else if (b === 'outputs' && c !== undefined) {
          const target = workflow.jobs[a];
          const outputs = target === undefined ? {} : jobOutputs(target);
          if (outputs !== undefined && !(c in outputs)) {
            report(
              where,
              `needs.${a}.outputs.${c} is not an output of job '${a}' (outputs: ${list(Object.keys(outputs))})`,
            );
          }
        }
      }
      if (head === 'jobs' && a !== undefined && b === 'outputs' && c !== undefined) {
        const target = workflow.jobs[a];
        if (target === undefined) report(where, `jobs.${a} does not exist`);
        else if (!(c in (target.outputs ?? {}))) {
          report(
            where,
            `jobs.${a}.outputs.${c} is not an output of job '${a}' (outputs: ${list(Object.keys(target.outputs ?? {}))})`,
          );
        }
      }
      if (head === 'steps' && a !== undefined) {
        const step = stepScope?.get(a);
        if (stepScope === undefined) report(where, `steps.${a} is used outside a job's steps`);
        else if (step === undefined)
          report(where, `steps.${a} is not an earlier step of this job (ids: ${list(stepScope.keys())})`);
        else if (b === 'outputs' && c !== undefined) {
          const action = step.uses === undefined ? undefined : localAction(step.uses);
          if (action !== undefined) {
            const meta = sources.action(action);
            if (meta !== undefined && !(c in meta.outputs)) {
              report(
                where,
                `steps.${a}.outputs.${c} is not an output of actions/${action} (outputs: ${list(Object.keys(meta.outputs))})`,
              );
            }
          } else if (
            step.run !== undefined &&
            !new RegExp(`(^|[\\s"'{])${c.replace(/[-]/g, '\\-')}=`, 'm').test(step.run)
          ) {
            report(where, `steps.${a}.outputs.${c}: the script of step '${a}' never writes '${c}=' to GITHUB_OUTPUT`);
          }
        }
      }
    }
  };

  // Expressions outside jobs: workflow_call outputs (jobs.<id>.outputs), run-name, env, concurrency.
  for (const site of expressionSites(workflow.on, 'on')) checkPaths(site.where, site.expression, undefined, undefined);

  for (const [jobId, job] of Object.entries(workflow.jobs)) {
    const jobWhere = `jobs.${jobId}`;
    for (const need of needsOf(job)) {
      if (!(need in workflow.jobs)) report(jobWhere, `needs '${need}', which is not a job of this workflow`);
    }
    if (job.uses !== undefined) {
      const file = localWorkflow(job.uses);
      if (file !== undefined) {
        const called = sources.workflow(file);
        if (called === undefined) report(jobWhere, `calls ${file}, which does not exist`);
        else checkWith(jobWhere, job.with, callInputs(called), file);
      }
    }
    const { steps = [], outputs, ...rest } = job;
    for (const site of expressionSites(rest, jobWhere)) checkPaths(site.where, site.expression, jobId, undefined);

    const earlier = new Map<string, Step>();
    const all = new Map<string, Step>();
    steps.forEach((step) => {
      if (step.id !== undefined) {
        if (all.has(step.id)) report(jobWhere, `step id '${step.id}' is used twice`);
        all.set(step.id, step);
      }
    });
    steps.forEach((step, index) => {
      const where = `${jobWhere}.steps[${index}]${step.id !== undefined ? ` (${step.id})` : step.name !== undefined ? ` (${step.name})` : ''}`;
      const action = step.uses === undefined ? undefined : localAction(step.uses);
      if (action !== undefined) {
        const meta = sources.action(action);
        if (meta === undefined) report(where, `uses actions/${action}, which has no action.yml`);
        else checkWith(where, step.with, meta.inputs, `actions/${action}`);
      }
      for (const site of expressionSites(step, where)) checkPaths(site.where, site.expression, jobId, earlier);
      if (step.id !== undefined) earlier.set(step.id, step);
    });
    // Job outputs are read after every step ran.
    for (const site of expressionSites(outputs ?? {}, `${jobWhere}.outputs`))
      checkPaths(site.where, site.expression, jobId, all);
  }
  return problems;
}

/** What a `run:` step did: exit code, output streams, and what it wrote to GITHUB_OUTPUT / the summary. */
export interface ScriptRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly outputs: Record<string, string>;
  readonly summary: string;
}

/**
 * Runs one `run:` step of a workflow the way the runner does on Linux: its `env:` evaluated against the given
 * contexts, `bash -e` (or `bash --noprofile --norc -eo pipefail` for `shell: bash`), GITHUB_OUTPUT and
 * GITHUB_STEP_SUMMARY files, in `working-directory` relative to `cwd`. `processEnv` adds what the runner
 * or earlier steps put in the environment (PATH, AWS_* ...).
 */
export async function runScriptStep(
  workflow: Workflow,
  job: string,
  step: string,
  context: EvaluationContext,
  options: { cwd?: string; processEnv?: Record<string, string> } = {},
): Promise<ScriptRun> {
  const spec = workflow.jobs[job]?.steps?.find((s) => s.id === step || s.name === step);
  if (spec?.run === undefined) throw new Error(`${workflow.file}: jobs.${job} has no run step '${step}'`);
  const shell = spec.shell;
  const dir = mkdtempSync(path.join(tmpdir(), 'run-step-'));
  try {
    const script = path.join(dir, 'step.sh');
    writeFileSync(script, interpolate(spec.run, context));
    const outputFile = path.join(dir, 'output');
    const summaryFile = path.join(dir, 'summary');
    writeFileSync(outputFile, '');
    writeFileSync(summaryFile, '');
    const env: Record<string, string> = {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      HOME: process.env['HOME'] ?? dir,
      ...options.processEnv,
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile,
    };
    for (const [name, value] of Object.entries(spec.env ?? {})) env[name] = interpolate(scalarText(value), context);
    const workingDirectory = spec['working-directory'];
    const cwd = path.resolve(
      options.cwd ?? REPO_ROOT,
      workingDirectory === undefined ? '.' : interpolate(workingDirectory, context),
    );
    const args = shell === 'bash' ? ['--noprofile', '--norc', '-eo', 'pipefail', script] : ['-e', script];
    // Asynchronous on purpose: an in-process server (the rollout simulator) must keep answering meanwhile.
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn('bash', args, { cwd, env });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    return {
      code: result.code,
      stdout: result.stdout,
      stderr: result.stderr,
      outputs: parseOutputFile(readFileSync(outputFile, 'utf8')),
      summary: readFileSync(summaryFile, 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
