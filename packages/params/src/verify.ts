import { maskSecret, type SetSecret } from '@deploy-actions/core';
import {
  checkFormat,
  describeRule,
  environment as lookupEnvironment,
  parameterName,
  parametersFor,
  parseParameterReference,
  type Manifest,
  type ManifestParameter,
} from '@deploy-actions/manifest';
import { getParametersWithRetry, type GetParameters } from './ssm';
import type { TaskDefinitionRefs } from './taskdefs';

/** GetParameters accepts at most 10 names per call. */
export const BATCH_SIZE = 10;

export type Status = 'ok' | 'missing' | 'invalid' | 'warning';

export interface ParameterResult {
  /** Name in the manifest, e.g. SMTP_PORT. */
  readonly name: string;
  /** Full SSM name, e.g. /learning-platform/production/SMTP_PORT. */
  readonly fullName: string;
  readonly expectedType: string;
  /** Type found in Parameter Store; undefined when missing. */
  actualType: string | undefined;
  readonly required: boolean;
  readonly secret: boolean;
  /** The value rule, in words; undefined when the parameter only has to exist. */
  readonly rule: string | undefined;
  /** Whether the value itself was checked (rules and the non-empty check need a readable value). */
  valueChecked: boolean;
  status: Status;
  readonly reasons: string[];
}

/** A problem that is not about one manifest parameter's own state (task definition wiring, global hints). */
export interface Finding {
  /** A hint explains other problems and does not count on its own. */
  readonly level: 'error' | 'warning' | 'hint';
  /** Where: a file and container, or the environment. */
  readonly where: string;
  /** The parameter (full name or variable) concerned, if any. */
  readonly parameter?: string;
  /** Set when the finding is a referenced parameter that does not exist: its full name. */
  readonly missing?: string;
  readonly message: string;
}

export interface VerifyResult {
  readonly manifestFile: string;
  readonly environment: string;
  readonly path: string;
  readonly region: string;
  readonly parameters: readonly ParameterResult[];
  readonly findings: readonly Finding[];
  /** GetParameters calls made (not counting throttling retries). */
  readonly calls: number;
  /** SecureString parameters read decrypted: exactly those with a value rule. */
  readonly decrypted: number;
}

export interface VerifyOptions {
  readonly manifest: Manifest;
  readonly environment: string;
  readonly region: string;
  readonly taskDefinitions?: readonly TaskDefinitionRefs[];
  /** GetParameters calls in flight at once. */
  readonly concurrency?: number;
  /** Attempts per call when SSM throttles (on top of the SDK's own retries). */
  readonly throttleAttempts?: number;
}

export interface VerifyDeps {
  /** The GetParameters call for a region (the manifest's region, or one a task definition ARN names). */
  readonly getParameters: (region: string) => GetParameters;
  /** Registers a value with the runner's masker; called with each decrypted value before anything else. */
  readonly setSecret: SetSecret;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly debug?: (message: string) => void;
}

export interface Batch {
  readonly names: string[];
  readonly decrypt: boolean;
}

interface Planned {
  readonly fullName: string;
  /** SecureString with a value rule: its value is needed in clear. */
  readonly needsDecrypt: boolean;
  /** Expected to be a plain String/StringList: its value is returned in clear either way. */
  readonly plain: boolean;
}

/**
 * Groups names into GetParameters batches of 10. Only batches holding a SecureString with a value rule are
 * decrypted; they are topped up with plain String parameters (whose values come back in clear anyway) so the
 * call count stays ⌈N/10⌉, and a SecureString without a rule is never put into a decrypting batch (that costs
 * at most one extra call, when there are too few plain parameters to top the last decrypting batch up).
 */
export function planBatches(items: readonly Planned[]): Batch[] {
  const decrypt = items.filter((i) => i.needsDecrypt).map((i) => i.fullName);
  const plain = items.filter((i) => !i.needsDecrypt && i.plain).map((i) => i.fullName);
  const opaque = items.filter((i) => !i.needsDecrypt && !i.plain).map((i) => i.fullName);
  const batches = chunk(decrypt, true);
  const last = batches[batches.length - 1];
  if (last) last.names.push(...plain.splice(0, BATCH_SIZE - last.names.length));
  return [...batches, ...chunk([...plain, ...opaque], false)];
}

/** Names in GetParameters-sized batches. */
function chunk(names: readonly string[], decrypt: boolean): Batch[] {
  const batches: Batch[] = [];
  for (let i = 0; i < names.length; i += BATCH_SIZE) batches.push({ names: names.slice(i, i + BATCH_SIZE), decrypt });
  return batches;
}

/** Runs fn over items with at most `limit` in flight; the first error stops new work and is rethrown. */
export async function inPool<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const item = items[next++] as T;
      try {
        await fn(item);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}

/** Judges one parameter found in Parameter Store. `value` is undefined when it is not readable in clear. */
function judge(
  result: ParameterResult,
  spec: ManifestParameter,
  actualType: string,
  value: string | undefined,
  certificates: readonly string[],
): void {
  const { reasons } = result;
  let error = false;
  let warning = false;
  if (spec.secret && actualType !== 'SecureString') {
    error = true;
    reasons.push(`is ${actualType}; a secret must be SecureString (re-create it with --type SecureString)`);
  } else if (spec.type === 'SecureString' && actualType !== 'SecureString') {
    error = true;
    reasons.push(`is ${actualType}; the manifest expects SecureString`);
  } else if (spec.type !== 'SecureString' && actualType === 'SecureString') {
    warning = true;
    reasons.push(
      `is SecureString but the manifest expects ${spec.type}: mark it 'secret: true' in the manifest, or store it as ${spec.type}`,
    );
  } else if (spec.type !== actualType) {
    error = true;
    reasons.push(`is ${actualType}; the manifest expects ${spec.type}`);
  }
  if (value !== undefined) {
    const problem = spec.format
      ? checkFormat(spec.format, value, { certificates })
      : value.trim() === ''
        ? 'is empty'
        : undefined;
    if (problem !== undefined) {
      error = true;
      reasons.push(problem);
    }
  } else if (spec.format) {
    warning = true;
    reasons.push('value not checked: it is SecureString and was not decrypted');
  }
  result.status = error ? 'invalid' : warning ? 'warning' : 'ok';
}

/**
 * Proves that every parameter the manifest lists for an environment exists with the expected type and a sane
 * value, and that task definitions reference existing parameters. Values never leave this function: each
 * decrypted value is masked the moment it arrives, checked, and dropped; results carry only names and reasons.
 */
export async function verifyParameters(options: VerifyOptions, deps: VerifyDeps): Promise<VerifyResult> {
  const { manifest, region } = options;
  const env = lookupEnvironment(manifest, options.environment);
  const specs = parametersFor(manifest, options.environment);
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const concurrency = options.concurrency ?? 4;
  const retry = { attempts: options.throttleAttempts ?? 5, baseMs: 500, sleep };
  let calls = 0;

  // One entry per manifest parameter, by full SSM name.
  const entries = new Map<string, Entry>();
  for (const spec of specs) {
    const fullName = parameterName(manifest, options.environment, spec);
    entries.set(fullName, {
      spec,
      needsDecrypt: spec.format !== undefined && spec.type === 'SecureString',
      result: {
        name: spec.name,
        fullName,
        expectedType: spec.type,
        actualType: undefined,
        required: spec.required,
        secret: spec.secret,
        rule: spec.format ? describeRule(spec.format) : undefined,
        valueChecked: false,
        status: 'missing',
        reasons: [],
      },
    });
  }
  const batches = planBatches(
    [...entries].map(([fullName, e]) => ({
      fullName,
      needsDecrypt: e.needsDecrypt,
      plain: e.spec.type !== 'SecureString',
    })),
  );
  const decrypted = [...entries.values()].filter((e) => e.needsDecrypt).length;
  const call = deps.getParameters(region);

  await inPool(batches, concurrency, async (batch) => {
    calls++;
    deps.debug?.(`GetParameters ${batch.names.length} names, WithDecryption=${batch.decrypt}`);
    const response = await getParametersWithRetry(
      call,
      { Names: batch.names, WithDecryption: batch.decrypt },
      { region, path: env.path, names: batch.names, decrypt: batch.decrypt },
      retry,
    );
    for (const found of response.Parameters ?? []) {
      const entry = entries.get(found.Name ?? '');
      const clear = found.Type !== 'SecureString' || batch.decrypt;
      // Mask first, before the value is looked at: every value readable in clear that is a SecureString or that
      // the manifest calls secret or SecureString (stored as String). Undecrypted SecureStrings are ciphertext.
      if (
        found.Value !== undefined &&
        clear &&
        (found.Type === 'SecureString' || entry?.spec.secret || entry?.spec.type === 'SecureString')
      ) {
        maskSecret(found.Value, deps.setSecret);
      }
      if (!entry) continue;
      const value = clear ? (found.Value ?? '') : undefined;
      const actualType = found.Type ?? 'unknown';
      entry.result.actualType = actualType;
      entry.result.valueChecked = value !== undefined;
      judge(entry.result, entry.spec, actualType, value, env.certificates);
    }
  });

  const findings: Finding[] = [];
  const all = [...entries.values()].map((e) => e.result);
  // Names GetParameters did not return (its InvalidParameters, never an error) are missing.
  for (const result of all) if (result.actualType === undefined) markMissing(result);
  if (all.length > 0 && all.every((r) => r.actualType === undefined)) {
    findings.push({
      level: 'hint',
      where: `environment '${options.environment}'`,
      message:
        `none of the ${all.length} parameters exist under ${env.path} in ${region}: check that aws-region is the ` +
        `region the parameters live in, and environments.${options.environment}.path in ${manifest.file}`,
    });
  }

  if (options.taskDefinitions && options.taskDefinitions.length > 0) {
    calls += await crossCheck(options, deps, entries, findings, { concurrency, retry, envPath: env.path });
  }
  return {
    manifestFile: manifest.file,
    environment: options.environment,
    path: env.path,
    region,
    parameters: all,
    findings,
    calls,
    decrypted,
  };
}

interface Entry {
  readonly spec: ManifestParameter;
  readonly needsDecrypt: boolean;
  readonly result: ParameterResult;
}

function markMissing(result: ParameterResult): void {
  result.status = result.required ? 'missing' : 'warning';
  result.reasons.push(result.required ? 'does not exist' : 'does not exist (optional)');
}

interface CrossCheckContext {
  readonly concurrency: number;
  readonly retry: { attempts: number; baseMs: number; sleep: (ms: number) => Promise<void> };
  readonly envPath: string;
}

interface Reference {
  readonly where: string;
  readonly variable: string;
  readonly valueFrom: string;
}

/**
 * Task definition wiring: every Parameter Store `valueFrom` (name or ARN, any region) must exist; a manifest
 * secret must not be a plain `environment` value; a manifest parameter nothing references is a warning.
 * Returns the number of GetParameters calls made for references outside the manifest.
 */
async function crossCheck(
  options: VerifyOptions,
  deps: VerifyDeps,
  entries: ReadonlyMap<string, Entry>,
  findings: Finding[],
  ctx: CrossCheckContext,
): Promise<number> {
  const { manifest, region } = options;
  const used = new Set<string>();
  const extra = new Map<string, Map<string, Reference[]>>();
  const otherEnvs = [...manifest.environments.values()].filter((e) => e.name !== options.environment);
  const secretVars = new Map<string, string>();
  for (const [fullName, { spec }] of entries) if (spec.secret) secretVars.set(spec.env, fullName);

  for (const td of options.taskDefinitions ?? []) {
    for (const container of td.containers) {
      const where = `${td.file} container '${container.name}'`;
      for (const secret of container.secrets) {
        const ref = parseParameterReference(secret.valueFrom);
        if (!ref) continue; // Secrets Manager and other services are not Parameter Store's business.
        const refRegion = ref.region ?? region;
        const other = otherEnvs.find((e) => ref.name.startsWith(e.path) && !ref.name.startsWith(ctx.envPath));
        if (other) {
          findings.push({
            level: 'warning',
            where,
            parameter: secret.name,
            message: `secret ${secret.name} reads ${ref.name}, a parameter of environment '${other.name}', not '${options.environment}' (${ctx.envPath})`,
          });
        }
        const result = entries.get(ref.name)?.result;
        if (result) used.add(ref.name);
        if (result && refRegion === region) {
          if (result.actualType === undefined) {
            findings.push({
              level: 'error',
              where,
              parameter: secret.name,
              missing: ref.name,
              message: `secret ${secret.name}: valueFrom ${secret.valueFrom} does not exist in ${region}`,
            });
          }
          continue;
        }
        const names = extra.get(refRegion) ?? new Map<string, Reference[]>();
        extra.set(refRegion, names);
        names.set(ref.name, [
          ...(names.get(ref.name) ?? []),
          { where, variable: secret.name, valueFrom: secret.valueFrom },
        ]);
      }
      for (const variable of container.environment) {
        const fullName = secretVars.get(variable);
        if (!fullName) continue;
        findings.push({
          level: 'error',
          where,
          parameter: variable,
          message:
            `sets secret ${variable} as a plain environment value; remove it from environment and add it to ` +
            `secrets with valueFrom ${fullName} (or its ARN)`,
        });
      }
    }
  }

  let calls = 0;
  for (const [refRegion, names] of extra) {
    const call = deps.getParameters(refRegion);
    const batches = chunk([...names.keys()], false);
    await inPool(batches, ctx.concurrency, async (batch) => {
      calls++;
      // Existence only: values are not decrypted and not looked at.
      const response = await getParametersWithRetry(
        call,
        { Names: batch.names, WithDecryption: false },
        { region: refRegion, path: ctx.envPath, names: batch.names, decrypt: false },
        ctx.retry,
      );
      const found = new Set((response.Parameters ?? []).map((p) => p.Name));
      for (const name of batch.names) {
        if (found.has(name)) continue;
        for (const ref of names.get(name) ?? []) {
          findings.push({
            level: 'error',
            where: ref.where,
            parameter: ref.variable,
            missing: name,
            message: `secret ${ref.variable}: valueFrom ${ref.valueFrom} does not exist in ${refRegion}`,
          });
        }
      }
    });
  }

  for (const { result } of entries.values()) {
    if (used.has(result.fullName)) continue;
    result.reasons.push('no task definition references it');
    if (result.status === 'ok') result.status = 'warning';
  }
  return calls;
}
