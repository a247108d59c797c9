// Closing the pool: drain by default, or at once; a hard close overrides a drain in progress.
import { afterEach, describe, expect, it } from 'vitest';
import type { WorkerPool } from '../../src/pool/index.js';
import { FIXTURES, startPool, untilRunning } from './helpers.js';

let pool: WorkerPool | undefined;
afterEach(async () => {
  await pool?.close({ drain: false });
  pool = undefined;
});

const codeOf = (p: Promise<unknown>) =>
  p.then(
    (v) => ({ value: v }),
    (e: { code: string }) => ({ code: e.code }),
  );

describe('closing the pool', () => {
  it('close() drains: it resolves once every submitted task has ended, and refuses new work meanwhile', async () => {
    pool = await startPool();
    const echo = pool.task(FIXTURES, 'echo');
    const tasks = Array.from({ length: 20 }, (_, i) => pool!.run(echo, i));
    const closed = pool.close();
    expect(await codeOf(pool.run(echo, 'late'))).toEqual({ code: 'ERR_POOL_CLOSED' });
    await closed;
    expect(await Promise.all(tasks)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('close({ drain: false }) during a drain overrides it: what is left rejects with ERR_POOL_CLOSED and both calls resolve', async () => {
    pool = await startPool({ threads: 1 });
    const forever = codeOf(pool.run(pool.task(FIXTURES, 'busyForever')));
    const queued = codeOf(pool.run(pool.task(FIXTURES, 'echo'), 'queued'));
    await untilRunning(pool, 1);
    const draining = pool.close();
    const hard = pool.close({ drain: false });
    await Promise.all([draining, hard]);
    expect(await forever).toEqual({ code: 'ERR_POOL_CLOSED' });
    expect(await queued).toEqual({ code: 'ERR_POOL_CLOSED' });
    expect(pool.stats().live).toBe(0);
  });
});
