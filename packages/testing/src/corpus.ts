// The corpus of public task definition files (packages/taskdef/test/corpus, sources in SOURCES.tsv) and what AWS
// does with each: most register as they are; the rest AWS refuses, for the reason recorded here. The corpus
// tests and `npm run bench` count accepted, rightly refused and falsely refused files against this.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from './repo';

export const CORPUS_DIR = path.join(REPO_ROOT, 'packages/taskdef/test/corpus');

export interface CorpusFile {
  readonly file: string;
  readonly repository: string;
  readonly path: string;
  readonly commit: string;
}

export function corpusFiles(): CorpusFile[] {
  return readFileSync(path.join(CORPUS_DIR, 'SOURCES.tsv'), 'utf8')
    .split('\n')
    .slice(1)
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [file = '', repository = '', source = '', commit = ''] = line.split('\t');
      return { file, repository, path: source, commit };
    });
}

/** Placeholder accounts (XXXXXXXXXXXX, YOUR_ACCOUNT_ID) and templates: AWS answers "Role is not valid". */
const ROLES = ['taskRoleArn', 'executionRoleArn'];

/**
 * Files AWS refuses as they are, with the fields (or phrases) the refusal must name. `roleInputs`: the refusal is
 * only the placeholder roles, so with task-role-arn / execution-role-arn given as inputs the file renders.
 */
export const CORPUS_REFUSALS: Readonly<
  Record<string, { readonly names: readonly string[]; readonly roleInputs?: true }>
> = {
  'Extelligence-ai--bagel.json': { names: ROLES, roleInputs: true },
  'LunarLogic--zupa--production.json': { names: ['family', ...ROLES] },
  'nkuik--automation-api.yaml': { names: ['executionRoleArn'], roleInputs: true },
  'aws-samples--amazon-ecs-firelens-examples--fluent-bit-dynatrace-task-definition.json': {
    names: ['is not valid JSON', 'line 34, column 20'],
  },
  'aws-samples--amazon-ecs-firelens-examples--fluent-bit-forward-to-aggregator-task-definition.json': {
    names: ['executionRoleArn'],
    roleInputs: true,
  },
  'aws-samples--amazon-ecs-firelens-examples--fluent-bit-logstash-task-definition.json': {
    names: ['containerDefinitions[1].portMappings: must be a list, not an object'],
  },
  'aws-samples--amazon-ecs-firelens-examples--fluent-bit-signalfx-task-definition.json': {
    names: ['logConfiguration.secretOptions: must be a list, not an object'],
  },
  ...Object.fromEntries(
    ['gunicorn', 'jetty', 'kibana', 'nginx', 'tomcat', 'wildfly'].map((name) => [
      `aws-samples--aws-containers-task-definitions--${name}-${name}_fargate.json`,
      { names: ['executionRoleArn: is missing', 'logs to CloudWatch on Fargate'] },
    ]),
  ),
  'aws-samples--aws-containers-task-definitions--kibana-kibana_ec2.json': {
    names: ['hostPort: is 80 but containerPort is 5601; under awsvpc they must be equal'],
  },
  'aws-samples--aws-containers-task-definitions--tomcat-tomcat_ec2.json': {
    names: ['hostPort: is 80 but containerPort is 8080; under awsvpc they must be equal'],
  },
};

/**
 * The refusal of a file: listed above, or a role ARN whose account is a placeholder (XXXXXXXXXXXX, xxxxxxxxxx,
 * aws_account_id, 11 digits...), which is all that is wrong with the firelens examples.
 */
export function corpusRefusal(
  file: string,
): { readonly names: readonly string[]; readonly roleInputs?: true } | undefined {
  const listed = CORPUS_REFUSALS[file];
  if (listed) return listed;
  const text = readFileSync(path.join(CORPUS_DIR, file), 'utf8');
  return /:iam::(?!\d{12}:)[^:"]*:role\//.test(text)
    ? { names: ROLES.filter((r) => text.includes(`"${r}"`)), roleInputs: true }
    : undefined;
}

/** Role ARNs a user would give as inputs in place of the placeholders. */
export const CORPUS_ROLE_INPUTS = {
  'task-role-arn': 'arn:aws:iam::123456789012:role/app-task',
  'execution-role-arn': 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole',
} as const;
