import { classifyReference, type Manifest } from '@deploy-actions/manifest';
import { chunk, inPool } from './batches';
import { getParametersWithRetry, type Retry } from './ssm';
import type { ContainerRefs, SecretRef } from './taskdefs';
import type { Entry, Finding, VerifyDeps, VerifyOptions } from './verify';

export interface WiringContext {
  readonly options: VerifyOptions;
  readonly deps: VerifyDeps;
  /** The manifest's parameters of the environment, by full name. */
  readonly entries: ReadonlyMap<string, Entry>;
  readonly concurrency: number;
  readonly retry: Retry;
  readonly envPath: string;
}

/** A reference outside the manifest, looked up for existence in its region. */
interface Lookup {
  readonly where: string;
  readonly secret: SecretRef;
  /** Paths and ARNs are references, safe to name; a bare name may be a value pasted by mistake. */
  readonly named: boolean;
}

/** What a valueFrom should look like, for messages that cannot show the one found. */
function expected(ctx: WiringContext, secret: SecretRef): string {
  const name = secret.name ?? 'NAME';
  return `${ctx.envPath}${name} or arn:aws:ssm:<region>:<account>:parameter${ctx.envPath}${name}`;
}

/** A manifest parameter that delivers this variable, to suggest its full name. */
function manifestNameFor(ctx: WiringContext, secret: SecretRef): string | undefined {
  if (secret.name === undefined) return undefined;
  for (const [fullName, { spec }] of ctx.entries) if (spec.env === secret.name) return fullName;
  return undefined;
}

/**
 * Task definition wiring: every Parameter Store `valueFrom` (name or ARN, any region) must exist; a manifest
 * secret must not be a plain `environment` value; a manifest parameter nothing references is a warning. A
 * valueFrom that is no reference at all is an error that says where it is and never what it is, and is not sent
 * to AWS. Returns the number of GetParameters calls made for references outside the manifest.
 */
export async function crossCheck(ctx: WiringContext, findings: Finding[]): Promise<number> {
  const { manifest } = ctx.options;
  const used = new Set<string>();
  const extra = new Map<string, Map<string, Lookup[]>>();
  const secretVars = new Map<string, string>();
  for (const [fullName, { spec }] of ctx.entries) if (spec.secret) secretVars.set(spec.env, fullName);

  for (const td of ctx.options.taskDefinitions ?? []) {
    for (const container of td.containers) {
      const where = `${td.file} ${container.label}`;
      for (const secret of container.secrets) {
        const lookup = reference(ctx, manifest, findings, where, secret, used);
        if (!lookup) continue;
        const names = extra.get(lookup.region) ?? new Map<string, Lookup[]>();
        extra.set(lookup.region, names);
        names.set(lookup.name, [...(names.get(lookup.name) ?? []), lookup.entry]);
      }
      plainSecrets(container, where, secretVars, findings);
    }
  }

  let calls = 0;
  for (const [refRegion, names] of extra) {
    const call = ctx.deps.getParameters(refRegion);
    await inPool(chunk([...names.keys()], false), ctx.concurrency, async (batch) => {
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
        for (const ref of names.get(name) ?? []) findings.push(missingReference(ctx, ref, name, refRegion));
      }
    });
  }

  for (const { result } of ctx.entries.values()) {
    if (used.has(result.fullName)) continue;
    result.reasons.push('no task definition references it');
    if (result.status === 'ok') result.status = 'warning';
  }
  return calls;
}

/**
 * Sorts one secret's valueFrom: an error when it is no reference, checked against the manifest when it names
 * one of its parameters, otherwise returned to be looked up in its region.
 */
function reference(
  ctx: WiringContext,
  manifest: Manifest,
  findings: Finding[],
  where: string,
  secret: SecretRef,
  used: Set<string>,
): { region: string; name: string; entry: Lookup } | undefined {
  const { region } = ctx.options;
  const ref = classifyReference(secret.valueFrom);
  if (ref.kind === 'other') return undefined; // Secrets Manager and other services are not Parameter Store's business.
  if (ref.kind === 'invalid') {
    findings.push({
      level: 'error',
      where,
      ...(secret.name !== undefined && { parameter: secret.name }),
      message:
        `${secret.label}: valueFrom is neither a Parameter Store name, path or ARN nor another service's ARN ` +
        `(not shown: a value pasted there by mistake is a secret) — expected e.g. ${expected(ctx, secret)}`,
    });
    return undefined;
  }
  const named = ref.form !== 'name';
  const refRegion = ref.region ?? region;
  const other = [...manifest.environments.values()].find(
    (e) => e.name !== ctx.options.environment && ref.name.startsWith(e.path) && !ref.name.startsWith(ctx.envPath),
  );
  if (other && named) {
    findings.push({
      level: 'warning',
      where,
      ...(secret.name !== undefined && { parameter: secret.name }),
      message: `${secret.label} reads ${ref.name}, a parameter of environment '${other.name}', not '${ctx.options.environment}' (${ctx.envPath})`,
    });
  }
  const result = ctx.entries.get(ref.name)?.result;
  if (result) used.add(ref.name);
  if (result && refRegion === region) {
    // A required parameter that is missing is already reported as missing; an optional one the task needs is not.
    if (result.actualType === undefined && result.status !== 'missing') {
      findings.push({
        level: 'error',
        where,
        ...(secret.name !== undefined && { parameter: secret.name }),
        missing: ref.name,
        message: `${secret.label}: valueFrom ${ref.name} does not exist in ${region} (the manifest marks it optional, but this task needs it)`,
      });
    }
    return undefined;
  }
  return { region: refRegion, name: ref.name, entry: { where, secret, named } };
}

/** The finding for a reference outside the manifest that SSM does not have. */
function missingReference(ctx: WiringContext, ref: Lookup, name: string, refRegion: string): Finding {
  const parameter = ref.secret.name !== undefined ? { parameter: ref.secret.name } : {};
  if (ref.named) {
    return {
      level: 'error',
      where: ref.where,
      ...parameter,
      missing: name,
      message: `${ref.secret.label}: valueFrom ${ref.secret.valueFrom} does not exist in ${refRegion}`,
    };
  }
  const suggestion = manifestNameFor(ctx, ref.secret);
  return {
    level: 'error',
    where: ref.where,
    ...parameter,
    message:
      `${ref.secret.label}: valueFrom is a bare parameter name that does not exist in ${refRegion} (not shown: a ` +
      `value pasted there by mistake looks the same) — use the full path${suggestion ? ` (the manifest's is ${suggestion})` : ''}, e.g. ${expected(ctx, ref.secret)}`,
  };
}

/** A manifest secret set as a plain environment value: an error naming the variable and where it belongs. */
function plainSecrets(
  container: ContainerRefs,
  where: string,
  secretVars: ReadonlyMap<string, string>,
  findings: Finding[],
): void {
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
