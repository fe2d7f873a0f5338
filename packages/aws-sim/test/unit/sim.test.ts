// Pure parts of the simulator: wire-format helpers, the simulated clock and scheduler, scenario rules, paging.
import { Scheduler, compressedClock, manualClock } from '../../src/clock';
import { paginate } from '../../src/context';
import { AwsError, jsonError, parseQuery, queryError, queryResponse, strList, toXml } from '../../src/protocol';
import { resolveScenario, type ScenarioRule } from '../../src/scenarios';

describe('awsQuery request decoding', () => {
  test.each([
    ['Action=DescribeTargetGroups&Version=2015-12-01', 'DescribeTargetGroups', {}],
    [
      'Action=DescribeTargetGroups&Version=2015-12-01&Names.member.1=a&Names.member.2=b',
      'DescribeTargetGroups',
      { Names: ['a', 'b'] },
    ],
    [
      'Action=RegisterTargets&Version=2015-12-01&TargetGroupArn=arn%3Ax&Targets.member.2.Id=10.0.0.2&Targets.member.1.Id=10.0.0.1&Targets.member.1.Port=80',
      'RegisterTargets',
      { TargetGroupArn: 'arn:x', Targets: [{ Id: '10.0.0.1', Port: '80' }, { Id: '10.0.0.2' }] },
    ],
    ['Action=X&Version=1&Matcher.HttpCode=200', 'X', { Matcher: { HttpCode: '200' } }],
    ['Action=DescribeTargetGroups&Version=2015-12-01&Names=', 'DescribeTargetGroups', { Names: '' }],
  ])('%s', (body, action, params) => {
    const q = parseQuery(body);
    expect(q.action).toBe(action);
    expect(q.params).toEqual(params);
  });
});

test('an empty awsQuery list (`Names=`) reads as an empty list', () => {
  expect(strList(parseQuery('Action=X&Version=1&Names=').params, 'Names')).toEqual([]);
});

describe('awsQuery XML', () => {
  test('lists become <member> elements, dates ISO 8601, text escaped, undefined omitted', () => {
    const xml = toXml({
      A: ['x', 'y'],
      B: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)),
      C: 'a<b&"c"',
      D: undefined,
      E: 3,
      F: false,
    });
    expect(xml).toBe(
      '<A><member>x</member><member>y</member></A><B>2026-01-02T03:04:05.000Z</B><C>a&lt;b&amp;&quot;c&quot;</C><E>3</E><F>false</F>',
    );
  });

  test('a response wraps the result in <Action>Response/<Action>Result with the namespace and a request id', () => {
    const xml = queryResponse(
      'GetCallerIdentity',
      'https://sts.amazonaws.com/doc/2011-06-15/',
      { Account: '1' },
      'rid',
    );
    expect(xml).toContain('<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">');
    expect(xml).toContain('<GetCallerIdentityResult><Account>1</Account></GetCallerIdentityResult>');
    expect(xml).toContain('<ResponseMetadata><RequestId>rid</RequestId></ResponseMetadata>');
  });

  test.each([
    [new AwsError('TargetGroupNotFound', 'One or more target groups not found'), 'Sender'],
    [new AwsError('InternalFailure', 'boom', 500), 'Receiver'],
  ])('errors: %s is a %s fault', (error, type) => {
    expect(queryError(error, 'rid')).toContain(
      `<Error><Type>${type}</Type><Code>${error.code}</Code><Message>${error.message}</Message></Error>`,
    );
  });

  test('JSON errors carry __type and message', () => {
    expect(JSON.parse(jsonError(new AwsError('ClusterNotFoundException', 'Cluster not found.')))).toEqual({
      __type: 'ClusterNotFoundException',
      message: 'Cluster not found.',
    });
  });
});

describe('simulated time', () => {
  test('a compressed clock runs timeScale times faster than real time', () => {
    let real = 1_000_000;
    const clock = compressedClock(600, () => real);
    const start = clock.now();
    real += 100;
    expect(clock.now() - start).toBe(60_000);
  });

  test.each([0, -1, Number.NaN])('timeScale %s is refused', (scale) => {
    expect(() => compressedClock(scale)).toThrow(/timeScale must be a positive number/);
  });

  test('the scheduler runs due jobs in time order, each seeing its own time, and jobs may schedule more', () => {
    const clock = manualClock(0);
    const s = new Scheduler(clock);
    const seen: [string, number][] = [];
    s.at(30, (t) => seen.push(['c', t]));
    s.at(10, (t) => {
      seen.push(['a', t]);
      s.after(5, (t2) => seen.push(['a+5', t2]));
    });
    s.at(10, (t) => seen.push(['b', t]));
    clock.advance(20);
    s.advance();
    expect(seen).toEqual([
      ['a', 10],
      ['b', 10],
      ['a+5', 15],
    ]);
    expect(s.now()).toBe(20);
    expect(s.pending).toBe(1);
    clock.advance(100);
    s.advance();
    expect(seen.at(-1)).toEqual(['c', 30]);
    expect(s.pending).toBe(0);
  });

  test('a job scheduled in the past runs at the current time, not before it', () => {
    const clock = manualClock(100);
    const s = new Scheduler(clock);
    let at = 0;
    s.at(50, (t) => (at = t));
    s.advance();
    expect(at).toBe(100);
  });
});

describe('scenario rules', () => {
  const rules: ScenarioRule[] = [
    { service: 'api', scenario: 'crash' },
    { image: 'nginx:bad', scenario: 'pull-failure' },
    { service: 'api', image: 'fixed', scenario: 'healthy' },
  ];
  test.each([
    ['web', ['nginx:1.27'], 'healthy'],
    ['web', ['nginx:bad-tag'], 'pull-failure'],
    ['api', ['busybox'], 'crash'],
    ['api', ['busybox:fixed'], 'healthy'],
    [undefined, ['busybox'], 'healthy'],
    [undefined, ['sidecar', 'nginx:bad'], 'pull-failure'],
  ] as const)('service %s, images %j -> %s', (service, images, expected) => {
    expect(resolveScenario(rules, service, images)).toBe(expected);
  });
});

describe('paging', () => {
  test('pages through every item exactly once', () => {
    const items = Array.from({ length: 25 }, (_, i) => i);
    const seen: number[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const { page, nextToken } = paginate(items, 10, token, 50);
      seen.push(...page);
      token = nextToken;
      pages++;
    } while (token !== undefined);
    expect(seen).toEqual(items);
    expect(pages).toBe(3);
  });

  test.each(['not-a-token', Buffer.from('-3').toString('base64url')])('token %s is refused as AWS does', (token) => {
    let error: unknown;
    try {
      paginate([1], 1, token, 10, 'InvalidNextToken');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AwsError);
    expect((error as AwsError).code).toBe('InvalidNextToken');
  });

  test('the service limit caps maxResults', () => {
    expect(paginate([1, 2, 3, 4], 100, undefined, 2).page).toEqual([1, 2]);
  });
});
