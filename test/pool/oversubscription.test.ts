// More CPU-bound tasks than threads, none of which ever checks its flag: the
// pool shares threads by asking, and terminates a task only for a more urgent
// one (or its own timeout or cancellation), never for an equal. A task without
// saved state restarts from scratch when terminated, so terminating it to give
// its thread to an equal would throw its work away, and the equal would then
// be terminated in turn: livelock, not time sharing.
import { writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { PoolEvent, WorkerPool } from '../../src/pool/index.js';
import { FIXTURES, marked, startPool, untilRunning, untilStarted } from './helpers.js';

let pool: WorkerPool | undefined;
afterEach(async () => {
  await pool?.close({ drain: false });
  pool = undefined;
});

interface Ran {
  threadId: number;
  worker: number;
  attempt: number;
}

function record(p: WorkerPool, types: string[]): PoolEvent[] {
  const seen: PoolEvent[] = [];
  for (const type of types) p.events.addEventListener(type, (e) => seen.push(e as PoolEvent));
  return seen;
}

describe('the pool under oversubscription', () => {
  it('three never-yielding tasks of one priority on two threads all finish on their first attempt: none is terminated for fairness', async () => {
    pool = await startPool({ threads: 2 });
    const hog = pool.task<number, Ran>(FIXTURES, 'hog');
    const results = await Promise.all([0, 1, 2].map(() => pool!.run(hog, 150)));
    expect(results.map((r) => r.attempt)).toEqual([1, 1, 1]);
    const stats = pool.stats();
    expect([stats.completed, stats.failed, stats.terminations, stats.restarts]).toEqual([3, 0, 0, 0]);
  });

  it('an urgent task starts at once on a warm spare that takes the worker of the least urgent never-yielding task, which is terminated; nothing else is disturbed', async () => {
    pool = await startPool({ threads: 2 });
    const events = record(pool, ['terminate', 'replace', 'restart', 'resume', 'crash']);
    // The least urgent task never ends unless restarted, so it is certainly terminated; the
    // other runs until the urgent task is done (so the urgent one cannot take its thread), undisturbed.
    const m = marked('hogAfterRestart', 0);
    const victim = pool.run(pool.task<unknown, Ran>(FIXTURES, 'marked'), m, { priority: 'background' });
    const release = marked('hogUntil');
    const other = pool.run(pool.task<unknown, Ran>(FIXTURES, 'hogUntil'), { file: release.started });
    await untilStarted(m);
    await untilRunning(pool, 2);
    const urgent = await pool.run(pool.task<unknown, Ran>(FIXTURES, 'threadInfo'), undefined, { priority: 'critical' });
    writeFileSync(release.started, '');
    const [restarted, undisturbed] = await Promise.all([victim, other]);
    // The worker's role went to the warm spare at once, and the urgent task ran there while the
    // flagged task had its grace; the flagged task ignored the flag and was terminated.
    expect(events.map((e) => e.type)).toEqual(['replace', 'terminate', 'restart']);
    const [replace, terminate] = events as [PoolEvent, PoolEvent];
    expect(replace.detail).toMatchObject({ reason: 'urgent', warm: true });
    expect(terminate.detail.reason).toBe('urgent');
    expect(urgent.threadId).toBe(replace.detail.threadId);
    expect(restarted.attempt).toBe(2);
    expect(undisturbed.attempt).toBe(1);
    const stats = pool.stats();
    expect([stats.completed, stats.failed, stats.terminations, stats.crashes]).toEqual([3, 0, 1, 0]);
  });

  it('a task is never failed for being terminated for urgent work; past maxTerminations it is left to finish and urgent work waits', async () => {
    pool = await startPool({ threads: 1, maxTerminations: 1 });
    const events = record(pool, ['terminate', 'restart', 'fail']);
    const order: string[] = [];
    // Never ends on its first attempt (so it is certainly terminated), spins 200 ms on the next.
    const m = marked('hogAfterRestart', 200);
    const hog = pool.run(pool.task<unknown, Ran>(FIXTURES, 'marked'), m).then((r) => {
      order.push(`hog attempt ${r.attempt}`);
      return r;
    });
    const info = pool.task<unknown, Ran>(FIXTURES, 'threadInfo');
    await untilStarted(m);
    await pool.run(info, undefined, { priority: 'critical' }).then(() => order.push('urgent 1'));
    // The hog restarted; it has been terminated maxTerminations times.
    await untilStarted(m, 2);
    await pool.run(info, undefined, { priority: 'critical' }).then(() => order.push('urgent 2'));
    await hog;
    expect(order).toEqual(['urgent 1', 'hog attempt 2', 'urgent 2']);
    expect(events.map((e) => e.type)).toEqual(['terminate', 'restart']);
    expect(pool.stats().failed).toBe(0);
  });
});
