// ECR (awsJson1_1, target prefix AmazonEC2ContainerRegistry_V20150921): repositories and an authorization
// token whose proxyEndpoint can point at a local registry (the demo's docker-registry).
import type { SimContext } from './context';
import { AwsError, type Obj, reqStr, str, strList } from './protocol';

interface Repository {
  readonly name: string;
  readonly createdAt: number;
  readonly mutability: string;
}

export class EcrSim {
  private readonly repos = new Map<string, Repository>();
  /** Registry URL the authorization token and repository URIs point at (e.g. http://127.0.0.1:5000). */
  registryUrl: string | undefined;
  /** The password inside the authorization token ("AWS:<password>"). */
  registryPassword = 'sim-ecr-password';

  constructor(private readonly ctx: SimContext) {}

  private host(): string {
    return this.registryUrl !== undefined
      ? new URL(this.registryUrl).host
      : `${this.ctx.accountId}.dkr.ecr.${this.ctx.region}.amazonaws.com`;
  }

  private describe(r: Repository): Obj {
    return {
      repositoryArn: `arn:aws:ecr:${this.ctx.region}:${this.ctx.accountId}:repository/${r.name}`,
      registryId: this.ctx.accountId,
      repositoryName: r.name,
      repositoryUri: `${this.host()}/${r.name}`,
      createdAt: r.createdAt / 1000,
      imageTagMutability: r.mutability,
      imageScanningConfiguration: { scanOnPush: false },
      encryptionConfiguration: { encryptionType: 'AES256' },
    };
  }

  private notFound(name: string): AwsError {
    return new AwsError(
      'RepositoryNotFoundException',
      `The repository with name '${name}' does not exist in the registry with id '${this.ctx.accountId}'`,
    );
  }

  handle(op: string, input: Obj): Obj {
    switch (op) {
      case 'CreateRepository': {
        const name = reqStr(input, 'repositoryName', 'InvalidParameterException');
        if (!/^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/.test(name)) {
          throw new AwsError(
            'InvalidParameterException',
            `Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must satisfy regular expression '(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*''`,
          );
        }
        if (this.repos.has(name)) {
          throw new AwsError(
            'RepositoryAlreadyExistsException',
            `The repository with name '${name}' already exists in the registry with id '${this.ctx.accountId}'`,
          );
        }
        const repo = {
          name,
          createdAt: this.ctx.scheduler.now(),
          mutability: str(input, 'imageTagMutability') ?? 'MUTABLE',
        };
        this.repos.set(name, repo);
        return { repository: this.describe(repo) };
      }
      case 'DescribeRepositories': {
        const names = strList(input, 'repositoryNames');
        const repos =
          names.length === 0
            ? [...this.repos.values()]
            : names.map((n) => {
                const r = this.repos.get(n);
                if (!r) throw this.notFound(n);
                return r;
              });
        return { repositories: repos.map((r) => this.describe(r)) };
      }
      case 'DeleteRepository': {
        const name = reqStr(input, 'repositoryName', 'InvalidParameterException');
        const r = this.repos.get(name);
        if (!r) throw this.notFound(name);
        this.repos.delete(name);
        return { repository: this.describe(r) };
      }
      case 'GetAuthorizationToken': {
        const now = this.ctx.scheduler.now();
        return {
          authorizationData: [
            {
              authorizationToken: Buffer.from(`AWS:${this.registryPassword}`).toString('base64'),
              expiresAt: (now + 12 * 3600_000) / 1000,
              proxyEndpoint: this.registryUrl ?? `https://${this.host()}`,
            },
          ],
        };
      }
      default:
        throw new AwsError('UnknownOperationException', `Operation ${op} is not supported by the simulator`);
    }
  }
}
