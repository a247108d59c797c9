// A durable attempt's time limit: the task's timeoutMs, else the scheduler's
// durableTimeoutMs (300 s, seed 004's execution_timeout). Past it, its
// ctx.signal aborts with TaskTimeoutError, the attempt is recorded as failed
// with that error and retried by the task's policy; the limit is stored with
// the task and holds over a restart with SQLite.
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidArgumentError, Scheduler, TaskTimeoutError } from '../../src/index.js';
import type { DurableContext } from '../../src/index.js';
import { VirtualClock } from '../../src/testing/index.js';
import { tempDir } from '../persistence/temp-dir.js';
import { harness, WALL_START_MS } from './helpers.js';

let dispose: (() => Promise<void>) | undefined;
afterEach(async () => {
  await dispose?.();
  dispose = undefined;
});

/** A body that runs until its signal aborts; it records when, and why. */
function untilAborted(clock: VirtualClock, seen: Array<[number, number, unknown]>) {
  return (_params: unknown, ctx: DurableContext) =>
    new Promise<never>((_resolve, reject) => {
      ctx.signal.addEventListener('abort', () => {
        seen.push([ctx.attempt, clock.wallNow() - WALL_START_MS, ctx.signal.reason]);
        reject(ctx.signal.reason);
      });
    });
}

describe('a durable attempt past its timeout', () => {
  it("aborts the attempt's signal with TaskTimeoutError, records it as failed with that error, and retries it by its policy", async () => {
    const h = harness();
    const s = h.scheduler();
    const seen: Array<[number, number, unknown]> = [];
    const hang = untilAborted(h.clock, seen);
    s.define('job', (params, ctx) => (ctx.attempt < 3 ? hang(params, ctx) : 'done'));
    const completions: Array<[number, string, boolean]> = [];
    s.events.addEventListener('slotcomplete', (e) => completions.push([e.detail.attempt, e.detail.outcome, e.detail.retrying]));
    await s.schedule({ id: 'j', fn: 'job', after: 100, timeoutMs: '2s', retry: { attempts: 3, backoff: 'fixed', delayMs: 1000, jitter: 0 } });
    s.start();
    await h.clock.advance(10_000);
    // Attempt 1 runs from 100 ms, attempt 2 from 3100 ms (2 s, then the 1 s backoff), attempt 3 from 6100 ms.
    expect(seen.map(([attempt, atMs]) => [attempt, atMs])).toEqual([[1, 2100], [2, 5100]]);
    for (const [attempt, , reason] of seen) {
      expect(reason).toBeInstanceOf(TaskTimeoutError);
      expect((reason as Error).message).toBe(`durable task 'j' attempt ${attempt} timed out after 2000 ms`);
    }
    expect(completions).toEqual([[1, 'failed', true], [2, 'failed', true], [3, 'succeeded', false]]);
    const [execution] = (await s.history('j')).executions;
    expect(execution).toMatchObject({ outcome: 'succeeded', attempt: 3, result: 'done' });
    expect(await s.getTask('j')).toMatchObject({ status: 'completed', timeoutMs: 2000, lastError: "durable task 'j' attempt 2 timed out after 2000 ms" });
    await s.stop();
  });

  it('fails the slot with the TaskTimeoutError once its attempts are spent; a body that ignores its signal changes nothing when it ends later', async () => {
    const h = harness();
    const s = h.scheduler({ onError: false });
    let release: () => void = () => {};
    s.define('deaf', () => new Promise<string>((resolve) => (release = () => resolve('late'))));
    await s.schedule({ id: 'd', fn: 'deaf', after: 0, timeoutMs: 500, retry: 1 });
    s.start();
    await h.clock.advance(499);
    expect(await s.getTask('d')).toMatchObject({ status: 'running' });
    await h.clock.advance(1);
    release();
    await h.clock.advance(1000);
    const [execution] = (await s.history('d')).executions;
    expect(execution).toMatchObject({ outcome: 'failed', attempt: 1, error: { name: 'TaskTimeoutError', code: 'ERR_TASK_TIMEOUT' } });
    expect(execution?.endedAtMs).toBe(WALL_START_MS + 500);
    expect(await s.getTask('d')).toMatchObject({ status: 'failed', executionCount: 1 });
    await s.stop();
  });

  it("uses the scheduler's durableTimeoutMs for tasks that set none: 300 s by default, another duration, or false for no limit", async () => {
    for (const [durableTimeoutMs, abortedAtMs] of [[undefined, 300_000], ['1m', 60_000], [false, undefined]] as const) {
      const h = harness();
      const s = h.scheduler(durableTimeoutMs === undefined ? {} : { durableTimeoutMs });
      const seen: Array<[number, number, unknown]> = [];
      s.define('job', untilAborted(h.clock, seen));
      await s.schedule({ id: 'j', fn: 'job', after: 0, retry: 1 });
      s.start();
      await h.clock.advance(3_600_000);
      expect(seen.map(([, atMs]) => atMs)).toEqual(abortedAtMs === undefined ? [] : [abortedAtMs]);
      expect(await s.getTask('j')).toMatchObject(abortedAtMs === undefined ? { status: 'running' } : { status: 'failed', timeoutMs: null });
      await s.stop({ drain: false });
    }
  });

  it("frees the attempt's concurrency slot at the timeout, as an in-memory timeout does", async () => {
    const h = harness();
    const s = h.scheduler({ concurrency: 1, onError: false });
    const starts: Array<[string, number]> = [];
    s.define('deaf', () => {
      starts.push(['deaf', h.clock.wallNow() - WALL_START_MS]);
      return new Promise<never>(() => {});
    });
    s.define('quick', () => {
      starts.push(['quick', h.clock.wallNow() - WALL_START_MS]);
    });
    await s.schedule({ id: 'd', fn: 'deaf', after: 0, timeoutMs: '1s', retry: 1 });
    await s.schedule({ id: 'q', fn: 'quick', after: 10 });
    s.start();
    await h.clock.advance(2000);
    expect(starts).toEqual([['deaf', 0], ['quick', 1000]]);
    await s.stop({ drain: false });
  });

  it('keeps the task its timeoutMs over a restart with SQLite, and a registration again with another one changes it in place', async () => {
    const dir = await tempDir();
    dispose = dir.dispose;
    const path = dir.file('jobs.db');
    const clock = new VirtualClock({ wallStartMs: WALL_START_MS });
    const seen: Array<[number, number, unknown]> = [];
    const make = () => {
      const s = new Scheduler({ clock, store: path, clockWatch: false, retention: false, onError: false });
      s.define('job', untilAborted(clock, seen));
      s.start();
      return s;
    };
    const first = make();
    await first.ready;
    await first.schedule({ id: 'r', fn: 'job', every: '1m', timeoutMs: '5s', retry: 1 });
    await first.stop();

    const second = make();
    await second.ready;
    await clock.advance(60_000 + 5_000);
    expect(seen.map(([attempt, atMs]) => [attempt, atMs])).toEqual([[1, 65_000]]);
    // The start-up pattern with a changed limit: the same schedule, the new limit from the next slot.
    await second.schedule({ id: 'r', fn: 'job', every: '1m', timeoutMs: '10s', retry: 1 });
    await clock.advance(65_000);
    expect(seen.map(([, atMs]) => atMs)).toEqual([65_000, 130_000]);
    expect(await second.getTask('r')).toMatchObject({ timeoutMs: 10_000, scheduleVersion: 1, executionCount: 2 });
    const { executions } = await second.history('r');
    expect(executions.map((e) => [e.outcome, (e.error as { name?: string } | null)?.name])).toEqual([['failed', 'TaskTimeoutError'], ['failed', 'TaskTimeoutError']]);
    await second.stop({ drain: false });
  });

  it('checks the options: timeoutMs a duration > 0, durableTimeoutMs a duration > 0 or false, and only with a store', async () => {
    const h = harness();
    const s = h.scheduler();
    s.define('job', () => {});
    await expect(s.schedule({ fn: 'job', after: 0, timeoutMs: 0 })).rejects.toThrow(/schedule: options\.timeoutMs must be > 0, received 0/);
    await expect(s.schedule({ fn: 'job', after: 0, timeoutMs: 'soon' as never })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(s.schedule({ fn: 'job', after: 0, timeoutMs: -1 })).rejects.toThrow(/options\.timeoutMs/);
    expect(() => h.scheduler({ durableTimeoutMs: 0 })).toThrow(/options\.durableTimeoutMs must be > 0 \(false: no limit\)/);
    expect(() => h.scheduler({ durableTimeoutMs: true as never })).toThrow(/options\.durableTimeoutMs/);
    expect(() => new Scheduler({ durableTimeoutMs: '1m' })).toThrow(/options\.durableTimeoutMs applies only with options\.store/);
    await s.stop();
  });
});
