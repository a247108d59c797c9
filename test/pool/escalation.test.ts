// Tasks that ignore a flag that cannot wait: after graceMs their thread is
// terminated, a warm spare takes its role, and the task resumes from its saved
// state or restarts (urgent work), or fails its attempt (its timeout).
//
// Each test makes one flag certain and aims it at one task: one worker runs
// the task under test; once it has started (the fixture says so), one
// critical task arrives, and the only running task is flagged urgent. Nothing
// else is ever flagged for anything but sharing (which is never escalated), so
// a loaded machine can delay the steps but not change how many there are.
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { POOL_EVENT_TYPES, type PoolEvent, type PoolOptions, type WorkerPool } from '../../src/pool/index.js';
import { FIXTURES, marked, sleep, startPool, untilStarted } from './helpers.js';

let pool: WorkerPool | undefined;
afterEach(async () => {
  await pool?.close({ drain: false });
  pool = undefined;
});

const ONE_WORKER: PoolOptions = { threads: 1, quantumMs: 5, graceMs: 20 };
const EVENTS = ['terminate', 'replace', 'resume', 'restart', 'crash', 'preempt', 'timeout'] as const;

interface Scene {
  pool: WorkerPool;
  counts: Record<string, number>;
  log: PoolEvent[];
}

async function scene(options: PoolOptions = {}): Promise<Scene> {
  pool = await startPool({ ...ONE_WORKER, ...options });
  const counts: Record<string, number> = {};
  const log: PoolEvent[] = [];
  for (const type of EVENTS) {
    counts[type] = 0;
    pool.events.addEventListener(type, (e) => {
      counts[type]!++;
      log.push(e as PoolEvent);
    });
  }
  return { pool, counts, log };
}

/** Runs `name` on the only worker; once it has started, a critical task arrives. Answers both results. */
async function runThenUrgent(s: Scene, name: string, args?: unknown): Promise<[Promise<unknown>, Promise<unknown>]> {
  const m = marked(name, args);
  const task = s.pool.run(s.pool.task(FIXTURES, 'marked'), m);
  await untilStarted(m);
  const urgent = s.pool.run(s.pool.task(FIXTURES, 'threadInfo'), undefined, { priority: 'critical' });
  return [task, urgent];
}

describe('escalation in the worker pool', () => {
  it('a warm spare takes the role of a worker whose JS busy loop is flagged for urgent work, and runs the urgent task; the busy loop ignores the flag, its thread is terminated, and it restarts as attempt 2', async () => {
    const s = await scene();
    const [busy, urgent] = await runThenUrgent(s, 'busyUnlessResumed');
    const ran = (await urgent) as { threadId: number; attempt: number };
    expect(await busy).toBe('second run');
    expect(s.counts).toMatchObject({ terminate: 1, replace: 1, restart: 1, resume: 0, crash: 0 });
    const terminate = s.log.find((e) => e.type === 'terminate')!;
    const replace = s.log.find((e) => e.type === 'replace')!;
    expect(terminate.detail.reason).toBe('urgent');
    // The urgent task ran on the spare that took the role when the task was flagged (before its grace ran out), booted before it was needed.
    expect(replace.detail).toMatchObject({ reason: 'urgent', warm: true });
    expect(ran.threadId).toBe(replace.detail.threadId);
    const stats = s.pool.stats();
    expect([stats.terminations, stats.restarts, stats.replacements, stats.warmReplacements, stats.failed]).toEqual([1, 1, 1, 1, 0]);
  });

  it('terminates an async task awaiting a promise that never settles; it restarts as attempt 2', async () => {
    const s = await scene();
    const [task, urgent] = await runThenUrgent(s, 'neverSettles');
    await urgent;
    expect(await task).toBe('restarted');
    expect(s.counts).toMatchObject({ terminate: 1, restart: 1 });
  });

  it('resumes a terminated task from the state it saved before it stopped listening', async () => {
    const s = await scene();
    const [task, urgent] = await runThenUrgent(s, 'busyForever', { save: true });
    await urgent;
    expect(await task).toEqual({ resumedWith: { progress: 42 }, attempt: 1 });
    expect(s.counts).toMatchObject({ terminate: 1, resume: 1, restart: 0 });
  });

  it('a task blocked in Atomics.wait past its timeoutMs is terminated (its grace counts while it sleeps) and fails with TaskTimeoutError; the pool is back to its size', async () => {
    const s = await scene({ threads: 2 });
    const code = await s.pool.run(s.pool.task(FIXTURES, 'blockedForever'), undefined, { timeoutMs: 30 }).catch((e: { code: string }) => e.code);
    expect(code).toBe('ERR_TASK_TIMEOUT');
    expect(s.counts).toMatchObject({ timeout: 1, terminate: 1, replace: 1, restart: 0 });
    expect(s.log.find((e) => e.type === 'terminate')!.detail.reason).toBe('timeout');
    const workers = new Set<number>();
    const who = s.pool.task<unknown, { worker: number }>(FIXTURES, 'whoAmI');
    for (let round = 0; round < 200 && workers.size < 2; round++) {
      for (const r of await Promise.all(Array.from({ length: 50 }, () => s.pool.run(who)))) workers.add(r.worker);
      await sleep(25);
    }
    expect(workers).toEqual(new Set([0, 1]));
  });

  it('a task finishing within a millisecond of its termination ends exactly once', async () => {
    const s = await scene();
    // Each timed task is flagged urgent as it starts and terminated about
    // graceMs later. Durations sweep that moment a millisecond at a time: some
    // finish just before it, some while it is being decided, some are
    // terminated and finish on their restart. Each must end exactly once.
    const outcomes: string[] = [];
    let urgentRuns = 0;
    for (let ms = 10; ms <= 34; ms += 2) {
      const [task, urgent] = await runThenUrgent(s, 'finishAfterOnce', ms);
      outcomes.push((await task) as string);
      await urgent;
      urgentRuns++;
    }
    await sleep(50);
    expect(urgentRuns).toBe(13);
    expect(outcomes.every((o) => o === 'finished' || o === 'finished on a restart')).toBe(true);
    const stats = s.pool.stats();
    expect(stats.completed).toBe(26);
    expect([stats.failed, stats.live, stats.running, stats.queued]).toEqual([0, 0, 0, 0]);
    // Every termination restarted its task, which then finished on its restart; nothing else was terminated.
    expect(stats.restarts).toBe(s.counts.terminate);
    expect(outcomes.filter((o) => o === 'finished on a restart').length).toBe(s.counts.terminate);
  });

  it('seats of terminated threads are reused once those threads have exited: the pool keeps serving after many terminations', async () => {
    // Before: a seat waited for its thread's exit under the wrong id (a Worker's threadId reads -1 once
    // it has exited), was never freed, and after 2 x (threads + spares) replacements no thread could start.
    const s = await scene({ spareThreads: 1 });
    for (let i = 0; i < 6; i++) {
      expect(await s.pool.run(s.pool.task(FIXTURES, 'busyForever'), undefined, { timeoutMs: 20 }).catch((e: { code: string }) => e.code)).toBe('ERR_TASK_TIMEOUT');
    }
    expect(await s.pool.run(s.pool.task(FIXTURES, 'echo'), 'still serving')).toBe('still serving');
    expect(s.counts.terminate).toBe(6);
  });

  it('every event is emitted with the pool lock released: a listener may call back into the pool', async () => {
    // Before: resume, restart, retry and yield were emitted under the lock, and
    // a listener calling stats() (which takes it; it is not reentrant) hung the process.
    pool = await startPool({ threads: 1, quantumMs: 2, graceMs: 20, policy: 'round-robin' });
    const p = pool;
    const seen = new Set<string>();
    for (const type of POOL_EVENT_TYPES) {
      p.events.addEventListener(type, () => {
        p.stats();
        seen.add(type);
      });
    }
    const cooperative = p.task(FIXTURES, 'cooperative');
    const sharing = [p.run(cooperative, { steps: 10, stepMs: 1 }), p.run(cooperative, { steps: 10, stepMs: 1 })];
    expect(await p.run(p.task(FIXTURES, 'crashOnce'), undefined, { retry: { attempts: 2, delayMs: 1 } })).toBe('attempt 2');
    await Promise.all(sharing);
    const m = marked('busyUnlessResumed');
    const task = p.run(p.task(FIXTURES, 'marked'), m);
    await untilStarted(m);
    await p.run(p.task(FIXTURES, 'echo'), 'urgent', { priority: 'critical' });
    expect(await task).toBe('second run');
    for (const type of ['yield', 'retry', 'crash', 'terminate', 'replace', 'restart']) expect(seen).toContain(type);
  });

  it("a task's module is imported before its run starts: a slow import is charged to no quantum or grace", async () => {
    // Before: the run's clock started before the import, and a task whose
    // module took longer than quantum + grace to load was terminated while it
    // loaded (and again on each replacement, which imports it again).
    const s = await scene();
    const slow = fileURLToPath(new URL('./fixtures/slow-import.mjs', import.meta.url));
    const loaded = s.pool.run(s.pool.task(slow, 'loaded'));
    const waiting = s.pool.run(s.pool.task(FIXTURES, 'echo'), 'equal work waits');
    expect(await loaded).toEqual({ attempt: 1 });
    expect(await waiting).toBe('equal work waits');
    expect(s.counts).toMatchObject({ terminate: 0, timeout: 0, restart: 0, preempt: 0 });
  });
});
