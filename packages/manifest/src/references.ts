import { parameterName, parametersFor, type Manifest, type ManifestParameter } from './manifest';

/**
 * Parameter Store references: the ARNs render-task-def writes into `secrets[].valueFrom`, and what verify-params
 * reads back out of one. A valueFrom is repeated in messages only when it has the shape of a reference, because
 * a value pasted there by mistake is a secret.
 */

/** The partition of a region (aws, aws-cn, aws-us-gov), needed to build ARNs. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** The ARN of an SSM parameter. Names with a leading '/' give `parameter/a/b`, others `parameter/a`. */
export function parameterArn(region: string, account: string, name: string): string {
  return `arn:${partitionOf(region)}:ssm:${region}:${account}:parameter${name.startsWith('/') ? '' : '/'}${name}`;
}

/**
 * What a `secrets[].valueFrom` refers to:
 * - `parameter`: Parameter Store, as a path (`/a/b`), a bare name (`b`) or an ARN; `name` as SSM knows it.
 * - `other`: an ARN of another service (Secrets Manager), not Parameter Store's business.
 * - `invalid`: none of these. It may be the value itself, pasted by mistake: callers never repeat it.
 */
export type Reference =
  | {
      readonly kind: 'parameter';
      readonly form: 'path' | 'name' | 'arn';
      readonly name: string;
      readonly region?: string;
      readonly account?: string;
    }
  | { readonly kind: 'other' }
  | { readonly kind: 'invalid' };

/**
 * SSM's naming constraints: letters, digits, `_`, `.`, `-`, and `/` between the levels of a path, no spaces; at
 * most 1011 characters (PutParameter's Name, https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PutParameter.html).
 */
const PARAMETER_NAME = /^\/?[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/;
const MAX_NAME = 1011;
const SSM_ARN = /^arn:aws[a-z-]*:ssm:([a-z0-9-]*):(\d{12}):parameter(\/.*)$/;
/**
 * Any other ARN, e.g. arn:aws:secretsmanager:eu-west-2:123456789012:secret:db-AbCdEf[:key::], including the
 * placeholders of examples (arn:aws:ssm:region:0123456789:parameter/x): six colon-separated fields, no spaces.
 */
const OTHER_ARN = /^arn:[^\s:]+:[^\s:]+:[^\s:]*:[^\s:]*:\S+$/;

export function isParameterName(name: string): boolean {
  return name.length <= MAX_NAME && PARAMETER_NAME.test(name);
}

export function classifyReference(valueFrom: string): Reference {
  const ssm = SSM_ARN.exec(valueFrom);
  if (ssm) {
    const [, region = '', account = '', rest = ''] = ssm;
    // An ARN of a name without a leading '/' (parameter/NAME) refers to 'NAME', of a path to '/a/b'.
    const name = rest.indexOf('/', 1) === -1 ? rest.slice(1) : rest;
    if (!isParameterName(name)) return { kind: 'invalid' };
    return { kind: 'parameter', form: 'arn', name, ...(region !== '' && { region }), account };
  }
  if (valueFrom.startsWith('arn:')) return OTHER_ARN.test(valueFrom) ? { kind: 'other' } : { kind: 'invalid' };
  if (!isParameterName(valueFrom)) return { kind: 'invalid' };
  return { kind: 'parameter', form: valueFrom.startsWith('/') ? 'path' : 'name', name: valueFrom };
}

export interface TaskSecret {
  /** Container the secret belongs to (the parameter's, else the manifest default, else the fallback given). */
  readonly container: string | undefined;
  /** Variable name in the container. */
  readonly name: string;
  /** Full parameter ARN. */
  readonly valueFrom: string;
  readonly parameter: ManifestParameter;
}

/**
 * The ECS `secrets` entries that wire every manifest parameter of an environment into a task definition.
 * Every parameter (secret or not) is delivered through `valueFrom`, so the task reads Parameter Store at start.
 */
export function taskSecrets(
  manifest: Manifest,
  envName: string,
  options: { region: string; account: string; container?: string },
): TaskSecret[] {
  return parametersFor(manifest, envName).map((p) => ({
    container: p.container ?? manifest.container ?? options.container,
    name: p.env,
    valueFrom: parameterArn(options.region, options.account, parameterName(manifest, envName, p)),
    parameter: p,
  }));
}
