// The tools behind check-dist: bytes attributed to packages through the source map, and the rules every bundle
// is held to. Each rule is shown to fail on a build that breaks it.
import { packageOf, packageSizes } from '../../scripts/bundle-stats.mjs';
import { BUDGETS, problems, type BuildResult } from '../../scripts/dist-rules.mjs';

describe('packageSizes', () => {
  test('each generated span belongs to the source of the segment that starts it; bytes are UTF-8', () => {
    const map = {
      sources: ['../../../node_modules/@scope/pkg/dist-es/a.js', '../../../packages/core/src/x.ts'],
      // line 1: col 0 → source 0, col 3 → source 1; line 2: col 0 → source 0, col 3 → unmapped
      mappings: 'AAAA,GCAA;ADAA,G',
    };
    const sizes = packageSizes('abcdé\nxyzQQQ', map, 'actions/x');
    expect(sizes).toEqual([
      { name: '@scope/pkg', bytes: 6 },
      { name: '(unmapped)', bytes: 4 },
      { name: '@deploy-actions/core', bytes: 3 },
    ]);
    expect(sizes.reduce((sum, s) => sum + s.bytes, 0)).toBe(Buffer.byteLength('abcdé\nxyzQQQ'));
  });

  test.each([
    ['../../../node_modules/yaml/dist/index.js', 'yaml'],
    ['../../../node_modules/@aws-sdk/core/node_modules/@smithy/core/dist-cjs/index.js', '@smithy/core'],
    ['../../../packages/taskdef/src/render.ts', '@deploy-actions/taskdef'],
    ['../src/main.ts', 'actions/x'],
    ['external node-commonjs "node:fs"', '(node built-ins and externals)'],
    ['../webpack/runtime/async module', '(webpack runtime)'],
  ])('%s belongs to %s', (source, name) => {
    expect(packageOf(source, 'actions/x')).toBe(name);
  });

  test('a malformed map is an error, not a silent zero', () => {
    expect(() => packageSizes('a', { sources: ['x'], mappings: 'A!AA' })).toThrow(/bad base64/);
  });
});

describe('problems', () => {
  const clean = (over: Partial<BuildResult> = {}): BuildResult => ({
    name: 'render-task-def',
    bytes: 500_000,
    packages: [],
    sources: [
      '../../../node_modules/@aws-sdk/client-ecs/dist-es/ECSClient.js',
      '../../../node_modules/@smithy/core/dist-cjs/index.js',
      'external node-commonjs "node:fs"',
      'external node-commonjs "os"',
      'external node-commonjs "bowser"',
    ],
    chunks: [],
    code: 'console.log(1)',
    ...over,
  });

  test('a clean build within budget passes', () => {
    expect(problems(clean(), ['console.log(1)'])).toEqual([]);
  });

  test('every action has a budget within 40 % of the aws-actions bundle of its job', () => {
    for (const name of Object.keys(BUDGETS)) expect(problems(clean({ name, bytes: 1 }), [])).toEqual([]);
    expect(BUDGETS['deploy-service']).toBeLessThanOrEqual(0.4 * 2_628_630);
    expect(BUDGETS['render-task-def']).toBeLessThanOrEqual(0.4 * 2_161_189);
  });

  test.each([
    ['past its budget', clean({ bytes: (BUDGETS['render-task-def'] ?? 0) + 1 }), [], /past its budget of \d+ B/],
    ['no budget', clean({ name: 'new-action' }), [], /no budget in check-dist.mjs for new-action/],
    ['an unresolved require', clean(), ['x=eval("require")("y")'], /eval\("require"\)/],
    [
      'an undeclared external',
      clean({ sources: ['external node-commonjs "undici"'] }),
      [],
      /imports 'undici' at run time/,
    ],
    [
      'browser-only code',
      clean({ sources: ['../../../node_modules/@aws-sdk/core/dist-es/submodules/client/index.browser.js'] }),
      [],
      /browser-only code/,
    ],
    [
      'two builds of a package',
      clean({
        sources: [
          '../../../node_modules/@smithy/core/dist-es/a.js',
          '../../../node_modules/@smithy/core/dist-cjs/b.js',
        ],
      }),
      [],
      /both the ESM and the CommonJS build of @smithy\/core/,
    ],
  ])('%s fails', (_name, build, texts, message) => {
    const found = problems(build, texts);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(message);
  });
});
