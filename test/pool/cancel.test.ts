import { writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { WorkerPool } from '../../src/pool/index.js';
import { FIXTURES, marked, sleep, startPool, untilRunning, untilStarted } from './helpers.js';

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

describe('cancelling pool tasks with an AbortSignal', () => {
  it('a signal aborted before run() rejects at once; nothing runs', async () => {
    pool = await startPool();
    const controller = new AbortController();
    controller.abort();
    expect(await codeOf(pool.run(pool.task(FIXTURES, 'echo'), 1, { signal: controller.signal }))).toEqual({ code: 'ERR_TASK_CANCELLED' });
    expect(pool.stats().submitted).toBe(0);
  });

  it('a queued task is removed from the queue and rejects, even when its signal aborts as soon as run() returns; it never runs', async () => {
    pool = await startPool({ quantumMs: 10_000 });
    // Both workers stay busy until the test lets them go.
    const release = marked('release');
    const busy = [0, 1].map(() => pool!.run(pool!.task(FIXTURES, 'hogUntil'), { file: release.started }));
    await untilRunning(pool, 2);
    const controller = new AbortController();
    const queued = codeOf(pool.run(pool.task(FIXTURES, 'echo'), 'never', { signal: controller.signal }));
    controller.abort();
    expect(await queued).toEqual({ code: 'ERR_TASK_CANCELLED' });
    writeFileSync(release.started, '');
    await Promise.all(busy);
    const stats = pool.stats();
    expect([stats.cancelled, stats.completed, stats.live, stats.queued]).toEqual([1, 2, 0, 0]);
  });

  it('a running task sees shouldYield() and its signal, and its worker carries on', async () => {
    pool = await startPool({ graceMs: 2000 });
    const controller = new AbortController();
    const m = marked('untilAborted');
    const running = codeOf(pool.run(pool.task(FIXTURES, 'marked'), m, { signal: controller.signal }));
    await untilStarted(m);
    controller.abort();
    expect(await running).toEqual({ code: 'ERR_TASK_CANCELLED' });
    expect(await pool.run(pool.task(FIXTURES, 'echo'), 'after')).toBe('after');
    // The cancelled task returns by itself; its outcome is then read and its slot freed.
    for (let i = 0; i < 2000 && pool.stats().live > 0; i++) await sleep(5);
    const stats = pool.stats();
    expect([stats.cancelled, stats.preemptCancel, stats.terminations, stats.live, stats.running]).toEqual([1, 1, 0, 0, 0]);
  });

  it('a running task that ignores its cancellation is terminated after graceMs', async () => {
    pool = await startPool({ graceMs: 20 });
    const controller = new AbortController();
    const m = marked('busyForever');
    const running = codeOf(pool.run(pool.task(FIXTURES, 'marked'), m, { signal: controller.signal }));
    await untilStarted(m);
    controller.abort();
    expect(await running).toEqual({ code: 'ERR_TASK_CANCELLED' });
    for (let i = 0; i < 2000 && (pool.stats().terminations === 0 || pool.stats().live > 0); i++) await sleep(5);
    const stats = pool.stats();
    expect([stats.terminations, stats.live]).toEqual([1, 0]);
    expect(await pool.run(pool.task(FIXTURES, 'echo'), 'still serving')).toBe('still serving');
  });
});
