import { PutParameterCommand, type ParameterType, type SSMClient } from '@aws-sdk/client-ssm';

/** Parameters to seed, by full name. */
export type SeedParameters = Record<string, { readonly type: `${ParameterType}`; readonly value: string }>;

/** Puts (or overwrites) parameters, `concurrency` requests in flight at once (moto answers one at a time). */
export async function putParameters(ssm: SSMClient, values: SeedParameters, concurrency = 20): Promise<void> {
  const entries = Object.entries(values);
  for (let i = 0; i < entries.length; i += concurrency) {
    await Promise.all(
      entries
        .slice(i, i + concurrency)
        .map(([Name, p]) => ssm.send(new PutParameterCommand({ Name, Type: p.type, Value: p.value, Overwrite: true }))),
    );
  }
}
