// docs/iam is generated from infra/platform.yml (`npm run iam-docs`): the template is the one source of the
// roles, and this test keeps the committed documents equal to what the template creates.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '@deploy-actions/testing';
import { IAM_DOCS_DIR, iamDocuments } from '@deploy-actions/infra';

function filesUnder(dir: string): string[] {
  return readdirSync(path.join(REPO_ROOT, dir)).flatMap((entry) => {
    const rel = path.posix.join(dir, entry);
    return statSync(path.join(REPO_ROOT, rel)).isDirectory() ? filesUnder(rel) : [rel];
  });
}

const generated = iamDocuments(REPO_ROOT);

test('docs/iam holds exactly the documents the template generates (run `npm run iam-docs` after changing it)', () => {
  expect(filesUnder(IAM_DOCS_DIR).sort()).toEqual([...generated.keys()].sort());
  for (const [file, content] of generated) {
    expect([file, readFileSync(path.join(REPO_ROOT, file), 'utf8')]).toEqual([file, content]);
  }
});

test('every role has its trust policy and one document per policy, and the setup guide links the index', () => {
  const roles = [...generated.keys()].filter((f) => f.endsWith('/trust.json')).map((f) => f.split('/')[2]);
  expect(roles).toEqual(
    expect.arrayContaining([
      'learning-platform-deploy-staging',
      'learning-platform-deploy-production',
      'learning-platform-ecs-task-execution-staging',
      'learning-platform-ecs-task-execution-production',
      'learning-platform-api-task-staging',
      'learning-platform-api-task-production',
      'learning-platform-ecr-push-api',
    ]),
  );
  const index = generated.get(`${IAM_DOCS_DIR}/README.md`) ?? '';
  for (const file of generated.keys()) {
    if (file.endsWith('.json'))
      expect([file, index.includes(`(${path.posix.relative(IAM_DOCS_DIR, file)})`)]).toEqual([file, true]);
  }
  expect(readFileSync(path.join(REPO_ROOT, 'docs/aws-setup.md'), 'utf8')).toContain('(iam/README.md)');
});
