// Tasks that ignore their preemption flag: after graceMs their worker is
// terminated and replaced; the task resumes from its saved state or restarts.
//
// Each test makes the flag certain and aims it at one task: worker 0 is
// reserved for critical tasks, so the task under test runs alone on worker 1
// while an equal task waits behind it (one echo of the same class, and one
// more after every restart or resume, since a requeued task goes behind it).
// Nothing else is ever flagged, so a loaded machine can delay the steps but
// not change how many there are.
import { afterEach, describe, expect, it } from 'vitest';
import type { PoolEvent, PoolOptions, WorkerPool } from '../../src/pool/index.js';
import { FIXTURES, sleep, startPool } from './helpers.js';

let pool: WorkerPool | undefined;
afterEach(async () => {
  await pool?.close({ drain: false });
  pool = undefined;
});

const FAST: PoolOptions = { quantumMs: 5, graceMs: 20, reserved: { workers: 1, priority: 'critical' } };

interface Scene {
  pool: WorkerPool;
  counts: Record<string, number>;
  /** Every echo submitted as pressure; all must resolve. */
  pressure: Array<Promise<unknown>>;
}

async function scene(options: PoolOptions = {}): Promise<Scene> {
  pool = await startPool({ ...FAST, ...options });
  const p = pool;
  const counts: Record<string, number> = {};
  const pressure: Array<Promise<unknown>> = [];
  const echo = p.task(FIXTURES, 'echo');
  for (const type of ['terminate', 'replace', 'resume', 'restart', 'crash', 'preempt']) {
    counts[type] = 0;
    p.events.addEventListener(type, () => {
      counts[type]!++;
      if (type === 'restart' || type === 'resume') pressure.push(p.run(echo, 'pressure'));
    });
  }
  return { pool: p, counts, pressure };
}

/** Runs `name` on worker 1 with an equal task waiting behind it. */
function runUnderPressure(s: Scene, name: string, args?: unknown): Promise<unknown> {
  const task = s.pool.run(s.pool.task(FIXTURES, name), args);
  s.pressure.push(s.pool.run(s.pool.task(FIXTURES, 'echo'), 'pressure'));
  return task;
}

describe('escalation in the worker pool', () => {
  it('terminates and replaces the worker of a JS busy loop that never checks its flag; the task restarts as a new attempt; the other worker is unaffected', async () => {
    const s = await scene();
    const terminated: number[] = [];
    s.pool.events.addEventListener('terminate', (e) => terminated.push((e as PoolEvent).detail.worker!));
    const busy = runUnderPressure(s, 'busyUnlessResumed');
    // Meanwhile critical work runs, one task at a time, undisturbed.
    const cooperative = s.pool.task<unknown, { done: number; runs: number }>(FIXTURES, 'cooperative');
    for (let i = 0; i < 5; i++) expect(await s.pool.run(cooperative, { steps: 5, stepMs: 1 }, { priority: 'critical' })).toMatchObject({ done: 5, runs: 1 });
    expect(await busy).toBe('second run');
    await Promise.all(s.pressure);
    expect(terminated).toEqual([1]);
    expect(s.counts).toMatchObject({ terminate: 1, replace: 1, restart: 1, resume: 0, crash: 0 });
    // Flagged by the watchdog (quantum), or at once by a critical arrival when both workers were busy.
    expect(s.counts.preempt).toBeGreaterThanOrEqual(1);
    const stats = s.pool.stats();
    expect([stats.terminations, stats.restarts, stats.replacements]).toEqual([1, 1, 1]);
  });

  it('terminates a task blocked in Atomics.wait, and fails it once it has used up maxTerminations', async () => {
    const s = await scene({ maxTerminations: 1 });
    const blocked = runUnderPressure(s, 'blockedForever').catch((e: { code: string }) => e.code);
    expect(await blocked).toBe('ERR_TASK_TERMINATED');
    await Promise.all(s.pressure);
    expect(s.counts).toMatchObject({ terminate: 2, restart: 1, replace: 2 });
    // The pool is back to its size: both threads serve.
    const workers = new Set<number>();
    const who = s.pool.task<unknown, { worker: number }>(FIXTURES, 'whoAmI');
    for (let round = 0; round < 200 && workers.size < 2; round++) {
      const batch = await Promise.all([s.pool.run(who, undefined, { priority: 'critical' }), ...Array.from({ length: 50 }, () => s.pool.run(who))]);
      for (const r of batch) workers.add(r.worker);
      await sleep(25);
    }
    expect(workers).toEqual(new Set([0, 1]));
  });

  it('terminates an async task awaiting a promise that never settles; it restarts as attempt 2', async () => {
    const s = await scene();
    expect(await runUnderPressure(s, 'neverSettles')).toBe('restarted');
    await Promise.all(s.pressure);
    expect(s.counts).toMatchObject({ terminate: 1, restart: 1 });
  });

  it('resumes a terminated task from the state it saved before it stopped listening', async () => {
    const s = await scene();
    expect(await runUnderPressure(s, 'busyForever', { save: true })).toEqual({ resumedWith: { progress: 42 }, attempt: 1 });
    await Promise.all(s.pressure);
    expect(s.counts).toMatchObject({ terminate: 1, resume: 1, restart: 0 });
  });

  it('a task finishing within a millisecond of its hard termination ends exactly once', async () => {
    const s = await scene();
    const terminations: PoolEvent[] = [];
    s.pool.events.addEventListener('terminate', (e) => terminations.push(e as PoolEvent));
    // Each timed task is flagged after its quantum and terminated about graceMs
    // later. Durations sweep that moment a millisecond at a time: some finish
    // just before it, some while it is being decided, some are terminated and
    // finish on their restart. Each must end exactly once.
    const outcomes: string[] = [];
    let settled = 0;
    for (let ms = 20; ms <= 34; ms++) {
      outcomes.push((await runUnderPressure(s, 'finishAfterOnce', ms)) as string);
      settled++;
    }
    await Promise.all(s.pressure);
    await sleep(50);
    expect(settled).toBe(15);
    expect(outcomes.every((o) => o === 'finished' || o === 'finished on a restart')).toBe(true);
    const stats = s.pool.stats();
    expect(stats.completed).toBe(15 + s.pressure.length);
    expect([stats.failed, stats.live, stats.running, stats.queued]).toEqual([0, 0, 0, 0]);
    // Every termination restarted its task, which then finished on its restart.
    expect(stats.restarts).toBe(terminations.length);
    expect(outcomes.filter((o) => o === 'finished on a restart').length).toBe(terminations.length);
  });
});
