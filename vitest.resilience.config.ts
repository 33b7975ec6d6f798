import { defineConfig } from 'vitest/config';

/** The resilience suite (`npm run test:resilience`): kills, faults and hostile inputs against the built CLI. */
export default defineConfig({
  test: {
    include: ['test/resilience/**/*.resilience.ts'],
    globalSetup: ['test/resilience/support/global-setup.ts'],
    setupFiles: ['test/resilience/support/leak-sweep.ts'],
    testTimeout: 300_000,
    hookTimeout: 180_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
