// Task definition wiring: references resolved, found where they are, never repeated when they are no reference.
import { outcome, summaryMarkdown, reportJson, taskDefinitionRefs, verifyParameters } from '@deploy-actions/params';
import { fakeSsm, good, manifest, P, statuses, verify } from './fixtures';

describe('task definition cross-check', () => {
  const td = (containers: unknown[]) =>
    taskDefinitionRefs({ family: 'api', containerDefinitions: containers }, 'td.json');
  const allRefs = Object.keys(good).map((n) => ({ name: n.slice(P.length), valueFrom: n }));

  test('every reference resolves, ARN form in either region', async () => {
    const refs = [
      ...allRefs.slice(0, 4),
      { name: 'PLAIN', valueFrom: `arn:aws:ssm:eu-west-2:123456789012:parameter${P}PLAIN` },
      { name: 'OPTIONAL', valueFrom: `arn:aws:ssm:us-east-1:123456789012:parameter${P}OPTIONAL` },
      { name: 'SM', valueFrom: 'arn:aws:secretsmanager:eu-west-2:123456789012:secret:db-AbCdEf' },
    ];
    const ssm = fakeSsm(good);
    const regions: string[] = [];
    const result = await verifyParameters(
      {
        manifest,
        environment: 'production',
        region: 'eu-west-2',
        taskDefinitions: [td([{ name: 'api', secrets: refs }])],
      },
      { getParameters: (r) => (regions.push(r), ssm.get), setSecret: () => {} },
    );
    expect(result.findings).toEqual([]);
    expect(result.parameters.every((p) => p.status === 'ok')).toBe(true);
    expect(regions).toEqual(['eu-west-2', 'us-east-1']);
  });

  test('broken wiring is reported', async () => {
    const result = (
      await verify(good, {
        taskDefinitions: [
          td([
            {
              name: 'api',
              secrets: [
                { name: 'SMTP_PORT', valueFrom: `${P}SMTP_PORT` },
                { name: 'GONE', valueFrom: `arn:aws:ssm:eu-west-2:123456789012:parameter${P}GONE` },
                { name: 'HOST_NAME', valueFrom: '/app/staging/HOST_NAME' },
              ],
              environment: [{ name: 'DB_PASSWORD', value: 'oops' }],
            },
          ]),
        ],
      })
    ).result;
    const messages = result.findings.map((f) => `${f.level} ${f.where}: ${f.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^error td\.json container 'api': secret GONE: valueFrom arn:.*GONE does not exist in eu-west-2$/,
        ),
        expect.stringMatching(/^error td\.json container 'api': sets secret DB_PASSWORD as a plain environment value/),
        expect.stringMatching(
          /^warning td\.json container 'api': secret HOST_NAME reads \/app\/staging\/HOST_NAME, a parameter of environment 'staging'/,
        ),
        expect.stringMatching(
          /^error td\.json container 'api': secret HOST_NAME: valueFrom \/app\/staging\/HOST_NAME does not exist/,
        ),
      ]),
    );
    expect(statuses(result)['DB_PASSWORD']).toBe('warning: no task definition references it');
    expect(statuses(result)['SMTP_PORT']).toBe('ok');
    const out = outcome(result, false);
    expect(out.missing).toEqual(expect.arrayContaining([`${P}GONE`, '/app/staging/HOST_NAME']));
    expect(out.failed).toBe(true);
  });

  test.each([
    [{ containerDefinitions: 'x' }, /td\.json: is not a task definition/],
    [
      { containerDefinitions: [{ name: 'a', secrets: [{ name: 'X' }] }] },
      /td\.json: containerDefinitions\[0\]\.secrets\[0\]: must have string name and valueFrom/,
    ],
  ])('rejects a malformed task definition %#', (docum, message) => {
    expect(() => taskDefinitionRefs(docum, 'td.json')).toThrow(message);
  });

  test('describe-task-definition output is accepted', () => {
    expect(
      taskDefinitionRefs({ taskDefinition: { containerDefinitions: [{ name: 'a' }] } }, 'd.json').containers,
    ).toEqual([{ label: "container 'a'", secrets: [], environment: [] }]);
  });
});

describe('a valueFrom that is no reference (a value pasted there by mistake)', () => {
  const SECRET = 'Pz7!qK2#vL9@xR4$';
  const HEX = '9f86d081884c7d659a2feaa0c55ad015';
  const td = (secrets: unknown[], name = 'api') =>
    taskDefinitionRefs({ family: 'api', containerDefinitions: [{ name, secrets }] }, 'td.json');

  async function check(secrets: unknown[], name?: string) {
    const ssm = fakeSsm(good);
    const result = await verifyParameters(
      { manifest, environment: 'production', region: 'eu-west-2', taskDefinitions: [td(secrets, name)] },
      { getParameters: () => ssm.get, setSecret: () => {} },
    );
    const out = outcome(result, false);
    const everything = [
      JSON.stringify(result),
      JSON.stringify(out),
      summaryMarkdown(result, out),
      reportJson(result, out),
    ].join('\n');
    return { result, out, everything, sent: ssm.calls.flatMap((c) => c.Names) };
  }

  test('is an error that says where and what was expected, never what it is, and is never sent to AWS', async () => {
    const { out, everything, sent } = await check([{ name: 'DB_PASSWORD', valueFrom: SECRET }]);
    expect(out.failed).toBe(true);
    expect(out.invalid.map((i) => i.name)).toEqual(['DB_PASSWORD']);
    expect(out.invalid[0]?.reason).toMatch(
      /^td\.json container 'api': secret DB_PASSWORD: valueFrom is neither a Parameter Store name, path or ARN nor another service's ARN \(not shown: .*\) — expected e\.g\. \/app\/production\/DB_PASSWORD or arn:aws:ssm:<region>:<account>:parameter\/app\/production\/DB_PASSWORD$/,
    );
    expect(out.missing).toEqual([]);
    for (let i = 0; i + 6 <= SECRET.length; i++) expect(everything).not.toContain(SECRET.slice(i, i + 6));
    expect(sent.some((n) => n.includes('Pz7'))).toBe(false);
  });

  test('a bare name that does not exist is not repeated either (a hex key looks like one), and the manifest path is suggested', async () => {
    const { out, everything } = await check([{ name: 'MASTER_KEY', valueFrom: HEX }]);
    expect(out.invalid.map((i) => i.name)).toEqual(['MASTER_KEY']);
    expect(out.invalid[0]?.reason).toContain(
      "secret MASTER_KEY: valueFrom is a bare parameter name that does not exist in eu-west-2 (not shown: a value pasted there by mistake looks the same) — use the full path (the manifest's is /app/production/MASTER_KEY)",
    );
    for (let i = 0; i + 6 <= HEX.length; i++) expect(everything).not.toContain(HEX.slice(i, i + 6));
  });

  test('an invalid variable or container name is pointed at by position, not repeated', async () => {
    const { out, everything } = await check([{ name: SECRET, valueFrom: SECRET }], SECRET);
    expect(out.invalid[0]?.reason).toMatch(/^td\.json containerDefinitions\[0\]: secrets\[0\]: valueFrom is neither/);
    for (let i = 0; i + 6 <= SECRET.length; i++) expect(everything).not.toContain(SECRET.slice(i, i + 6));
  });

  test('paths and ARNs that do not exist are named: they are references', async () => {
    const { out } = await check([
      { name: 'GONE', valueFrom: `${P}GONE` },
      { name: 'ALSO_GONE', valueFrom: `arn:aws:ssm:eu-west-2:123456789012:parameter${P}ALSO_GONE` },
      { name: 'SM', valueFrom: 'arn:aws:secretsmanager:eu-west-2:123456789012:secret:db-AbCdEf' },
    ]);
    expect(out.missing).toEqual([`${P}GONE`, `${P}ALSO_GONE`]);
    expect(out.invalid).toEqual([]);
  });
});

test('a missing required parameter that a task references is counted once, as missing', async () => {
  const store = { ...good };
  delete store[`${P}SMTP_PORT`];
  const { result } = await verify(store, {
    taskDefinitions: [
      taskDefinitionRefs(
        { containerDefinitions: [{ name: 'api', secrets: [{ name: 'SMTP_PORT', valueFrom: `${P}SMTP_PORT` }] }] },
        'td.json',
      ),
    ],
  });
  const out = outcome(result, false);
  expect(out.missing).toEqual([`${P}SMTP_PORT`]);
  expect(out.counts).toMatchObject({ missing: 1, invalid: 0 });
  expect(out.problems.filter((p) => p.level === 'missing')).toHaveLength(1);
});

test('an optional parameter a task needs is an error when it does not exist', async () => {
  const store = { ...good };
  delete store[`${P}OPTIONAL`];
  const { result } = await verify(store, {
    taskDefinitions: [
      taskDefinitionRefs(
        { containerDefinitions: [{ name: 'api', secrets: [{ name: 'OPTIONAL', valueFrom: `${P}OPTIONAL` }] }] },
        'td.json',
      ),
    ],
  });
  expect(statuses(result)['OPTIONAL']).toBe('warning: does not exist (optional)');
  const out = outcome(result, false);
  expect(out.failed).toBe(true);
  expect(out.missing).toEqual([`${P}OPTIONAL`]);
  expect(out.problems.find((p) => p.level === 'missing')?.reason).toMatch(/this task needs it/);
});
