// What check-dist holds every bundle to: a size budget, and nothing a bundle must not contain (an unresolved
// require, an undeclared external, browser-only code, two builds of one package).
import { builtinModules } from 'node:module';
import { EXTERNALS } from './build-config.mjs';

/**
 * dist/index.js budgets in bytes: the size at the last deliberate change plus about 10 %, and never above 40 % of
 * aws-actions' bundle of the same job (render-task-definition v1.9.0: 2,161,189 B for render-task-def,
 * verify-params and build-nginx-image; deploy-task-definition v2.6.3: 2,628,630 B for deploy-service).
 * Raising one is a reviewed decision: say in the commit what grew and why (the package list below shows it).
 */
export const BUDGETS = {
  'build-nginx-image': 660_000,
  'deploy-service': 840_000,
  'render-task-def': 730_000,
  'verify-params': 740_000,
};
const CAPS = { 'deploy-service': 0.4 * 2_628_630 };
const DEFAULT_CAP = 0.4 * 2_161_189;

const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

/**
 * What is wrong with one build, as messages (empty: nothing). `build` is what buildAction returns; `texts` the
 * code of index.js and of every chunk.
 */
export function problems(build, texts) {
  const found = [];
  const budget = BUDGETS[build.name];
  const cap = CAPS[build.name] ?? DEFAULT_CAP;
  if (budget === undefined) found.push(`no budget in check-dist.mjs for ${build.name}: add one`);
  else if (budget > cap) found.push(`its budget ${budget} B is above 40 % of aws-actions' bundle (${Math.floor(cap)} B)`);
  else if (build.bytes > budget) {
    found.push(`dist/index.js is ${build.bytes} B, past its budget of ${budget} B (largest packages above)`);
  }
  if (texts.some((t) => /eval\(["']require["']\)/.test(t))) {
    found.push('contains eval("require"): an import was not resolved by ncc');
  }
  const builds = new Map();
  for (const source of build.sources) {
    const external = /^external (?:node-commonjs|module) "(.+)"$/.exec(source)?.[1];
    if (external !== undefined) {
      if (!builtins.has(external) && !(external in EXTERNALS)) {
        found.push(`imports '${external}' at run time: bundle it, or declare it in EXTERNALS (build.mjs) with the reason`);
      }
      continue;
    }
    if (/(^|[/.])browser([/.]|$)/.test(source.replace(/^.*node_modules[\\/]/, ''))) {
      found.push(`bundles browser-only code: ${source}`);
    }
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(dist-es|dist-cjs)\//.exec(source);
    if (pkg) builds.set(pkg[1], new Set([...(builds.get(pkg[1]) ?? []), pkg[2]]));
  }
  for (const [name, kinds] of builds) {
    if (kinds.size > 1) found.push(`bundles both the ESM and the CommonJS build of ${name}`);
  }
  return [...new Set(found)];
}

