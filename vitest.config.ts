import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // A Scheduler with a path store imports 'timeslice/store/sqlite' (the package's own entry) at run time:
    // under test, that is the source, not dist/.
    alias: { 'timeslice/store/sqlite': fileURLToPath(new URL('./src/store/sqlite-store.ts', import.meta.url)) },
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
