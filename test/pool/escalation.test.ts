// Tasks that ignore their preemption flag: after graceMs their worker is
// terminated and replaced; the task resumes from its saved state or restarts.
import { afterEach, describe, expect, it } from 'vitest';
import type { PoolEvent, WorkerPool } from '../../src/pool/index.js';
import { FIXTURES, sleep, startPool } from './helpers.js';

let pool: WorkerPool | undefined;
afterEach(async () => {
  await pool?.close({ drain: false });
  pool = undefined;
});

function count(p: WorkerPool): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const type of ['terminate', 'replace', 'resume', 'restart', 'crash']) {
    counts[type] = 0;
    p.events.addEventListener(type, () => counts[type]!++);
  }
  return counts;
}

const FAST = { quantumMs: 5, graceMs: 20 };

/** Two long cooperative tasks that yield at every quantum (round-robin): there is always work waiting. */
function pressure(p: WorkerPool): Array<Promise<unknown>> {
  const cooperative = p.task(FIXTURES, 'cooperative');
  return [0, 1].map(() => p.run(cooperative, { steps: 150, stepMs: 1 }));
}

describe('escalation in the worker pool', () => {
  it('terminates and replaces the worker of a JS busy loop that never checks its flag; the task restarts as a new attempt; the other worker is unaffected', async () => {
    pool = await startPool({ ...FAST, policy: 'round-robin' });
    const events = count(pool);
    const busy = pool.run(pool.task(FIXTURES, 'busyUnlessResumed'));
    // Waiting work, so the busy task's quantum runs out with something to give way to.
    const waiting = pressure(pool);
    expect(await busy).toBe('second run');
    // The cooperative tasks on the other worker ran on, yielding, to the end.
    expect((await Promise.all(waiting)).map((r) => (r as { done: number }).done)).toEqual([150, 150]);
    expect(events).toMatchObject({ terminate: 1, replace: 1, restart: 1, resume: 0, crash: 0 });
    const stats = pool.stats();
    expect([stats.terminations, stats.restarts, stats.replacements]).toEqual([1, 1, 1]);
  });

  it('terminates a task blocked in Atomics.wait, and fails it once it has used up maxTerminations', async () => {
    pool = await startPool({ ...FAST, policy: 'round-robin', maxTerminations: 1 });
    const events = count(pool);
    const blocked = pool.run(pool.task(FIXTURES, 'blockedForever')).catch((e: { code: string }) => e.code);
    // Two long cooperative tasks that yield at every quantum: there is always work waiting.
    const cooperative = pool.task<unknown, { done: number }>(FIXTURES, 'cooperative');
    const pressure = [0, 1].map(() => pool!.run(cooperative, { steps: 150, stepMs: 1 }));
    expect(await blocked).toBe('ERR_TASK_TERMINATED');
    expect((await Promise.all(pressure)).map((r) => r.done)).toEqual([150, 150]);
    expect(events.terminate).toBe(2);
    // The pool is back to its size: both threads serve.
    const workers = new Set<number>();
    const who = pool.task<unknown, { worker: number }>(FIXTURES, 'whoAmI');
    for (let round = 0; round < 200 && workers.size < 2; round++) {
      for (const r of await Promise.all(Array.from({ length: 200 }, () => pool!.run(who)))) workers.add(r.worker);
      await sleep(25);
    }
    expect(workers).toEqual(new Set([0, 1]));
  });

  it('terminates an async task awaiting a promise that never settles; it restarts as attempt 2', async () => {
    pool = await startPool({ ...FAST, policy: 'round-robin' });
    const events = count(pool);
    const never = pool.run(pool.task(FIXTURES, 'neverSettles'));
    const waiting = pressure(pool);
    expect(await never).toBe('restarted');
    await Promise.all(waiting);
    expect(events.terminate).toBe(1);
    expect(events.restart).toBe(1);
  });

  it('resumes a terminated task from the state it saved before it stopped listening', async () => {
    pool = await startPool({ ...FAST, policy: 'round-robin' });
    const events = count(pool);
    const resumed = pool.run(pool.task(FIXTURES, 'busyForever'), { save: true });
    const waiting = pressure(pool);
    expect(await resumed).toEqual({ resumedWith: { progress: 42 }, attempt: 1 });
    await Promise.all(waiting);
    expect(events).toMatchObject({ terminate: 1, resume: 1, restart: 0 });
  });

  it('a task finishing within a millisecond of its hard termination ends exactly once', async () => {
    pool = await startPool({ ...FAST, policy: 'round-robin' });
    const finishAfterOnce = pool.task<number, string>(FIXTURES, 'finishAfterOnce');
    const cooperative = pool.task<unknown, { done: number }>(FIXTURES, 'cooperative');
    const terminations: PoolEvent[] = [];
    pool.events.addEventListener('terminate', (e) => terminations.push(e as PoolEvent));
    // A cooperative task yielding at every quantum keeps work waiting, so each
    // timed task is flagged after its quantum and terminated about graceMs
    // later. Durations sweep that moment one millisecond at a time: some finish
    // just before it, some while it is being decided, some are terminated and
    // finish on their restart. Each must end exactly once.
    const pressure = pool.run(cooperative, { steps: 400, stepMs: 1 });
    const outcomes: string[] = [];
    let settled = 0;
    for (let ms = 22; ms <= 34; ms++) {
      outcomes.push(await pool.run(finishAfterOnce, ms));
      settled++;
    }
    expect((await pressure).done).toBe(400);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(settled).toBe(13);
    expect(outcomes.every((o) => o === 'finished' || o === 'finished on a restart')).toBe(true);
    const stats = pool.stats();
    expect(stats.completed).toBe(14);
    expect([stats.failed, stats.live, stats.running, stats.queued]).toEqual([0, 0, 0, 0]);
    // Every termination restarted its task (or found it finished and ignored its outcome).
    expect(stats.restarts).toBe(terminations.length);
    expect(outcomes.filter((o) => o === 'finished on a restart').length).toBeLessThanOrEqual(terminations.length);
  });
});
