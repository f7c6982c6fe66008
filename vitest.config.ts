import { defineConfig } from 'vitest/config';

// Three layers (docs/development.md): unit tests beside the code (*.test.ts), integration
// tests against one real control plane per run (test/*.int.test.ts), and e2e scenarios
// through the user-facing commands (e2e/*.e2e.test.ts).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['{cmd,operator,webhooks,simulator,harness,hack}/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', '**/*.e2e.test.ts', 'node_modules/**'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['**/test/**/*.int.test.ts'],
          exclude: ['node_modules/**'],
          globalSetup: ['harness/testing/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['e2e/**/*.e2e.test.ts'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
          // Scenarios share one environment; run them one at a time.
          fileParallelism: false,
        },
      },
    ],
  },
});
