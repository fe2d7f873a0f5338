/**
 * Evaluates the intrinsic functions of a template for given parameter values, as CloudFormation would before
 * creating anything: parameters and pseudo parameters, conditions, `Fn::If` / `AWS::NoValue`, `Fn::Sub`,
 * `Fn::Select`, `Fn::Join`, and the `Ref` / `Fn::GetAtt` values that follow from a resource's own properties
 * (a role's ARN from its RoleName, a repository's from its RepositoryName...). Values that only exist once
 * AWS created a resource (a database endpoint) cannot be known here and raise an error naming them.
 */
import { text, type Json, type JsonObject, type Resource, type Template } from './template';

export interface Environment {
  readonly account: string;
  readonly region: string;
  readonly partition: string;
  readonly stackName: string;
}

export const EXAMPLE_ENVIRONMENT: Environment = {
  account: '123456789012',
  region: 'eu-west-2',
  partition: 'aws',
  stackName: 'learning-platform',
};

const NO_VALUE = Symbol('AWS::NoValue');
/** The ARN of the resource types whose Ref and Arn follow from their own properties (their name). */
const ARNS: Record<string, (name: string, e: Environment) => string> = {
  'AWS::IAM::Role': (name, e) => `arn:${e.partition}:iam::${e.account}:role/${name}`,
  'AWS::ECS::Cluster': (name, e) => `arn:${e.partition}:ecs:${e.region}:${e.account}:cluster/${name}`,
  'AWS::S3::Bucket': (name, e) => `arn:${e.partition}:s3:::${name}`,
  'AWS::ECR::Repository': (name, e) => `arn:${e.partition}:ecr:${e.region}:${e.account}:repository/${name}`,
  // CloudFormation's Arn of a log group ends in ':*'.
  'AWS::Logs::LogGroup': (name, e) => `arn:${e.partition}:logs:${e.region}:${e.account}:log-group:${name}:*`,
};
type Resolved = Json | typeof NO_VALUE;

export class Resolver {
  private readonly values: Record<string, Json>;
  private readonly conditions = new Map<string, boolean>();

  /**
   * With `placeholders`, a value only AWS knows (a security group's id, a certificate's ARN) becomes the text
   * `{{Ref X}}` / `{{GetAtt X.Y}}` instead of an error, so a test can see where it goes.
   */
  constructor(
    readonly template: Template,
    given: Record<string, string>,
    readonly env: Environment = EXAMPLE_ENVIRONMENT,
    private readonly options: { readonly placeholders?: boolean } = {},
  ) {
    this.values = {};
    for (const [name, spec] of Object.entries(template.Parameters)) {
      const raw = given[name] ?? (spec.Default === undefined ? undefined : String(spec.Default));
      if (raw === undefined) throw new Error(`parameter ${name} has no value and no default`);
      this.values[name] = spec.Type === 'CommaDelimitedList' || spec.Type.startsWith('List<') ? raw.split(',') : raw;
    }
    for (const name of Object.keys(given)) {
      if (!(name in template.Parameters)) throw new Error(`${name} is not a parameter of the template`);
    }
  }

  parameter(name: string): Json {
    const value = this.values[name];
    if (value === undefined) throw new Error(`unknown parameter ${name}`);
    return value;
  }

  condition(name: string): boolean {
    const known = this.conditions.get(name);
    if (known !== undefined) return known;
    const spec = this.template.Conditions[name];
    if (spec === undefined) throw new Error(`unknown condition ${name}`);
    const result = this.truth(spec);
    this.conditions.set(name, result);
    return result;
  }

  /** Whether a resource (or output) with this Condition is created. */
  creates(item: { Condition?: string }): boolean {
    return item.Condition === undefined || this.condition(item.Condition);
  }

  /** The value CloudFormation would pass to AWS; `AWS::NoValue` removes the key or list item it stands in. */
  resolve(value: Json): Json {
    const r = this.eval(value);
    if (r === NO_VALUE) throw new Error('AWS::NoValue at the top of a value');
    return r;
  }

  private truth(spec: Json): boolean {
    if (spec === null || typeof spec !== 'object' || Array.isArray(spec))
      throw new Error('a condition must be a function');
    const [fn, arg] = Object.entries(spec)[0] ?? [];
    const args = Array.isArray(arg) ? arg : [];
    switch (fn) {
      case 'Fn::Equals': {
        // CloudFormation compares scalars as strings: a Number parameter "2" equals 2.
        const value = (v: Json) => (v !== null && typeof v !== 'object' ? String(v) : JSON.stringify(v));
        return value(this.resolve(args[0] ?? null)) === value(this.resolve(args[1] ?? null));
      }
      case 'Fn::Not':
        return !this.truth(args[0] ?? null);
      case 'Fn::And':
        return args.every((a) => this.truth(a));
      case 'Fn::Or':
        return args.some((a) => this.truth(a));
      case 'Condition':
        return this.condition(text(arg, 'Condition'));
      default:
        throw new Error(`unsupported condition function ${String(fn)}`);
    }
  }

  private eval(value: Json): Resolved {
    if (Array.isArray(value)) {
      return value.map((v) => this.eval(v)).filter((v): v is Json => v !== NO_VALUE);
    }
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value);
    const [key, arg] = entries[0] ?? [];
    if (entries.length === 1 && key !== undefined && arg !== undefined && (key === 'Ref' || key.startsWith('Fn::'))) {
      return this.call(key, arg);
    }
    const out: JsonObject = {};
    for (const [k, v] of entries) {
      const r = this.eval(v);
      if (r !== NO_VALUE) out[k] = r;
    }
    return out;
  }

  private call(fn: string, arg: Json): Resolved {
    const args = Array.isArray(arg) ? arg : [arg];
    switch (fn) {
      case 'Ref':
        return arg === 'AWS::NoValue' ? NO_VALUE : this.ref(text(arg, 'Ref'));
      case 'Fn::If': {
        const [name, yes, no] = args;
        return this.eval((this.condition(text(name, 'Fn::If')) ? yes : no) ?? null);
      }
      case 'Fn::Sub':
        return this.sub(arg);
      case 'Fn::Select': {
        const list = this.resolve(args[1] ?? null);
        const index = Number(this.resolve(args[0] ?? null));
        if (!Array.isArray(list) || list[index] === undefined) throw new Error(`Fn::Select ${index} out of range`);
        return list[index];
      }
      case 'Fn::Join': {
        const list = this.resolve(args[1] ?? null);
        if (!Array.isArray(list)) throw new Error('Fn::Join needs a list');
        return list.map((item) => text(item, 'Fn::Join')).join(text(args[0], 'Fn::Join'));
      }
      case 'Fn::GetAZs':
        return [`${this.env.region}a`, `${this.env.region}b`, `${this.env.region}c`];
      case 'Fn::GetAtt': {
        const [logical, attribute] = Array.isArray(arg) ? arg.map((a) => text(a, 'Fn::GetAtt')) : text(arg).split('.');
        return this.attribute(logical ?? '', attribute ?? '');
      }
      default:
        throw new Error(`unsupported function ${fn}`);
    }
  }

  private sub(arg: Json): string {
    const [template, vars] = Array.isArray(arg) ? arg : [arg, {}];
    const locals = vars !== null && typeof vars === 'object' && !Array.isArray(vars) ? vars : {};
    return text(template, 'Fn::Sub').replace(/\$\{([^}!]+)\}/g, (_, name: string) => {
      if (name in locals) return text(this.resolve(locals[name] ?? null), `Fn::Sub \${${name}}`);
      const dot = name.indexOf('.');
      const value = dot < 0 ? this.ref(name) : this.attribute(name.slice(0, dot), name.slice(dot + 1));
      return text(value, `Fn::Sub \${${name}}`);
    });
  }

  private ref(name: string): Json {
    const { account, region, partition, stackName } = this.env;
    const pseudo: Record<string, string> = {
      'AWS::AccountId': account,
      'AWS::Region': region,
      'AWS::Partition': partition,
      'AWS::StackName': stackName,
      'AWS::URLSuffix': 'amazonaws.com',
    };
    if (name in pseudo) return pseudo[name] ?? '';
    if (name in this.values) return this.parameter(name);
    const resource = this.resource(name);
    const p = (key: string): string => text(this.resolve(resource.Properties?.[key] ?? null), `${name}.${key}`);
    switch (resource.Type) {
      case 'AWS::IAM::Role':
        return p('RoleName');
      case 'AWS::ECS::Cluster':
        return p('ClusterName');
      case 'AWS::S3::Bucket':
        return p('BucketName');
      case 'AWS::Logs::LogGroup':
        return p('LogGroupName');
      case 'AWS::ECR::Repository':
        return p('RepositoryName');
      case 'AWS::IAM::OIDCProvider':
        return `arn:${partition}:iam::${account}:oidc-provider/${p('Url').replace(/^https:\/\//, '')}`;
      default:
        if (this.options.placeholders === true) return `{{Ref ${name}}}`;
        throw new Error(`Ref ${name} (${resource.Type}) is known only once AWS created it`);
    }
  }

  private attribute(logical: string, attribute: string): Json {
    const arn = ARNS[this.resource(logical).Type];
    if (arn !== undefined && attribute === 'Arn') return arn(text(this.ref(logical), logical), this.env);
    if (this.options.placeholders === true) return `{{GetAtt ${logical}.${attribute}}}`;
    throw new Error(`Fn::GetAtt ${logical}.${attribute} is known only once AWS created it`);
  }

  private resource(name: string): Resource {
    const resource = this.template.Resources[name];
    if (resource === undefined) throw new Error(`unknown resource or parameter ${name}`);
    if (!this.creates(resource)) throw new Error(`${name} is not created with these parameters`);
    return resource;
  }
}
