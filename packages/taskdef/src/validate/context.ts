import {
  Compatibility,
  NetworkMode,
  type ContainerDefinition,
  type RegisterTaskDefinitionCommandInput,
} from '@aws-sdk/client-ecs';
import { ErrorCollector } from '@deploy-actions/core';
import { parseCpuUnits, parseMemoryMiB } from '../fargate';

/**
 * The inputs of the calling action that set task definition fields, so a message can say "set input
 * execution-role-arn" to a render-task-def user and only "set executionRoleArn in the file" to others.
 */
export interface FieldInputs {
  readonly image?: string;
  readonly cpu?: string;
  readonly memory?: string;
  readonly taskRoleArn?: string;
  readonly executionRoleArn?: string;
  readonly logDriver?: string;
}

export interface ValidateOptions {
  /** The source, e.g. `file '.aws/task-definition.json'`. */
  readonly where: string;
  /**
   * `register` (the default): the definition is about to be registered, so everything AWS would refuse is an
   * error. `render`: a later step may still fill in what a multi-step render leaves open (the image of a container
   * this step does not change), so that is a warning.
   */
  readonly stage?: 'render' | 'register';
  /** Containers this step changes (render); the others are checked only as AWS checks them. */
  readonly changed?: readonly string[];
  readonly inputs?: FieldInputs;
}

export interface ValidateResult {
  readonly warnings: readonly string[];
}

/** What every rule needs: the definition, derived facts, and where to put problems. */
export class Check {
  readonly errors = new ErrorCollector();
  readonly warnings: string[] = [];
  readonly fargate: boolean;
  readonly awsvpc: boolean;
  readonly taskCpu: number | undefined;
  readonly taskMemory: number | undefined;
  readonly containers: readonly ContainerDefinition[];

  constructor(
    readonly td: RegisterTaskDefinitionCommandInput,
    readonly options: ValidateOptions,
  ) {
    this.fargate = (td.requiresCompatibilities ?? []).includes(Compatibility.FARGATE);
    this.awsvpc = td.networkMode === NetworkMode.AWSVPC || (this.fargate && td.networkMode === undefined);
    this.taskCpu = td.cpu === undefined ? undefined : parseCpuUnits(td.cpu);
    this.taskMemory = td.memory === undefined ? undefined : parseMemoryMiB(td.memory);
    this.containers = td.containerDefinitions ?? [];
  }

  at(path: string, problem: string, fix?: string): void {
    this.errors.add(`${this.options.where} at ${path}`, problem, fix);
  }

  warn(path: string, problem: string): void {
    this.warnings.push(`${this.options.where} at ${path}: ${problem}`);
  }

  /** A fix naming the calling action's input for the field, when it has one: "…, or set the input cpu". */
  fix(field: keyof FieldInputs, inFile: string): string {
    const input = this.options.inputs?.[field];
    return input ? `${inFile}, or set the input ${input}` : inFile;
  }

  /** Whether this step leaves the container as the file had it (render stage only). */
  untouched(container: ContainerDefinition): boolean {
    return this.options.stage === 'render' && !(this.options.changed ?? []).includes(container.name ?? '');
  }
}

export type Rule = (check: Check) => void;

/** A name ECS accepts for a container or a volume: only such a name is repeated in messages. */
export const NAME = /^[A-Za-z0-9_-]{1,255}$/;
/** A variable name as ECS takes it. */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/**
 * `containerDefinitions[1] ('nginx')`: index and name, so the user finds the container in either form. A name
 * that is not a valid one is left out: it may be a value typed into the wrong field.
 */
export function containerLabel(index: number, container: ContainerDefinition | undefined): string {
  const name = container?.name;
  return `containerDefinitions[${index}]${name && NAME.test(name) ? ` ('${name}')` : ''}`;
}

export function enumValues(e: Record<string, string>): string[] {
  return Object.values(e);
}

export function duplicates(names: readonly string[]): string[] {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const n of names) (seen.has(n) ? dup : seen).add(n);
  return [...dup];
}

/** "use one of: a, b" — or, when there is nothing to choose from, what to add instead. */
export function oneOf(choices: readonly string[], none: string): string {
  return choices.length > 0 ? `use one of: ${choices.join(', ')}` : none;
}
