// Values that cannot cross threads: a task's result, or a state it saves. The
// task fails once with ERR_UNCLONEABLE (never retried: it would make the same
// value again), the rest of its batch is reported as usual, and the worker
// stays healthy (before: the worker's loop died on the postMessage, the task
// was requeued, and the pool crash-looped ~1,500 times a second).
import { afterEach, describe, expect, it } from 'vitest';
import type { WorkerPool } from '../../src/pool/index.js';
import { FIXTURES, startPool } from './helpers.js';

let pool: WorkerPool | undefined;
afterEach(async () => {
  await pool?.close({ drain: false });
  pool = undefined;
});

const errorOf = (p: Promise<unknown>) =>
  p.then(
    (v) => ({ value: v }),
    (e: { code: string; message: string }) => ({ code: e.code, message: e.message }),
  );

async function expectHealthy(p: WorkerPool): Promise<void> {
  const echo = p.task(FIXTURES, 'echo');
  expect(await Promise.all(Array.from({ length: 100 }, (_, i) => p.run(echo, i)))).toEqual(Array.from({ length: 100 }, (_, i) => i));
  const stats = p.stats();
  expect([stats.crashes, stats.replacements, stats.retries, stats.staleOutcomes, stats.live]).toEqual([0, 0, 0, 0, 0]);
}

describe('values that cannot be cloned', () => {
  it('a task whose result cannot be cloned fails once with ERR_UNCLONEABLE; the tiny tasks in its batch are reported; the worker stays healthy', async () => {
    pool = await startPool();
    const echo = pool.task(FIXTURES, 'echo');
    const before = Array.from({ length: 50 }, (_, i) => pool!.run(echo, i));
    const bad = errorOf(pool.run(pool.task(FIXTURES, 'returnsFunction'), undefined, { retry: 3 }));
    const after = Array.from({ length: 50 }, (_, i) => pool!.run(echo, 50 + i));
    expect(await bad).toEqual({ code: 'ERR_UNCLONEABLE', message: expect.stringMatching(/the task's result cannot be sent to the main thread/) });
    expect(await Promise.all([...before, ...after])).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(pool.stats().failed).toBe(1);
    await expectHealthy(pool);
  });

  it('a saved state that cannot be cloned fails the task once with ERR_UNCLONEABLE', async () => {
    pool = await startPool();
    const bad = await errorOf(pool.run(pool.task(FIXTURES, 'savesFunctionState'), undefined, { retry: 3 }));
    expect(bad).toEqual({ code: 'ERR_UNCLONEABLE', message: expect.stringMatching(/ctx.saveState: the state cannot be sent/) });
    await expectHealthy(pool);
  });

  it('a saved state postMessage could send but the pool cannot keep (a SharedArrayBuffer) fails the same way, and nothing throws on the main thread', async () => {
    pool = await startPool();
    const bad = await errorOf(pool.run(pool.task(FIXTURES, 'savesSharedState'), undefined, { retry: 3 }));
    expect(bad).toEqual({ code: 'ERR_UNCLONEABLE', message: expect.stringMatching(/SharedArrayBuffer/) });
    await expectHealthy(pool);
  });
});
