/**
 * Regenerates docs/iam from infra/platform.yml (the roles' single source): `npm run iam-docs`. Removes files
 * the template no longer produces, so a renamed role or policy leaves nothing stale behind.
 */
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { IAM_DOCS_DIR, iamDocuments } from '@deploy-actions/infra';
import { REPO_ROOT } from '@deploy-actions/testing';

function existing(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry);
    return statSync(full).isDirectory() ? existing(full) : [full];
  });
}

const files = iamDocuments(REPO_ROOT);
const wanted = new Set([...files.keys()].map((f) => path.join(REPO_ROOT, f)));
const dir = path.join(REPO_ROOT, IAM_DOCS_DIR);
mkdirSync(dir, { recursive: true });
for (const file of existing(dir)) if (!wanted.has(file)) rmSync(file);
for (const entry of readdirSync(dir)) {
  const full = path.join(dir, entry);
  if (statSync(full).isDirectory() && readdirSync(full).length === 0) rmSync(full, { recursive: true });
}
for (const [file, content] of files) {
  mkdirSync(path.dirname(path.join(REPO_ROOT, file)), { recursive: true });
  writeFileSync(path.join(REPO_ROOT, file), content);
}
console.log(`${files.size} file(s) in ${IAM_DOCS_DIR}`);
