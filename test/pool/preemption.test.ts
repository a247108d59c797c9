import { afterEach, describe, expect, it } from 'vitest';
import type { PoolEvent, WorkerPool } from '../../src/pool/index.js';
import { FIXTURES, marked, sleep, startPool, untilRunning, untilStarted } from './helpers.js';

let pool: WorkerPool | undefined;
afterEach(async () => {
  await pool?.close({ drain: false });
  pool = undefined;
});

function record(p: WorkerPool, type: string): PoolEvent[] {
  const seen: PoolEvent[] = [];
  p.events.addEventListener(type, (e) => seen.push(e as PoolEvent));
  return seen;
}

interface Progress {
  done: number;
  runs: number;
  workers: number[];
}

describe('preemption in the worker pool', () => {
  it('a task whose quantum is spent while equal work waits yields, is requeued, and resumes with its state', async () => {
    pool = await startPool({ policy: 'round-robin', quantumMs: 5, graceMs: 2000 });
    const yields = record(pool, 'yield');
    const cooperative = pool.task<{ steps: number; stepMs: number }, Progress>(FIXTURES, 'cooperative');
    // Three tasks of ~40 ms on two threads: one always waits, so running ones yield at their quantum.
    const results = await Promise.all([0, 1, 2].map(() => pool!.run(cooperative, { steps: 40, stepMs: 1 })));
    for (const r of results) {
      expect(r.done).toBe(40);
      expect(r.runs).toBeGreaterThan(1);
    }
    const stats = pool.stats();
    expect(stats.yields).toBe(results.reduce((sum, r) => sum + r.runs - 1, 0));
    expect(yields).toHaveLength(stats.yields);
    expect(stats.terminations).toBe(0);
  });

  it('a task alone is never asked to yield, however long it runs', async () => {
    pool = await startPool({ quantumMs: 2 });
    const cooperative = pool.task<{ steps: number; stepMs: number }, Progress>(FIXTURES, 'cooperative');
    const result = await pool.run(cooperative, { steps: 20, stepMs: 1 });
    expect(result.runs).toBe(1);
  });

  it('a task past its quantum does not yield to work an idle worker takes: equal tasks arriving one at a time go to the other thread', async () => {
    pool = await startPool({ quantumMs: 2 });
    const cooperative = pool.task<{ steps: number; stepMs: number }, Progress>(FIXTURES, 'cooperative');
    const echo = pool.task<number, number>(FIXTURES, 'echo');
    let finished = false;
    const long = pool.run(cooperative, { steps: 150, stepMs: 1 }).then((progress) => {
      finished = true;
      return progress;
    });
    await untilRunning(pool, 1);
    // Each arrives while the other worker is idle: it waits only until that worker wakes and takes it.
    let arrivals = 0;
    while (!finished && arrivals < 1000) {
      expect(await pool.run(echo, arrivals)).toBe(arrivals);
      arrivals++;
    }
    expect(arrivals).toBeGreaterThan(10);
    expect((await long).runs).toBe(1);
    expect(pool.stats().yields).toBe(0);
  });

  it('an urgent task preempts the least urgent running task at once, and the backlog does not go ahead of it', async () => {
    pool = await startPool({ quantumMs: 10_000, graceMs: 2000 });
    const preempts = record(pool, 'preempt');
    const cooperative = pool.task<{ steps: number; stepMs: number }, Progress>(FIXTURES, 'cooperative');
    const echo = pool.task(FIXTURES, 'echo');
    const order: string[] = [];
    const background = [0, 1, 2, 3].map((i) => pool!.run(cooperative, { steps: 300, stepMs: 1 }, { priority: 'background' }).then(() => order.push(`background ${i}`)));
    await untilRunning(pool, 2);
    // Both workers busy with background tasks, two more queued; the quantum (10 s) never runs out.
    const urgent = pool.run(echo, 'now', { priority: 'critical' }).then((v) => order.push(`critical ${v}`));
    await urgent;
    expect(order).toEqual(['critical now']);
    expect(preempts.map((e) => e.detail.reason)).toEqual(['urgent']);
    await Promise.all(background);
    expect(pool.stats().preemptUrgent).toBe(1);
  });

  it('urgent work takes a cooperative task\'s worker through a warm spare; the task yields, and its thread becomes the spare (nothing is terminated)', async () => {
    pool = await startPool({ threads: 1, quantumMs: 10_000, graceMs: 2000 });
    const replaced = record(pool, 'replace');
    const m = marked('cooperative', { steps: 200, stepMs: 1 });
    const task = pool.run(pool.task<unknown, Progress>(FIXTURES, 'marked'), m, { priority: 'background' });
    await untilStarted(m);
    const urgent = await pool.run(pool.task<unknown, { threadId: number }>(FIXTURES, 'threadInfo'), undefined, { priority: 'critical' });
    const result = await task;
    expect(result.done).toBe(200);
    expect(result.runs).toBe(2);
    expect(replaced.map((e) => e.detail.reason)).toEqual(['urgent']);
    expect(urgent.threadId).toBe(replaced[0]!.detail.threadId);
    for (let i = 0; i < 1000 && pool.stats().spares === 0; i++) await sleep(2);
    const stats = pool.stats();
    expect([stats.terminations, stats.yields, stats.spares, stats.failed]).toEqual([0, 1, 1, 0]);
  });
});
