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
          // .tsx: the web client's component tests (they pick happy-dom in their first line).
          include: ['**/src/**/*.test.ts', '**/src/**/*.test.tsx'],
          exclude: [...ignore, '**/*.int.test.ts', '**/*.e2e.test.ts', '**/*.browser.test.ts'],
        },
      },
      {
        ...shared,
        test: {
          name: 'integration',
          // test/: suites of a whole workload rather than of one file (operator/test/).
          include: ['**/src/**/*.int.test.ts', '**/test/**/*.int.test.ts'],
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
          // The web client in headless Chromium against the real api-server (PostgreSQL, Redis).
          name: 'browser',
          include: ['e2e/src/browser/**/*.browser.test.ts'],
          exclude: ignore,
          globalSetup: ['e2e/src/browser/global-setup.ts'],
          testTimeout: 300_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
      {
        ...shared,
        test: {
          name: 'e2e',
          include: ['e2e/**/*.e2e.test.ts'],
          exclude: [...ignore, 'e2e/src/node/**'],
          globalSetup: ['testkit/src/global-setup.ts'],
          testTimeout: 600_000,
          hookTimeout: 600_000,
          fileParallelism: false,
        },
      },
      {
        ...shared,
        test: {
          // e2e/node: real pods on a real node (testkit/src/node.ts), our images built and pushed
          // by its globalSetup; one suite, in order.
          name: 'e2e-node',
          include: ['e2e/src/node/**/*.e2e.test.ts'],
          exclude: ignore,
          globalSetup: ['e2e/src/node/global-setup.ts'],
          testTimeout: 900_000,
          hookTimeout: 3_600_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
