// A worker that dies on its own fails only its own task's attempt (retried per
// its policy); the pool returns to its size and no promise is left pending.
import { afterEach, describe, expect, it } from 'vitest';
import type { PoolOptions, WorkerPool } from '../../src/pool/index.js';
import { FIXTURES, sleep, startPool } from './helpers.js';

let pool: WorkerPool | undefined;
afterEach(async () => {
  await pool?.close({ drain: false });
  pool = undefined;
});

/** Runs `name` beside a steady stream of tiny tasks; answers its error code and the tiny tasks' results. */
async function crashBesideOthers(name: string, options: PoolOptions = {}) {
  pool = await startPool(options);
  const crashes: unknown[] = [];
  pool.events.addEventListener('crash', (e) => crashes.push(e));
  const echo = pool.task(FIXTURES, 'echo');
  const others = Array.from({ length: 200 }, (_, i) => pool!.run(echo, i));
  const code = await pool.run(pool.task(FIXTURES, name)).then(
    () => 'resolved',
    (e: { code: string }) => e.code,
  );
  expect(await Promise.all(others)).toEqual(others.map((_, i) => i));
  return { code, crashes: crashes.length };
}

async function expectBackToSize(p: WorkerPool): Promise<void> {
  const who = p.task<unknown, { worker: number }>(FIXTURES, 'whoAmI');
  const workers = new Set<number>();
  // The replacement thread takes a moment to start (tens of ms, more on a loaded machine).
  for (let round = 0; round < 200 && workers.size < 2; round++) {
    for (const r of await Promise.all(Array.from({ length: 200 }, () => p.run(who)))) workers.add(r.worker);
    await sleep(25);
  }
  expect(workers).toEqual(new Set([0, 1]));
  const stats = p.stats();
  expect([stats.live, stats.running, stats.queued]).toEqual([0, 0, 0]);
}

describe('worker crashes', () => {
  it('an uncaught error in a worker fails its task with WorkerCrashedError and the worker is replaced', async () => {
    const { code, crashes } = await crashBesideOthers('throwLater');
    expect(code).toBe('ERR_WORKER_CRASHED');
    expect(crashes).toBe(1);
    await expectBackToSize(pool!);
    expect(pool!.stats().replacements).toBe(1);
  });

  it('process.exit in a task fails its task the same way', async () => {
    const { code, crashes } = await crashBesideOthers('exitProcess');
    expect(code).toBe('ERR_WORKER_CRASHED');
    expect(crashes).toBe(1);
    await expectBackToSize(pool!);
  });

  it('running out of memory under resourceLimits fails its task the same way', async () => {
    const { code, crashes } = await crashBesideOthers('exhaustMemory', { resourceLimits: { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 8 } });
    expect(code).toBe('ERR_WORKER_CRASHED');
    expect(crashes).toBe(1);
    await expectBackToSize(pool!);
  });

  it('running out of memory slowly, with equal work waiting for its thread, is still reported as WorkerCrashedError', async () => {
    // Before: the task was flagged for its quantum (equal work waited) and
    // terminated graceMs later, before it ran out of memory; restarted, and
    // terminated again, until it failed with ERR_TASK_TERMINATED.
    pool = await startPool({ threads: 1, resourceLimits: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 8 } });
    const crashes: unknown[] = [];
    pool.events.addEventListener('crash', (e) => crashes.push(e));
    const oom = pool.run(pool.task(FIXTURES, 'exhaustMemorySlowly')).then(
      () => 'resolved',
      (e: { code: string }) => e.code,
    );
    const waiting = pool.run(pool.task(FIXTURES, 'echo'), 'equal work');
    expect(await oom).toBe('ERR_WORKER_CRASHED');
    expect(await waiting).toBe('equal work');
    expect(crashes).toHaveLength(1);
    expect(pool.stats().terminations).toBe(0);
  });

  it('a crash is a failed attempt: with retries left the task runs again, as its next attempt', async () => {
    pool = await startPool();
    expect(await pool.run(pool.task(FIXTURES, 'crashOnce'), undefined, { retry: { attempts: 2, delayMs: 1 } })).toBe('attempt 2');
    const stats = pool.stats();
    expect([stats.crashes, stats.retries, stats.failed]).toEqual([1, 1, 0]);
  });
});
