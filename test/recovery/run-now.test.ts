// scheduler.runNow(id) on a durable task: one run now, recorded as its own
// execution (a manual slot, schedule version 0), beside a schedule whose next
// slot and cadence stay as they were.
import { describe, expect, it } from 'vitest';
import {
  FunctionNotDefinedError, isManualSlot, MANUAL_SCHEDULE_VERSION, NoStoreError, Scheduler, SchedulerStoppedError, TaskEndedError,
  TaskNotFoundError,
} from '../../src/index.js';
import { VirtualClock } from '../../src/testing/index.js';
import { harness, outcomes, WALL_START_MS } from './helpers.js';

/** A scheduler whose 'tick' logs each run's nominal offset from the wall start and whether it was manual. */
function ticking(h: ReturnType<typeof harness>) {
  const scheduler = h.scheduler();
  const runs: string[] = [];
  scheduler.define('tick', (_params, ctx) => {
    runs.push(`${ctx.manual ? 'manual' : 'slot'}@${ctx.nominalMs - WALL_START_MS}`);
  });
  return { scheduler, runs };
}

/**
 * Waits for a runNow() claim while virtual time moves on: the claim commits
 * with the slot writes of its turn, which the clock's host yields run.
 */
async function claimed<T>(h: ReturnType<typeof harness>, pending: Promise<T>): Promise<T> {
  let done = false;
  void pending.then(() => (done = true), () => (done = true));
  for (let turn = 0; turn < 10 && !done; turn++) await h.clock.advance(0);
  return pending;
}

describe('runNow on a durable task', () => {
  it('runs a fixed-rate task at once, recorded as a manual slot, and keeps its next slot and cadence', async () => {
    const h = harness();
    const { scheduler, runs } = ticking(h);
    await scheduler.schedule({ id: 'rate', fn: 'tick', every: '1s' });
    scheduler.start();
    await h.clock.advance(2500);
    const execution = await claimed(h, scheduler.runNow('rate'));
    expect(execution).toMatchObject({ taskId: 'rate', scheduleVersion: MANUAL_SCHEDULE_VERSION, nominalMs: WALL_START_MS + 2500, attempt: 1, outcome: 'running' });
    expect(isManualSlot(execution)).toBe(true);
    await h.clock.advance(0);
    expect(runs).toEqual(['slot@1000', 'slot@2000', 'manual@2500']);
    expect(await scheduler.getTask('rate')).toMatchObject({ nextExecutionMs: WALL_START_MS + 3000, executionCount: 3, lastExecutionMs: WALL_START_MS + 2500 });
    await h.clock.advance(2000);
    expect(runs).toEqual(['slot@1000', 'slot@2000', 'manual@2500', 'slot@3000', 'slot@4000']);
    const { executions } = await scheduler.history('rate');
    expect(executions.map((e) => [e.nominalMs - WALL_START_MS, e.scheduleVersion, e.outcome])).toEqual([
      [4000, 1, 'succeeded'], [3000, 1, 'succeeded'], [2500, 0, 'succeeded'], [2000, 1, 'succeeded'], [1000, 1, 'succeeded'],
    ]);
    await scheduler.stop();
  });

  it('leaves the high-water mark to the schedule: the manual slot neither moves it nor is refused by it', async () => {
    const h = harness();
    const { scheduler, runs } = ticking(h);
    await scheduler.schedule({ id: 'rate', fn: 'tick', every: '10s' });
    scheduler.start();
    await h.clock.advance(10_000);
    expect((await scheduler.getTask('rate'))?.highWaterMarkMs).toBe(WALL_START_MS + 10_000);
    await claimed(h, scheduler.runNow('rate'));
    expect((await scheduler.getTask('rate'))?.highWaterMarkMs).toBe(WALL_START_MS + 10_000);
    // A manual run asked for at a time a grid slot has (10 s) is a slot of its own, claimed beside it.
    expect(runs).toEqual(['slot@10000', 'manual@10000']);
    await h.clock.advance(10_000);
    expect(runs).toEqual(['slot@10000', 'manual@10000', 'slot@20000']);
    expect((await scheduler.getTask('rate'))?.highWaterMarkMs).toBe(WALL_START_MS + 20_000);
    await scheduler.stop();
  });

  it('gives two runs asked for in the same ms two slots, run one after the other', async () => {
    const h = harness();
    const { scheduler, runs } = ticking(h);
    await scheduler.schedule({ id: 'rate', fn: 'tick', every: '1h' });
    scheduler.start();
    await h.clock.advance(500);
    const [a, b] = await claimed(h, Promise.all([scheduler.runNow('rate'), scheduler.runNow('rate')]));
    expect([a.nominalMs - WALL_START_MS, b.nominalMs - WALL_START_MS].sort()).toEqual([500, 501]);
    await h.clock.advance(0);
    expect(runs).toEqual(['manual@500', 'manual@501']);
    expect(await scheduler.getTask('rate')).toMatchObject({ executionCount: 2, nextExecutionMs: WALL_START_MS + 3_600_000, status: 'pending' });
    await scheduler.stop();
  });

  it('counts a manual run toward maxExecutions: the task completes when the count is reached', async () => {
    const h = harness();
    const { scheduler, runs } = ticking(h);
    await scheduler.schedule({ id: 'three', fn: 'tick', every: '1s', maxExecutions: 3 });
    scheduler.start();
    await h.clock.advance(1500);
    await claimed(h, scheduler.runNow('three'));
    await h.clock.advance(5000);
    expect(runs).toEqual(['slot@1000', 'manual@1500', 'slot@2000']);
    expect(await scheduler.getTask('three')).toMatchObject({ status: 'completed', executionCount: 3, nextExecutionMs: null });
    await expect(scheduler.runNow('three')).rejects.toBeInstanceOf(TaskEndedError);
    await scheduler.stop();
  });

  it('ends the task when the manual run reaches maxExecutions, and the schedule runs no more', async () => {
    const h = harness();
    const { scheduler, runs } = ticking(h);
    await scheduler.schedule({ id: 'two', fn: 'tick', every: '1s', maxExecutions: 2 });
    scheduler.start();
    await h.clock.advance(1500);
    await claimed(h, scheduler.runNow('two'));
    await h.clock.advance(5000);
    expect(runs).toEqual(['slot@1000', 'manual@1500']);
    expect(await scheduler.getTask('two')).toMatchObject({ status: 'completed', executionCount: 2, nextExecutionMs: null });
    await scheduler.stop();
  });

  it('runs a one-off early without using up its slot, and a failed manual run does not fail it', async () => {
    const h = harness();
    const scheduler = h.scheduler();
    const runs: number[] = [];
    scheduler.define('once', (_params, ctx) => {
      runs.push(ctx.nominalMs - WALL_START_MS);
      if (runs.length === 1) throw new Error('not yet');
    });
    await scheduler.schedule({ id: 'o', fn: 'once', after: '1m', retry: 1 });
    scheduler.start();
    await h.clock.advance(1000);
    await claimed(h, scheduler.runNow('o'));
    expect(await scheduler.getTask('o')).toMatchObject({ status: 'pending', lastError: 'not yet', nextExecutionMs: WALL_START_MS + 60_000 });
    await h.clock.advance(60_000);
    expect(runs).toEqual([1000, 60_000]);
    expect(outcomes(h.database, 'o')).toEqual([[1000, 'failed'], [60_000, 'succeeded']]);
    expect(await scheduler.getTask('o')).toMatchObject({ status: 'completed', executionCount: 2 });
    await scheduler.stop();
  });

  it('retries a failed manual run by the task retry policy, as its own slot', async () => {
    const h = harness();
    const scheduler = h.scheduler();
    const attempts: number[] = [];
    scheduler.define('flaky', (_params, ctx) => {
      attempts.push(ctx.attempt);
      if (ctx.attempt < 2) throw new Error('flaky');
    });
    await scheduler.schedule({ id: 'f', fn: 'flaky', every: '1h', retry: { attempts: 2, delayMs: 100, jitter: 0 } });
    scheduler.start();
    const execution = await claimed(h, scheduler.runNow('f'));
    await h.clock.advance(1000);
    expect(attempts).toEqual([1, 2]);
    expect(await scheduler.getTask('f')).toMatchObject({ executionCount: 1, status: 'pending', nextExecutionMs: WALL_START_MS + 3_600_000 });
    expect((await scheduler.history('f')).executions).toMatchObject([{ id: execution.id, attempt: 2, outcome: 'succeeded' }]);
    await scheduler.stop();
  });

  it('before start(), resolves once started and the run is claimed', async () => {
    const h = harness();
    const first = h.scheduler();
    first.define('tick', () => {});
    await first.schedule({ id: 'rate', fn: 'tick', every: '1h' });
    await first.stop();
    const { scheduler, runs } = ticking(h);
    let settled = false;
    const pending = scheduler.runNow('rate').then((execution) => {
      settled = true;
      return execution;
    });
    await h.clock.advance(10);
    expect(settled).toBe(false);
    scheduler.start();
    expect(await claimed(h, pending)).toMatchObject({ scheduleVersion: 0, nominalMs: WALL_START_MS + 10 });
    await h.clock.advance(0);
    expect(runs).toEqual(['manual@10']);
    await scheduler.stop();
  });

  it('before start(), rejects with SchedulerStoppedError when the scheduler stops instead of starting', async () => {
    const h = harness();
    const first = h.scheduler();
    first.define('tick', () => {});
    await first.schedule({ id: 'rate', fn: 'tick', every: '1h' });
    await first.stop();
    // Not live in this scheduler: only recovery, at start(), would make it so.
    const { scheduler } = ticking(h);
    const outcome = scheduler.runNow('rate').then(() => 'resolved', (error: Error) => error.name);
    await h.clock.advance(10);
    await scheduler.stop();
    expect(await outcome).toBe('SchedulerStoppedError');
  });

  it('rejects with typed errors: unknown id, ended task, undefined function, stopped scheduler, no store', async () => {
    const h = harness();
    const scheduler = h.scheduler();
    scheduler.define('tick', () => {});
    await scheduler.schedule({ id: 'gone', fn: 'tick', every: '1s' });
    await scheduler.schedule({ id: 'later', fn: 'undefinedYet', every: '1s' }).catch(() => {});
    scheduler.start();
    await expect(scheduler.runNow('nope')).rejects.toBeInstanceOf(TaskNotFoundError);
    await expect(scheduler.runNow('nope')).rejects.toMatchObject({ code: 'ERR_TASK_NOT_FOUND', taskId: 'nope' });
    await scheduler.unschedule('gone');
    await expect(scheduler.runNow('gone')).rejects.toBeInstanceOf(TaskEndedError);
    await expect(scheduler.runNow('')).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await scheduler.stop();
    await expect(scheduler.runNow('gone')).rejects.toBeInstanceOf(SchedulerStoppedError);

    const noStore = new Scheduler({ clock: new VirtualClock() });
    await expect(noStore.runNow('x')).rejects.toBeInstanceOf(NoStoreError);
  });

  it('rejects with FunctionNotDefinedError for a recovered task whose function is not defined', async () => {
    const h = harness();
    const first = h.scheduler();
    first.define('tick', () => {});
    await first.schedule({ id: 'rate', fn: 'tick', every: '1h' });
    await first.stop();
    const second = h.scheduler();
    second.start();
    await second.ready;
    await expect(second.runNow('rate')).rejects.toBeInstanceOf(FunctionNotDefinedError);
    await second.stop();
  });

  it('rejects a run still waiting its turn when the task is cancelled', async () => {
    const h = harness();
    const scheduler = h.scheduler();
    let release: () => void = () => {};
    scheduler.define('slow', () => new Promise<void>((resolve) => (release = resolve)));
    await scheduler.schedule({ id: 's', fn: 'slow', every: '1s' });
    scheduler.start();
    await h.clock.advance(1000);
    // The 1 s slot is running: the manual run waits behind it.
    const waiting = scheduler.runNow('s');
    await scheduler.unschedule('s');
    await expect(waiting).rejects.toBeInstanceOf(TaskEndedError);
    release();
    await scheduler.stop();
  });

  it('waits behind a failed attempt\'s retry that waits for its backoff: the retry runs at its time, then the manual run', async () => {
    const h = harness();
    const scheduler = h.scheduler({ onError: false });
    const runs: string[] = [];
    scheduler.define('flaky', (_params, ctx) => {
      runs.push(`${ctx.manual ? 'manual' : 'slot'}@${h.clock.wallNow() - WALL_START_MS}#${ctx.attempt}`);
      if (!ctx.manual && ctx.attempt === 1) throw new Error('boom');
    });
    await scheduler.schedule({ id: 'f', fn: 'flaky', every: '1h', startAt: WALL_START_MS + 1000, retry: { attempts: 2, backoff: 'fixed', delayMs: 5000, jitter: 0 } });
    scheduler.start();
    await h.clock.advance(2000);
    expect(runs).toEqual(['slot@1000#1']);
    // The slot is open (interrupted, its error kept) while its retry waits.
    expect(outcomes(h.database, 'f')).toEqual([[1000, 'interrupted']]);
    const manual = scheduler.runNow('f');
    await h.clock.advance(3999);
    expect(runs).toEqual(['slot@1000#1']);
    await h.clock.advance(1);
    expect(runs).toEqual(['slot@1000#1', 'slot@6000#2', 'manual@6000#1']);
    expect(await manual).toMatchObject({ scheduleVersion: MANUAL_SCHEDULE_VERSION, nominalMs: WALL_START_MS + 2000 });
    await scheduler.stop();
  });
});
