import { defineConfig } from 'vitest/config';

// Three rungs of the testing ladder (DESIGN.md): unit tests need no servers; integration and
// e2e suites share one PostgreSQL, one Redis and one control plane started by globalSetup.
const shared = {
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'], externalConditions: ['source'] } },
};
const ignore = ['**/node_modules/**', '**/dist/**'];

export default defineConfig({
  test: {
    reporters: ['default', './testkit/src/tally-reporter.ts'],
    projects: [
      {
        ...shared,
        test: {
          name: 'unit',
          include: ['**/src/**/*.test.ts'],
          exclude: [...ignore, '**/*.int.test.ts', '**/*.e2e.test.ts'],
        },
      },
      {
        ...shared,
        test: {
          name: 'integration',
          include: ['**/src/**/*.int.test.ts'],
          exclude: ignore,
          globalSetup: ['testkit/src/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          // Two cores: suites that start processes must not all run at once.
          maxWorkers: 2,
          minWorkers: 1,
        },
      },
      {
        ...shared,
        test: {
          name: 'e2e',
          include: ['e2e/**/*.e2e.test.ts'],
          exclude: ignore,
          globalSetup: ['testkit/src/global-setup.ts'],
          testTimeout: 600_000,
          hookTimeout: 600_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
