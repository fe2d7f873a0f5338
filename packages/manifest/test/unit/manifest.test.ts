import * as path from 'node:path';
import { PLATFORM_PARAMETERS, REPO_ROOT } from '@deploy-actions/testing';
import {
  environment,
  loadManifest,
  parameterArn,
  parameterName,
  parametersFor,
  parseManifest,
  classifyReference,
  taskSecrets,
  type Reference,
} from '@deploy-actions/manifest';

const base = {
  version: 1,
  environments: {
    staging: { path: '/app/staging/', certificates: ['*.staging.example.com'] },
    production: { path: '/app/production', certificates: ['*.example.com'] },
  },
  parameters: [
    { name: 'SMTP_PORT', format: 'port' },
    { name: 'DB_PASSWORD', secret: true },
  ],
};

function withParam(param: unknown): unknown {
  return { ...base, parameters: [param] };
}

describe('parseManifest', () => {
  test('reads a valid manifest with defaults filled in', () => {
    const m = parseManifest(base, 'p.yml');
    expect(m.environments.get('production')?.path).toBe('/app/production/');
    expect(m.parameters).toEqual([
      { name: 'SMTP_PORT', type: 'String', secret: false, required: true, env: 'SMTP_PORT', format: { rule: 'port' } },
      { name: 'DB_PASSWORD', type: 'SecureString', secret: true, required: true, env: 'DB_PASSWORD' },
    ]);
  });

  test.each<[string, unknown, RegExp]>([
    ['not a mapping', [1, 2], /p\.yml: must be a mapping/],
    ['missing version', { ...base, version: undefined }, /p\.yml: version: is missing — set version: 1/],
    ['version 2', { ...base, version: 2 }, /version: is not a supported version — set version: 1/],
    ['unknown top-level key', { ...base, paramters: [] }, /p\.yml\.paramters: is not a known key — use one of/],
    ['no environments', { ...base, environments: {} }, /environments: must be a non-empty mapping/],
    ['environment not an object', { ...base, environments: { prod: '/x/' } }, /environments\.prod: must be an object/],
    ['environment without path', { ...base, environments: { prod: {} } }, /environments\.prod\.path: is missing/],
    [
      'relative path',
      { ...base, environments: { prod: { path: 'app/' } } },
      /environments\.prod\.path: is not an SSM path/,
    ],
    [
      'unknown environment key',
      { ...base, environments: { prod: { path: '/a/', region: 'x' } } },
      /environments\.prod\.region: is not a known key/,
    ],
    [
      'bad certificate',
      { ...base, environments: { prod: { path: '/a/', certificates: ['*'] } } },
      /environments\.prod\.certificates\[0\]: is not a host name or wildcard/,
    ],
    ['no parameters', { ...base, parameters: [] }, /parameters: must be a non-empty list/],
    ['parameter not an object', withParam('SMTP_PORT'), /parameters\[0\]: must be an object with 'name'/],
    ['parameter without name', withParam({ format: 'port' }), /parameters\[0\]\.name: is missing/],
    ['bad parameter name', withParam({ name: 'A B' }), /parameters\[0\]\.name: is not a parameter name/],
    [
      'unknown parameter key',
      withParam({ name: 'A', requried: false }),
      /parameters\[0\]\.requried: is not a known key/,
    ],
    ['secret not boolean', withParam({ name: 'A', secret: 'yes' }), /\(A\)\.secret: must be true or false/],
    [
      'unknown type',
      withParam({ name: 'A', type: 'Secret' }),
      /\(A\)\.type: is not an SSM type — use one of: String, SecureString, StringList/,
    ],
    ['secret as String', withParam({ name: 'A', secret: true, type: 'String' }), /a secret must be SecureString/],
    [
      'unknown rule',
      withParam({ name: 'A', format: 'phone' }),
      /\(A\)\.format: is not a known rule — use one of: port/,
    ],
    ['rule object without rule', withParam({ name: 'A', format: { length: 3 } }), /format\.rule: is missing/],
    ['hex length not a number', withParam({ name: 'A', format: { rule: 'hex', length: 'x' } }), /format\.length/],
    ['hex unknown key', withParam({ name: 'A', format: { rule: 'hex', size: 3 } }), /format\.size: is not a known key/],
    ['regex without pattern', withParam({ name: 'A', format: { rule: 'regex' } }), /format\.pattern: must be/],
    [
      'invalid regex',
      withParam({ name: 'A', format: { rule: 'regex', pattern: '(' } }),
      /format\.pattern: is not a valid regular expression \(unterminated group\)/,
    ],
    ['bad env var', withParam({ name: 'A', env: '1X' }), /\(A\)\.env: is not a valid environment variable/],
    [
      'unknown environment in parameter',
      withParam({ name: 'A', environments: ['prod'] }),
      /\(A\)\.environments\[0\]: is not an environment of this manifest — known environments: staging, production/,
    ],
    [
      'duplicate parameter',
      { ...base, parameters: [{ name: 'A' }, { name: 'A' }] },
      /parameters\[1\]\.name: 'A' is listed twice \(also parameters\[0\]\)/,
    ],
    [
      'two parameters, one variable',
      { ...base, parameters: [{ name: 'A' }, { name: 'B', env: 'A' }] },
      /variable 'A' is already given by parameter A/,
    ],
    [
      'certificate-host without certificates',
      { ...base, environments: { prod: { path: '/a/' } }, parameters: [{ name: 'H', format: 'certificate-host' }] },
      /environments\.prod\.certificates: is empty but parameter H uses the certificate-host rule/,
    ],
  ])('rejects %s', (_label, doc, message) => {
    expect(() => parseManifest(doc, 'p.yml')).toThrow(message);
  });

  test.each<[string, unknown]>([
    ['a rule', withParam({ name: 'A', format: 'Sup3rSecretRule' })],
    ['a rule object', withParam({ name: 'A', format: { rule: 'Sup3rSecretRule' } })],
    ['a regex', withParam({ name: 'A', format: { rule: 'regex', pattern: '(Sup3rSecret' } })],
    ['a path', { ...base, environments: { prod: { path: 'Sup3rSecret/' } } }],
    ['a parameter name', withParam({ name: 'Sup3r Secret' })],
    ['a type', withParam({ name: 'A', type: 'Sup3rSecret' })],
    ['a container', withParam({ name: 'A', container: 'Sup3r Secret' })],
    ['a variable', withParam({ name: 'A', env: 'Sup3r-Secret' })],
    ['an environment', withParam({ name: 'A', environments: ['Sup3rSecret'] })],
    ['a version', { ...base, version: 'Sup3rSecret' }],
  ])('never repeats what it found in %s', (_label, doc) => {
    expect(() => parseManifest(doc, 'p.yml')).toThrow(/p\.yml/);
    expect(() => parseManifest(doc, 'p.yml')).not.toThrow(/Sup3r/);
  });

  test('reports every problem at once', () => {
    const doc = { version: 1, environments: { prod: {} }, parameters: [{ name: 'A', type: 'X', format: 'nope' }] };
    expect(() => parseManifest(doc, 'p.yml')).toThrow(/3 problems:/);
  });
});

describe('lookups and names', () => {
  const m = parseManifest(
    {
      ...base,
      container: 'api',
      parameters: [{ name: 'A' }, { name: 'B', environments: ['production'], container: 'worker', env: 'B_VAR' }],
    },
    'p.yml',
  );

  test('unknown environment lists the known ones', () => {
    expect(() => environment(m, 'prod', "input 'environment'")).toThrow(
      "input 'environment': is not an environment of p.yml — known environments: staging, production",
    );
    expect(() => environment(m, 'prod')).toThrow('the environment: is not an environment of p.yml');
  });

  test.each([
    ['staging', ['A']],
    ['production', ['A', 'B']],
  ])('parameters of %s', (env, names) => {
    expect(parametersFor(m, env).map((p) => p.name)).toEqual(names);
  });

  test('full names and ARNs', () => {
    expect(parameterName(m, 'production', 'SMTP_PORT')).toBe('/app/production/SMTP_PORT');
    expect(parameterArn('eu-west-2', '123456789012', '/app/production/SMTP_PORT')).toBe(
      'arn:aws:ssm:eu-west-2:123456789012:parameter/app/production/SMTP_PORT',
    );
    expect(parameterArn('cn-north-1', '123456789012', 'PLAIN')).toBe(
      'arn:aws-cn:ssm:cn-north-1:123456789012:parameter/PLAIN',
    );
  });

  test('task secrets wire each parameter to its container', () => {
    expect(
      taskSecrets(m, 'production', { region: 'eu-west-2', account: '123456789012' }).map((s) => [
        s.container,
        s.name,
        s.valueFrom,
      ]),
    ).toEqual([
      ['api', 'A', 'arn:aws:ssm:eu-west-2:123456789012:parameter/app/production/A'],
      ['worker', 'B_VAR', 'arn:aws:ssm:eu-west-2:123456789012:parameter/app/production/B'],
    ]);
  });

  test.each<[string, Reference]>([
    ['/app/production/A', { kind: 'parameter', form: 'path', name: '/app/production/A' }],
    ['PLAIN', { kind: 'parameter', form: 'name', name: 'PLAIN' }],
    [
      'arn:aws:ssm:us-east-1:123456789012:parameter/app/production/A',
      { kind: 'parameter', form: 'arn', name: '/app/production/A', region: 'us-east-1', account: '123456789012' },
    ],
    [
      'arn:aws:ssm:eu-west-2:123456789012:parameter/PLAIN',
      { kind: 'parameter', form: 'arn', name: 'PLAIN', region: 'eu-west-2', account: '123456789012' },
    ],
    ['arn:aws:secretsmanager:eu-west-2:123456789012:secret:x', { kind: 'other' }],
    ['arn:aws:secretsmanager:eu-west-2:123456789012:secret:db-AbCdEf:password::', { kind: 'other' }],
    // What a value pasted into valueFrom looks like: never a reference, so never repeated.
    ['p@ss w0rd!', { kind: 'invalid' }],
    ['postgres://app:hunter2@db/app', { kind: 'invalid' }],
    ['wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY+', { kind: 'invalid' }],
    ['arn:aws:ssm:eu-west-2:123456789012:parameter/a b', { kind: 'invalid' }],
    // Examples' placeholders are ARNs of no real account: another service's business, not a pasted value.
    ['arn:aws:ssm:region:0123456789:parameter/secret', { kind: 'other' }],
    ['arn:${Partition}:secretsmanager:${Region}:${Account}:secret:${SecretId}', { kind: 'other' }],
    ['{{SECRETS_ARN}}:DATABASE_URL::', { kind: 'invalid' }],
    ['arn:not an arn', { kind: 'invalid' }],
    ['', { kind: 'invalid' }],
    ['/a//b', { kind: 'invalid' }],
    [`/${'a'.repeat(1011)}`, { kind: 'invalid' }],
  ])('classifies valueFrom %s', (valueFrom, expected) => {
    expect(classifyReference(valueFrom)).toEqual(expected);
  });
});

test('the shipped example manifest lists the 17 platform parameters', async () => {
  const m = await loadManifest(path.join(REPO_ROOT, 'examples/parameters.yml'));
  expect(m.parameters.map((p) => p.name).sort()).toEqual([...PLATFORM_PARAMETERS].sort());
  expect(m.parameters.filter((p) => p.secret).every((p) => p.type === 'SecureString')).toBe(true);
  expect(parameterName(m, 'staging', 'SMTP_PORT')).toBe('/learning-platform/staging/SMTP_PORT');
  expect(environment(m, 'production').certificates).toEqual(['*.zanda360.com', '*.smartlms.co.uk']);
});

test("a missing manifest file names the caller's input and the path", async () => {
  await expect(loadManifest('/nonexistent/p.yml', "input 'parameters-manifest'")).rejects.toThrow(
    "input 'parameters-manifest': file '/nonexistent/p.yml' does not exist",
  );
  await expect(loadManifest('/nonexistent/p.yml')).rejects.toThrow(
    "the parameters manifest: file '/nonexistent/p.yml' does not exist",
  );
});
