// Every benchmark suite still runs: `--quick` (small sizes, two repetitions,
// writes nothing) through the same runner as `npm run bench`. A suite checks
// that each implementation did the same work (checksums, exactly-once marks)
// and stops with an error when one did not, so this catches a benchmark that
// a change to the core quietly turned into one measuring something else
// (the heap-hold case once read a key the ready queue no longer pops).
// The suites run side by side (each is a child process, and much of a quick
// run waits on timers and worker threads), so the file takes about as long
// as its slowest suite. Needs dist/ (npm test builds first).
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { useCurrentDist } from '../helpers/current-dist.js';

useCurrentDist();

const run = promisify(execFile);
const rootDir = fileURLToPath(new URL('../..', import.meta.url));
const suites = readdirSync(new URL('../../bench/suites', import.meta.url))
  .filter((file) => file.endsWith('.mjs'))
  .map((file) => file.slice(0, -'.mjs'.length))
  // The postgres suite's quick plan is 10,000 jobs per case (minutes): postgres-smoke.test.ts runs its harness on tiny counts.
  .filter((suite) => suite !== 'postgres');

describe('benchmark suites (--quick)', () => {
  it('finds the suites', () => {
    expect(suites).toEqual(expect.arrayContaining(['core', 'dispatch', 'persistence', 'pool', 'timer-structure']));
  });

  it.concurrent.for(suites)('%s runs to the end and verifies its work', { timeout: 300_000 }, async (suite, { expect }) => {
    const { stderr } = await run(process.execPath, ['--expose-gc', 'bench/run.mjs', suite, '--quick'], {
      cwd: rootDir,
      maxBuffer: 64 * 1024 * 1024,
      timeout: 240_000,
    });
    expect(stderr).toContain(`[${suite}] done in`);
  });
});
