// Shared by the params unit tests: a Parameter Store fake with GetParameters' semantics, and a small manifest.
import { parseManifest, type Manifest } from '@deploy-actions/manifest';
import { BATCH_SIZE, verifyParameters, type GetParameters, type VerifyResult } from '@deploy-actions/params';

export interface Stored {
  Type: 'String' | 'SecureString' | 'StringList';
  Value: string;
}

/** Parameter Store semantics that matter here: missing names in InvalidParameters, SecureString opaque unless decrypted. */
export function fakeSsm(store: Record<string, Stored>) {
  const calls: { Names: string[]; WithDecryption: boolean }[] = [];
  const get: GetParameters = async (input) => {
    calls.push({ Names: [...input.Names], WithDecryption: input.WithDecryption });
    if (input.Names.length > BATCH_SIZE) throw new Error('ValidationException: too many names');
    return {
      Parameters: input.Names.filter((n) => store[n]).map((n) => {
        const p = store[n]!;
        const value = p.Type === 'SecureString' && !input.WithDecryption ? 'AQICAHh-ciphertext' : p.Value;
        return { Name: n, Type: p.Type, Value: value };
      }),
      InvalidParameters: input.Names.filter((n) => !store[n]),
    };
  };
  return { get, calls };
}

export const doc = {
  version: 1,
  environments: {
    production: { path: '/app/production/', certificates: ['*.example.com'] },
    staging: { path: '/app/staging/', certificates: ['*.staging.example.com'] },
  },
  parameters: [
    { name: 'SMTP_PORT', format: 'port' },
    { name: 'HOST_NAME', format: 'certificate-host' },
    { name: 'DB_PASSWORD', secret: true },
    { name: 'MASTER_KEY', secret: true, format: { rule: 'hex', length: 8 } },
    { name: 'PLAIN' },
    { name: 'OPTIONAL', required: false },
  ],
};
export const manifest: Manifest = parseManifest(doc, 'params.yml');
export const P = '/app/production/';
export const good: Record<string, Stored> = {
  [`${P}SMTP_PORT`]: { Type: 'String', Value: '587' },
  [`${P}HOST_NAME`]: { Type: 'String', Value: 'app.example.com' },
  [`${P}DB_PASSWORD`]: { Type: 'SecureString', Value: 'pa ss"word' },
  [`${P}MASTER_KEY`]: { Type: 'SecureString', Value: 'deadbeef' },
  [`${P}PLAIN`]: { Type: 'String', Value: 'x' },
  [`${P}OPTIONAL`]: { Type: 'String', Value: 'y' },
};

export async function verify(
  store: Record<string, Stored>,
  extra: Partial<Parameters<typeof verifyParameters>[0]> = {},
) {
  const ssm = fakeSsm(store);
  const masked: string[] = [];
  const result = await verifyParameters(
    { manifest, environment: 'production', region: 'eu-west-2', ...extra },
    { getParameters: () => ssm.get, setSecret: (v) => masked.push(v), sleep: async () => {} },
  );
  return { result, calls: ssm.calls, masked };
}

export function statuses(result: VerifyResult): Record<string, string> {
  return Object.fromEntries(
    result.parameters.map((p) => [p.name, `${p.status}${p.reasons.length ? `: ${p.reasons.join('; ')}` : ''}`]),
  );
}
