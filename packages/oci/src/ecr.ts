import type { ECRClient } from '@aws-sdk/client-ecr';
import { RegistryAuthError } from './errors';
import type { Credentials } from './transport';

export interface EcrLogin extends Credentials {
  /** https://<account>.dkr.ecr.<region>.amazonaws.com as ECR reports it. */
  readonly proxyEndpoint: string;
}

/**
 * Registry credentials from ECR's GetAuthorizationToken (a base64 "AWS:<password>" valid for 12 hours). The
 * caller masks the password before it could be logged. The SDK is loaded here, on first use, so a push to
 * another registry never evaluates it (webpackMode "eager": it stays in the minified bundle, no extra file).
 */
export async function ecrLogin(client: Pick<ECRClient, 'send'>, registryId?: string): Promise<EcrLogin> {
  const { GetAuthorizationTokenCommand } = await import(
    /* webpackMode: "eager", webpackExports: ["GetAuthorizationTokenCommand"] */ '@aws-sdk/client-ecr'
  );
  const out = await client.send(new GetAuthorizationTokenCommand(registryId ? { registryIds: [registryId] } : {}));
  const data = out.authorizationData?.[0];
  if (!data?.authorizationToken) {
    throw new RegistryAuthError('ECR GetAuthorizationToken returned no authorization data');
  }
  const decoded = Buffer.from(data.authorizationToken, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) throw new RegistryAuthError('ECR returned an authorization token that is not user:password');
  return {
    username: decoded.slice(0, colon),
    password: decoded.slice(colon + 1),
    proxyEndpoint: data.proxyEndpoint ?? '',
  };
}
