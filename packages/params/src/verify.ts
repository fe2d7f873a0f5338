import { maskSecret, type SetSecret } from '@deploy-actions/core';
import {
  checkFormat,
  describeRule,
  environment as lookupEnvironment,
  parameterName,
  parametersFor,
  type Manifest,
  type ManifestParameter,
} from '@deploy-actions/manifest';
import { inPool, planBatches } from './batches';
import { getParametersWithRetry, type GetParameters, type Retry } from './ssm';
import type { TaskDefinitionRefs } from './taskdefs';
import { crossCheck } from './wiring';

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
  /** Task definition files cross-checked. */
  readonly taskDefinitions: number;
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
  const retry: Retry = { attempts: options.throttleAttempts ?? 5, baseMs: 500, sleep };
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
    calls += await crossCheck({ options, deps, entries, concurrency, retry, envPath: env.path }, findings);
  }
  return {
    manifestFile: manifest.file,
    environment: options.environment,
    path: env.path,
    region,
    parameters: all,
    findings,
    taskDefinitions: options.taskDefinitions?.length ?? 0,
    calls,
    decrypted,
  };
}

export interface Entry {
  readonly spec: ManifestParameter;
  readonly needsDecrypt: boolean;
  readonly result: ParameterResult;
}

function markMissing(result: ParameterResult): void {
  result.status = result.required ? 'missing' : 'warning';
  result.reasons.push(result.required ? 'does not exist' : 'does not exist (optional)');
}
