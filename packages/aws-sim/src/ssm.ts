// SSM Parameter Store (awsJson1_1, target prefix AmazonSSM): what render-task-def, verify-params and the
// demo need. SecureString values come back as opaque ciphertext unless WithDecryption is true, as in AWS.
import { randomBytes } from 'node:crypto';
import type { SimContext } from './context';
import { paginate } from './context';
import { AwsError, type Obj, bool, num, objList, reqStr, str, strList } from './protocol';

type ParamType = 'String' | 'StringList' | 'SecureString';

interface Param {
  readonly name: string;
  readonly type: ParamType;
  readonly value: string;
  readonly ciphertext: string;
  readonly version: number;
  readonly lastModified: number;
  readonly description: string | undefined;
  readonly keyId: string | undefined;
}

const NOT_FOUND = 'ParameterNotFound';

export class SsmSim {
  private readonly params = new Map<string, Param>();

  constructor(private readonly ctx: SimContext) {}

  private arn(name: string): string {
    return `arn:aws:ssm:${this.ctx.region}:${this.ctx.accountId}:parameter${name.startsWith('/') ? '' : '/'}${name}`;
  }

  /** Accepts a name or a parameter ARN. */
  private lookup(nameOrArn: string): Param | undefined {
    const name = nameOrArn.startsWith('arn:')
      ? nameOrArn.replace(/^arn:[^:]+:ssm:[^:]*:[^:]*:parameter/, '')
      : nameOrArn;
    return (
      this.params.get(name) ?? (nameOrArn.startsWith('arn:') ? this.params.get(name.replace(/^\//, '')) : undefined)
    );
  }

  private view(p: Param, decrypt: boolean): Obj {
    return {
      Name: p.name,
      Type: p.type,
      Value: p.type === 'SecureString' && !decrypt ? p.ciphertext : p.value,
      Version: p.version,
      LastModifiedDate: p.lastModified / 1000,
      ARN: this.arn(p.name),
      DataType: 'text',
    };
  }

  private metadata(p: Param): Obj {
    return {
      Name: p.name,
      ARN: this.arn(p.name),
      Type: p.type,
      KeyId: p.type === 'SecureString' ? (p.keyId ?? 'alias/aws/ssm') : undefined,
      LastModifiedDate: p.lastModified / 1000,
      LastModifiedUser: `arn:aws:sts::${this.ctx.accountId}:assumed-role/deploy/sim`,
      Description: p.description,
      Version: p.version,
      Tier: 'Standard',
      Policies: [],
      DataType: 'text',
    };
  }

  /** In-process seeding (demo, tests). */
  put(name: string, value: string, type: ParamType = 'String'): number {
    return Number(this.handle('PutParameter', { Name: name, Value: value, Type: type, Overwrite: true })['Version']);
  }

  handle(op: string, input: Obj): Obj {
    switch (op) {
      case 'PutParameter': {
        const name = reqStr(input, 'Name', 'ValidationException');
        const value = str(input, 'Value');
        if (value === undefined || value === '') {
          throw new AwsError(
            'ValidationException',
            "1 validation error detected: Value at 'value' failed to satisfy constraint: Member must have length greater than or equal to 1",
          );
        }
        if (name.split('/').length > 16)
          throw new AwsError('HierarchyLevelLimitExceededException', 'A hierarchy can have a maximum of 15 levels.');
        const existing = this.params.get(name);
        if (existing && !bool(input, 'Overwrite')) {
          throw new AwsError(
            'ParameterAlreadyExists',
            'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.',
          );
        }
        const type = (str(input, 'Type') ?? existing?.type ?? 'String') as ParamType;
        if (!['String', 'StringList', 'SecureString'].includes(type)) {
          throw new AwsError('ValidationException', `Type ${type} is not one of String, StringList, SecureString`);
        }
        const version = (existing?.version ?? 0) + 1;
        this.params.set(name, {
          name,
          type,
          value,
          // An opaque blob shaped like a KMS ciphertext; never contains the plaintext.
          ciphertext: `AQICAHh${randomBytes(60).toString('base64')}`,
          version,
          lastModified: this.ctx.scheduler.now(),
          description: str(input, 'Description') ?? existing?.description,
          keyId: str(input, 'KeyId') ?? existing?.keyId,
        });
        return { Version: version, Tier: 'Standard' };
      }
      case 'GetParameter': {
        const name = reqStr(input, 'Name', 'ValidationException');
        const p = this.lookup(name);
        if (!p) throw new AwsError(NOT_FOUND, `Parameter ${name} not found.`);
        return { Parameter: this.view(p, bool(input, 'WithDecryption') ?? false) };
      }
      case 'GetParameters': {
        const names = strList(input, 'Names');
        if (names.length === 0 || names.length > 10) {
          throw new AwsError(
            'ValidationException',
            `1 validation error detected: Value at 'names' failed to satisfy constraint: Member must have length less than or equal to 10`,
          );
        }
        const decrypt = bool(input, 'WithDecryption') ?? false;
        const found: Obj[] = [];
        const invalid: string[] = [];
        for (const n of names) {
          const p = this.lookup(n);
          if (p) found.push(this.view(p, decrypt));
          else invalid.push(n);
        }
        return { Parameters: found, InvalidParameters: invalid };
      }
      case 'GetParametersByPath': {
        const path = reqStr(input, 'Path', 'ValidationException');
        if (!path.startsWith('/'))
          throw new AwsError(
            'ValidationException',
            'The parameter doesn\'t meet the parameter name requirements. The parameter name must begin with a forward slash "/".',
          );
        const max = num(input, 'MaxResults');
        if (max !== undefined && (max < 1 || max > 10)) {
          throw new AwsError(
            'ValidationException',
            "1 validation error detected: Value at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 10",
          );
        }
        const base = path.endsWith('/') ? path : `${path}/`;
        const recursive = bool(input, 'Recursive') ?? false;
        const matches = [...this.params.values()]
          .filter((p) => p.name.startsWith(base) && (recursive || !p.name.slice(base.length).includes('/')))
          .sort((a, b) => a.name.localeCompare(b.name));
        const { page, nextToken } = paginate(matches, max, str(input, 'NextToken'), 10, 'InvalidNextToken');
        const decrypt = bool(input, 'WithDecryption') ?? false;
        return { Parameters: page.map((p) => this.view(p, decrypt)), NextToken: nextToken };
      }
      case 'DescribeParameters': {
        let matches = [...this.params.values()];
        for (const f of objList(input, 'ParameterFilters')) {
          const key = reqStr(f, 'Key', 'InvalidFilterKey');
          const option = str(f, 'Option') ?? 'Equals';
          const values = strList(f, 'Values');
          if (key === 'Name') {
            matches = matches.filter((p) =>
              values.some((v) =>
                option === 'BeginsWith'
                  ? p.name.startsWith(v)
                  : option === 'Contains'
                    ? p.name.includes(v)
                    : p.name === v,
              ),
            );
          } else if (key === 'Path') {
            matches = matches.filter((p) =>
              values.some((v) => {
                const base = v.endsWith('/') ? v : `${v}/`;
                return p.name.startsWith(base) && (option === 'Recursive' || !p.name.slice(base.length).includes('/'));
              }),
            );
          } else if (key === 'Type') matches = matches.filter((p) => values.includes(p.type));
          else throw new AwsError('InvalidFilterKey', `The filter key ${key} is not supported by the simulator`);
        }
        matches.sort((a, b) => a.name.localeCompare(b.name));
        const { page, nextToken } = paginate(
          matches,
          num(input, 'MaxResults'),
          str(input, 'NextToken'),
          50,
          'InvalidNextToken',
        );
        return { Parameters: page.map((p) => this.metadata(p)), NextToken: nextToken };
      }
      case 'DeleteParameter': {
        const name = reqStr(input, 'Name', 'ValidationException');
        if (!this.params.delete(name)) throw new AwsError(NOT_FOUND, `Parameter ${name} not found.`);
        return {};
      }
      case 'DeleteParameters': {
        const names = strList(input, 'Names');
        const deleted = names.filter((n) => this.params.delete(n));
        return { DeletedParameters: deleted, InvalidParameters: names.filter((n) => !deleted.includes(n)) };
      }
      default:
        throw new AwsError('UnknownOperationException', `Operation ${op} is not supported by the simulator`);
    }
  }
}
