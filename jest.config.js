// Two suites: unit tests (pure, in-process) and integration tests (real moto, nginx, registry, bundles).
// ts-jest in ESM mode, transpile-only because tsconfig sets isolatedModules (so `tsc --noEmit` type-checks);
// run with NODE_OPTIONS=--experimental-vm-modules (the npm scripts set it).
const shared = {
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.json' }],
  },
  testEnvironment: 'node',
  rootDir: '.',
};

export default {
  // Integration tests start real servers; jest reads testTimeout only at the top level, not per project.
  testTimeout: 120000,
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: ['<rootDir>/{packages,actions}/*/test/unit/**/*.test.ts', '<rootDir>/test/unit/**/*.test.ts'],
    },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/{packages,actions}/*/test/integration/**/*.test.ts', '<rootDir>/test/integration/**/*.test.ts'],
    },
  ],
};
