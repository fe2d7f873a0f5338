import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Stand-ins for the two credential endpoints a machine can offer, which nothing real serves offline: the
 * container credentials endpoint (ECS, CodeBuild, EKS Pod Identity: AWS_CONTAINER_CREDENTIALS_FULL_URI) and EC2
 * instance metadata (IMDSv2: a PUT for a session token, then the role's credentials), with the JSON shapes AWS
 * documents. Each answers with its own access key id, so a test can tell which one an action used.
 */
export interface CredentialEndpoints {
  /** For AWS_CONTAINER_CREDENTIALS_FULL_URI. */
  readonly containerUri: string;
  /** For AWS_EC2_METADATA_SERVICE_ENDPOINT. */
  readonly imdsEndpoint: string;
  /** "container" / "imds" per request served, in order. */
  readonly served: string[];
  close(): Promise<void>;
}

export const CONTAINER_KEY_ID = 'ASIACONTAINERSTANDIN';
export const IMDS_KEY_ID = 'ASIAINSTANCESTANDIN0';
const ROLE = 'runner-instance-role';
const TOKEN = 'imds-session-token';

function credentials(keyId: string): Record<string, string> {
  return {
    AccessKeyId: keyId,
    SecretAccessKey: 'stand-in-secret',
    Token: 'stand-in-session-token',
    Expiration: new Date(Date.now() + 3600_000).toISOString(),
  };
}

export async function startCredentialEndpoints(): Promise<CredentialEndpoints> {
  const served: string[] = [];
  const server: Server = createServer((req, res) => {
    const json = (body: unknown): void => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const url = req.url ?? '';
    if (url === '/container/credentials') {
      served.push('container');
      return json(credentials(CONTAINER_KEY_ID));
    }
    if (url === '/latest/api/token' && req.method === 'PUT') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      return res.end(TOKEN);
    }
    if (url.startsWith('/latest/meta-data/iam/security-credentials/')) {
      if (req.headers['x-aws-ec2-metadata-token'] !== TOKEN) {
        res.writeHead(401);
        return res.end();
      }
      served.push('imds');
      if (url.endsWith('/security-credentials/')) {
        res.writeHead(200, { 'content-type': 'text/plain' });
        return res.end(ROLE);
      }
      return json({
        Code: 'Success',
        Type: 'AWS-HMAC',
        LastUpdated: new Date().toISOString(),
        ...credentials(IMDS_KEY_ID),
      });
    }
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    containerUri: `${base}/container/credentials`,
    imdsEndpoint: base,
    served,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
