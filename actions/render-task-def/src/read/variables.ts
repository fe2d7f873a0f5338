import type { KeyValue } from '@deploy-actions/core';
import { classifyReference } from '@deploy-actions/manifest';
import type { MergeMode, NamedValue } from '@deploy-actions/taskdef';
import { INPUT, input } from '../inputs';
import { ENV_NAME, type Reader } from './reader';

export interface Variables {
  readonly environment?: { readonly values: readonly NamedValue[]; readonly mode: MergeMode };
  readonly secrets?: { readonly values: readonly NamedValue[]; readonly mode: MergeMode };
}

const SECRET_FIX =
  'write NAME=arn:aws:ssm:<region>:<account>:parameter/<path>, a parameter path, or a Secrets Manager ARN';

/**
 * NAME=value lines whose names are valid and given once. A name that is not valid is pointed at by its line and
 * not repeated: a line such as `abc==` is a secret's base64 tail, split at its first '='.
 */
function named(r: Reader, name: string, check?: (kv: KeyValue) => void): NamedValue[] {
  const seen = new Set<string>();
  const out: NamedValue[] = [];
  for (const kv of r.errors.attempt(() => r.inputs.keyValues(name)) ?? []) {
    if (!ENV_NAME.test(kv.key)) {
      r.errors.add(
        `${input(name)} line ${kv.line}`,
        'does not start with a valid variable name',
        'use letters, digits and underscores, not starting with a digit, then =',
      );
      continue;
    }
    if (seen.has(kv.key)) r.errors.add(input(name), `'${kv.key}' is given twice`, 'keep one line per name');
    seen.add(kv.key);
    check?.(kv);
    out.push({ name: kv.key, value: kv.value });
  }
  return out;
}

/** environment-variables and secrets with their merge modes; a name is either a plain value or a secret. */
export function readVariables(r: Reader): Variables {
  const { inputs, errors } = r;
  const mode = (name: string): MergeMode | undefined =>
    errors.attempt(() => inputs.oneOf<MergeMode>(name, ['merge', 'replace'], 'merge'));
  const environmentMode = mode(INPUT.environmentMode);
  const secretsMode = mode(INPUT.secretsMode);
  const environment = named(r, INPUT.environment);
  const secrets = named(r, INPUT.secrets, ({ key, value, line }) => {
    if (value === '') {
      errors.add(input(INPUT.secrets), `'${key}' has no valueFrom`, SECRET_FIX);
    } else if (classifyReference(value).kind === 'invalid') {
      // The commonest mistake: the secret itself (${{ secrets.X }}) where its Parameter Store reference belongs.
      // It would be written into the task definition for anyone who may describe it, so it is refused unseen.
      errors.add(
        `${input(INPUT.secrets)} line ${line} (${key})`,
        'is not a Parameter Store name, path or ARN, nor a Secrets Manager ARN (not shown: secrets takes where a value is stored, never the value)',
        SECRET_FIX,
      );
    }
  });
  for (const { name } of secrets) {
    if (environment.some((e) => e.name === name)) {
      errors.add(
        `inputs '${INPUT.environment}' and '${INPUT.secrets}'`,
        `'${name}' is in both`,
        'a variable is either a plain value or a secret',
      );
    }
  }
  // replace with nothing given empties the list, as aws-actions does; merge with nothing changes nothing.
  return {
    ...((environment.length > 0 || environmentMode === 'replace') && {
      environment: { values: environment, mode: environmentMode ?? 'merge' },
    }),
    ...((secrets.length > 0 || secretsMode === 'replace') && {
      secrets: { values: secrets, mode: secretsMode ?? 'merge' },
    }),
  };
}
