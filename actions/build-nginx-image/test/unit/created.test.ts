import { creationTime } from '../../src/created';

const SHA = '0123456789abcdef0123456789abcdef01234567';
const event = JSON.stringify({ head_commit: { id: SHA, timestamp: '2024-05-01T12:00:00+02:00' } });

test.each([
  [
    'SOURCE_DATE_EPOCH wins',
    { SOURCE_DATE_EPOCH: '1700000000', GITHUB_EVENT_PATH: '/e' },
    1700000000,
    'SOURCE_DATE_EPOCH',
  ],
  [
    'the pushed commit from the event',
    { GITHUB_EVENT_PATH: '/e' },
    Date.parse('2024-05-01T10:00:00Z') / 1000,
    'event payload',
  ],
  ['git when the event is not about this commit', { GITHUB_EVENT_PATH: '/other' }, 1600000000, 'git'],
  ['git without an event', {}, 1600000000, 'git'],
])('%s', async (_label, extra, epoch, source) => {
  const created = await creationTime({
    env: { GITHUB_SHA: SHA, GITHUB_WORKSPACE: '/ws', ...extra },
    readText: async (file) => (file === '/e' ? event : JSON.stringify({ head_commit: { id: 'other' } })),
    gitCommitTime: async (ws, sha) => (ws === '/ws' && sha === SHA ? 1600000000 : undefined),
  });
  expect(created.epoch).toBe(epoch);
  expect(created.source).toContain(source);
  expect(created.iso).toBe(new Date(epoch * 1000).toISOString().replace('.000Z', 'Z'));
});

test('nothing known: the epoch, saying so', async () => {
  const created = await creationTime({ env: { GITHUB_SHA: SHA }, gitCommitTime: async () => undefined });
  expect(created).toEqual({
    epoch: 0,
    iso: '1970-01-01T00:00:00Z',
    source: expect.stringContaining('none found') as string,
  });
});

test('a malformed SOURCE_DATE_EPOCH is an error', async () => {
  await expect(creationTime({ env: { SOURCE_DATE_EPOCH: 'yesterday' } })).rejects.toThrow(
    "SOURCE_DATE_EPOCH: 'yesterday' is not a whole number of seconds",
  );
});
