import { spawn, type ChildProcess } from 'node:child_process';
import { freePort, waitForHttp } from './ports';
import { pythonBin } from './repo';

export interface Moto {
  readonly endpoint: string;
  /** Environment for an SDK client or a bundled action pointed at this moto. */
  readonly env: Record<string, string>;
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export const TEST_ACCOUNT = '123456789012';
export const TEST_REGION = 'eu-west-2';

/** Dummy credentials for local endpoints; never real ones. */
export function localAwsEnv(endpoint: string, region = TEST_REGION): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: region,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_SESSION_TOKEN: 'testing',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

/** Starts a real moto server (the AWS APIs the tests talk to) on 127.0.0.1 and waits until it answers. */
export async function startMoto(): Promise<Moto> {
  const port = await freePort();
  const child: ChildProcess = spawn(pythonBin(), ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, MOTO_ALLOW_NONEXISTENT_REGION: 'true' },
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${endpoint}/moto-api/`, 60000);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`moto server did not start (is moto[server] installed? run .ci/run): ${String(error)}\n${stderr}`);
  }
  return {
    endpoint,
    env: localAwsEnv(endpoint),
    reset: async () => {
      await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
    },
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** SDK client configuration for a local endpoint (moto, the simulator): the test region and dummy credentials. */
export function localClientConfig(
  endpoint: string,
  region = TEST_REGION,
): { region: string; endpoint: string; credentials: { accessKeyId: string; secretAccessKey: string } } {
  return { region, endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
}
