// aws-actions' JSON inputs (container overrides, tags, capacity provider strategy, managed EBS volumes), read
// with their shapes: checked against the installed SDK's shapes of the request they end up in, with the fields
// ECS requires, every problem named by input and path (never by value) before any AWS call.
import { ConfigError, ConfigErrors, type ErrorCollector, type Inputs } from '@deploy-actions/core';
import { checkApiShape, type Shape } from '@deploy-actions/taskdef';

type Item = Record<string, unknown>;

function missing(where: string, item: Item, required: readonly string[], example: string): ConfigError[] {
  return required
    .filter((key) => item[key] === undefined || item[key] === '')
    .map((key) => new ConfigError(where, `has no '${key}'`, `e.g. ${example}`));
}

/** A JSON list whose items have `required` keys; undefined when the input is empty or `[]`. */
export function jsonList<T>(
  inputs: Inputs,
  problems: ErrorCollector,
  name: string,
  item: Shape,
  spec: { readonly example: string; readonly required: readonly string[] },
): T[] | undefined {
  return problems.attempt(() => {
    const raw = inputs.json(name, spec.example);
    if (raw === undefined) return undefined;
    const list = checkApiShape(raw, { list: item }, `input '${name}'`) as Item[];
    const errors = list.flatMap((entry, i) => missing(`input '${name}' at [${i}]`, entry, spec.required, spec.example));
    if (errors.length > 0) throw new ConfigErrors(errors);
    return list.length > 0 ? (list as T[]) : undefined;
  });
}

/**
 * A managed EBS volume: the name of a volume the task definition configures at launch, and its configuration
 * as a JSON object with a role ECS uses to create it. Both or neither.
 */
export function managedVolume<T>(
  inputs: Inputs,
  problems: ErrorCollector,
  names: { readonly name: string; readonly volume: string },
  shape: Shape,
): { name: string; managedEBSVolume: T } | undefined {
  const example = '{"roleArn": "arn:aws:iam::123456789012:role/ecsInfrastructureRole", "sizeInGiB": 30}';
  const name = problems.attempt(() => inputs.optional(names.name));
  const config = problems.attempt(() => {
    const raw = inputs.json(names.volume, example);
    if (raw === undefined) return undefined;
    const object = checkApiShape(raw, shape, `input '${names.volume}'`) as Item;
    const errors = missing(`input '${names.volume}'`, object, ['roleArn'], example);
    if (errors.length > 0) throw new ConfigErrors(errors);
    return object as T;
  });
  if (
    name !== undefined &&
    config === undefined &&
    problems.attempt(() => inputs.optional(names.volume)) === undefined
  ) {
    problems.add(`input '${names.volume}'`, `is required with '${names.name}'`, `e.g. ${example}`);
  }
  if (name === undefined && config !== undefined) {
    problems.add(
      `input '${names.name}'`,
      `is required with '${names.volume}'`,
      'name the task definition volume that has "configuredAtLaunch": true',
    );
  }
  return name !== undefined && config !== undefined ? { name, managedEBSVolume: config } : undefined;
}
