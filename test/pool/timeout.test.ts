// A task's timeoutMs: the time one attempt may run on workers. Past it the
// task is asked to stop (shouldYield() and its signal), terminated if it does
// not within graceMs, and the attempt fails with TaskTimeoutError, retried per
// its retry option. Time spent queued, or importing its module, is not its run.
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { PoolEvent, WorkerPool } from '../../src/pool/index.js';
import { FIXTURES, startPool, untilRunning } from './helpers.js';

let pool: WorkerPool | undefined;
afterEach(async () => {
  await pool?.close({ drain: false });
  pool = undefined;
});

const codeOf = (p: Promise<unknown>) =>
  p.then(
    (v) => ({ value: v }),
    (e: { code: string; message: string }) => ({ code: e.code }),
  );

function count(p: WorkerPool, types: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const type of types) {
    counts[type] = 0;
    p.events.addEventListener(type, () => counts[type]!++);
  }
  return counts;
}

describe('task timeouts in the worker pool', () => {
  it('a never-yielding task past its timeoutMs is terminated and fails with ERR_TASK_TIMEOUT; the task on the other thread is undisturbed', async () => {
    pool = await startPool({ graceMs: 20 });
    const counts = count(pool, ['timeout', 'terminate', 'restart', 'retry']);
    const other = pool.run(pool.task(FIXTURES, 'hog'), 200);
    const timedOut = codeOf(pool.run(pool.task(FIXTURES, 'busyForever'), undefined, { timeoutMs: 40 }));
    expect(await timedOut).toEqual({ code: 'ERR_TASK_TIMEOUT' });
    expect(await other).toMatchObject({ attempt: 1 });
    expect(counts).toEqual({ timeout: 1, terminate: 1, restart: 0, retry: 0 });
  });

  it('a cooperative task past its timeoutMs sees shouldYield() and returns by itself: it fails with ERR_TASK_TIMEOUT and its thread is kept', async () => {
    pool = await startPool({ graceMs: 2000 });
    const counts = count(pool, ['timeout', 'terminate']);
    const error = await pool.run(pool.task(FIXTURES, 'cooperativeForever'), { stepMs: 1 }, { timeoutMs: 30 }).catch((e: Error & { code: string }) => e);
    expect((error as { code: string }).code).toBe('ERR_TASK_TIMEOUT');
    expect((error as Error).message).toMatch(/ran past its timeoutMs \(30 ms\) on attempt 1/);
    expect(counts).toEqual({ timeout: 1, terminate: 0 });
  });

  it('its ctx.signal aborts with the timeout as the reason', async () => {
    // One thread: the retry runs where the first attempt left what it saw.
    pool = await startPool({ threads: 1, graceMs: 2000 });
    const seen: unknown[] = [];
    pool.events.addEventListener('fail', (e) => seen.push((e as PoolEvent).detail.error));
    // The attempt fails however it returns; a retry shows what the first attempt saw through its state.
    const result = await pool.run(pool.task(FIXTURES, 'abortReasonThenFinish'), undefined, { timeoutMs: 30, retry: { attempts: 2, delayMs: 1 } });
    expect(result).toEqual({ attempt: 2, firstAttemptSaw: 'ERR_TASK_TIMEOUT' });
    expect(seen).toEqual([]);
  });

  it('a timed-out attempt is retried per the retry option, as its next attempt', async () => {
    pool = await startPool({ graceMs: 20 });
    const counts = count(pool, ['timeout', 'terminate', 'retry']);
    expect(await pool.run(pool.task(FIXTURES, 'busyUnlessResumed'), undefined, { timeoutMs: 30, retry: { attempts: 2, delayMs: 1 } })).toBe('second run');
    expect(counts).toEqual({ timeout: 1, terminate: 1, retry: 1 });
  });

  it('time spent queued behind other work does not count', async () => {
    pool = await startPool({ threads: 1 });
    const counts = count(pool, ['timeout']);
    const long = pool.run(pool.task(FIXTURES, 'hog'), 150);
    await untilRunning(pool, 1);
    expect(await pool.run(pool.task(FIXTURES, 'echo'), 'in time', { timeoutMs: 30 })).toBe('in time');
    await long;
    expect(counts.timeout).toBe(0);
  });

  it('the time its module takes to import does not count', async () => {
    pool = await startPool({ threads: 1, spareThreads: 0 });
    const counts = count(pool, ['timeout', 'terminate']);
    const slow = fileURLToPath(new URL('./fixtures/slow-import.mjs', import.meta.url));
    expect(await pool.run(pool.task(slow, 'loaded'), undefined, { timeoutMs: 100 })).toEqual({ attempt: 1 });
    expect(counts).toEqual({ timeout: 0, terminate: 0 });
  });
});
