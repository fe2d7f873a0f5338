// packages/infra reads templates as CloudFormation does; infra-stack.test.ts proves it against moto on the
// real template (the roles it reads are the ones created). These cases pin the rules one by one.
import { parseTemplate, Resolver, text } from '@deploy-actions/infra';

const template = parseTemplate(
  `
Parameters:
  Env: { Type: String, Default: staging }
  Count: { Type: Number, Default: 2 }
  Cidrs: { Type: CommaDelimitedList, Default: '10.0.0.0/24,10.0.1.0/24' }
Conditions:
  Two: !Equals [!Ref Count, 2]
  Staging: !Equals [!Ref Env, staging]
  Both: !And [!Condition Two, !Not [!Condition Staging]]
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      RoleName: !Sub 'app-\${Env}'
      Tags: [!If [Staging, { Key: env, Value: !Ref Env }, !Ref AWS::NoValue], { Key: n, Value: !Select [1, !Ref Cidrs] }]
      Path: !Sub ['/\${A}/\${AWS::Region}/', { A: !Join ['-', [x, !Ref Env]] }]
      Arn: !GetAtt Role.Arn
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      Host: !GetAtt Db.Endpoint.Address
  Only:
    Type: AWS::S3::Bucket
    Condition: Both
    Properties: { BucketName: only }
`,
  'test.yml',
);
const props = (r: Resolver, id: string) => r.resolve(template.Resources[id]?.Properties ?? {});

test('short forms become long forms; !GetAtt splits at the first dot only', () => {
  expect(template.Resources['Db']?.Properties?.['Host']).toEqual({ 'Fn::GetAtt': ['Db', 'Endpoint.Address'] });
  expect(template.Conditions['Both']).toEqual({
    'Fn::And': [{ Condition: 'Two' }, { 'Fn::Not': [{ Condition: 'Staging' }] }],
  });
});

test('parameters, Sub with and without variables, Select, Join, If with AWS::NoValue, known ARNs', () => {
  const r = new Resolver(template, {});
  expect(props(r, 'Role')).toEqual({
    RoleName: 'app-staging',
    Tags: [
      { Key: 'env', Value: 'staging' },
      { Key: 'n', Value: '10.0.1.0/24' },
    ],
    Path: '/x-staging/eu-west-2/',
    Arn: 'arn:aws:iam::123456789012:role/app-staging',
  });
  const production = new Resolver(template, { Env: 'production' });
  expect((props(production, 'Role') as { Tags: unknown[] }).Tags).toEqual([{ Key: 'n', Value: '10.0.1.0/24' }]);
});

test('Fn::Equals compares as text, as CloudFormation does (a Number parameter "2" equals 2)', () => {
  expect(new Resolver(template, {}).condition('Two')).toBe(true);
  expect(new Resolver(template, { Count: '3' }).condition('Two')).toBe(false);
  expect(new Resolver(template, { Env: 'production' }).creates(template.Resources['Only'] ?? { Type: '' })).toBe(true);
  expect(new Resolver(template, {}).creates(template.Resources['Only'] ?? { Type: '' })).toBe(false);
});

test('what only AWS knows is an error naming it, or a placeholder when asked for', () => {
  expect(() => props(new Resolver(template, {}), 'Db')).toThrow(
    'Fn::GetAtt Db.Endpoint.Address is known only once AWS created it',
  );
  expect(props(new Resolver(template, {}, undefined, { placeholders: true }), 'Db')).toEqual({
    Host: '{{GetAtt Db.Endpoint.Address}}',
  });
  expect(() => new Resolver(template, { Nope: 'x' })).toThrow('Nope is not a parameter of the template');
  expect(() => text(['a'], 'Where')).toThrow('Where: expected a string, found a list or map');
});
