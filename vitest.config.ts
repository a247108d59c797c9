import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { LongFilesFirst } from './test/sequencer.js';

export default defineConfig({
  resolve: {
    // A Scheduler with a path store imports 'timeslice/store/sqlite' (the package's own entry) at run time:
    // under test, that is the source, not dist/.
    // The package's internal imports resolve as under Node's "node" condition (package.json "imports"), to the source.
    alias: {
      'timeslice/store/sqlite': fileURLToPath(new URL('./src/store/sqlite-store.ts', import.meta.url)),
      '#wasm-sync': fileURLToPath(new URL('./bindings/wasm-sync.node.ts', import.meta.url)),
      '#parts-sync': fileURLToPath(new URL('./src/parts/sync.node.ts', import.meta.url)),
      '#cron-sync': fileURLToPath(new URL('./src/parts/cron-sync.node.ts', import.meta.url)),
    },
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // vitest's default, one worker fewer than the cores, is a single worker on a
    // 2-core machine: the suite then runs file after file while its longest files
    // (the crash campaign, the benchmark check) mostly wait on child processes.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    sequence: { sequencer: LongFilesFirst },
  },
});
