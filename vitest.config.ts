import { accessSync, constants, statfsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { LongFilesFirst } from './test/sequencer.js';

// Test files put their SQLite databases, ledgers and campaign directories under
// os.tmpdir(). On a RAM-backed file system an fsync costs ~10 µs instead of ~3 ms
// (this machine's disk), and the suite makes thousands. The tests kill processes,
// never the machine, and a killed process's writes are in the page cache either
// way, so what they check is the same. Set before the workers (and the processes
// they spawn) inherit the environment; a TMPDIR of one's own is kept.
// A container's /dev/shm is often 64 MB: the chaos campaign's own PostgreSQL
// server alone needs more, so it is used only with room to spare.
const SHM_FREE_BYTES_NEEDED = 2 * 2 ** 30;
if (process.env.TMPDIR === undefined && isRoomyWritableDirectory('/dev/shm', SHM_FREE_BYTES_NEEDED)) process.env.TMPDIR = '/dev/shm';

function isRoomyWritableDirectory(path: string, freeBytesNeeded: number): boolean {
  try {
    accessSync(path, constants.W_OK);
    const { bavail, bsize } = statfsSync(path);
    return bavail * bsize >= freeBytesNeeded;
  } catch {
    return false;
  }
}

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
      '#timeslice': fileURLToPath(new URL('./src/index.ts', import.meta.url)),
    },
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // A worker process runs file after file with its module cache kept: a new process
    // per file imported the sources again each time (vitest's "import" time), and
    // the whole run took 133 s of CPU instead of 203 (load 15-20, 2026-12-07). The
    // sources' module state is then shared by the files one worker runs: a file
    // restores what it stubs (afterEach) and stops what it starts.
    isolate: false,
    // One worker more than the cores. vitest's default, one fewer, is a single worker
    // on a 2-core machine; even one per core leaves a core idle while the longest
    // files wait: the crash campaign used 22 s of CPU in its 65 s, the postgres smoke
    // waits on CREATE/DROP DATABASE and commits (CPU per file: /proc/self/stat read
    // in an afterAll, 2026-12-07).
    maxWorkers: availableParallelism() + 1,
    sequence: { sequencer: LongFilesFirst },
  },
});
