import { SSMClient, PutParameterCommand, GetParameterCommand } from '@aws-sdk/client-ssm';
import { startMoto, TEST_REGION, type Moto } from '@deploy-actions/testing';

let moto: Moto;
beforeAll(async () => {
  moto = await startMoto();
});
afterAll(async () => {
  await moto.stop();
});

test('moto server answers SDK calls through AWS_ENDPOINT_URL', async () => {
  const ssm = new SSMClient({
    region: TEST_REGION,
    endpoint: moto.endpoint,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  await ssm.send(new PutParameterCommand({ Name: '/x/A', Value: 'v', Type: 'String' }));
  const got = await ssm.send(new GetParameterCommand({ Name: '/x/A' }));
  expect(got.Parameter?.Value).toBe('v');
  await moto.reset();
  await expect(ssm.send(new GetParameterCommand({ Name: '/x/A' }))).rejects.toThrow();
});
