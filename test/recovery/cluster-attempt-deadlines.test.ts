// The time limits of a cluster process's attempts on one clock timer
// (src/durable/cluster/attempt-deadlines.ts): each attempt past its limit
// ends at exactly its start + the limit, as withinTimeout ends it (a
// TaskTimeoutError outcome, then its core task cancelled); a body that ends
// first keeps its outcome; another length keeps a timer of its own; no timer
// stays armed once nothing runs; and settled limits behind a long run at the
// front do not change when the others pass. Then a cluster Scheduler over the
// reference store: durableTimeoutMs aborts hanging attempts at their limits.
import { describe, expect, it } from 'vitest';
import { AttemptDeadlines } from '../../src/durable/cluster/attempt-deadlines.js';
import type { BodyOutcome } from '../../src/durable/attempt-timeout.js';
import type { Engine } from '../../src/engine/engine.js';
import { type DurableContext, Scheduler, TaskTimeoutError } from '../../src/index.js';
import { MemoryClusterDatabase, MemoryClusterStore } from '../../src/store/memory-cluster-store.js';
import type { TaskContext } from '../../src/tasks/task-context.js';
import { VirtualClock } from '../../src/testing/index.js';
import { WALL_START_MS } from './helpers.js';

function fakeEngine(clock: VirtualClock) {
  const cancelled: Array<[number, number, unknown]> = [];
  const engine = { clock, controls: { cancel: (handle: number, error: unknown) => void cancelled.push([handle, clock.now(), error]) } } as unknown as Engine;
  return { engine, cancelled };
}

/** A body that ends when its resolve is called. */
function openBody(): { body: Promise<BodyOutcome>; end(value: unknown): void } {
  let end: (value: unknown) => void = () => {};
  const body = new Promise<BodyOutcome>((resolve) => (end = (value) => resolve({ ok: true, value })));
  return { body, end };
}

const ctx = (handle: number) => ({ handle }) as unknown as TaskContext;

describe('AttemptDeadlines', () => {
  it('ends each attempt past its limit at its start + the limit, in order, on one timer; a body that ends first keeps its outcome', async () => {
    const clock = new VirtualClock();
    const { engine, cancelled } = fakeEngine(clock);
    const deadlines = new AttemptDeadlines(engine, 1000);
    const outcomes: Array<[number, number, BodyOutcome]> = [];
    const start = (handle: number) => {
      const b = openBody();
      void deadlines.within(engine, ctx(handle), b.body, 1000, `attempt ${handle}`).then((o) => outcomes.push([handle, clock.now(), o]));
      return b;
    };
    const startMs = clock.now();
    start(1);
    await clock.advance(100);
    const second = start(2);
    await clock.advance(150);
    start(3);
    expect(clock.pendingTimers).toBe(1);
    await clock.advance(50);
    second.end('two');
    await clock.advance(2000);
    expect(outcomes.map(([h, at, o]) => [h, at - startMs, o.ok])).toEqual([[2, 300, true], [1, 1000, false], [3, 1250, false]]);
    expect(outcomes[0]![2]).toEqual({ ok: true, value: 'two' });
    const failure = outcomes[1]![2] as { ok: false; error: unknown };
    expect(failure.error).toBeInstanceOf(TaskTimeoutError);
    expect((failure.error as Error).message).toBe('attempt 1 timed out after 1000 ms');
    expect(cancelled.map(([h, at, error]) => [h, at - startMs, (error as Error).message])).toEqual([[1, 1000, 'attempt 1 timed out after 1000 ms'], [3, 1250, 'attempt 3 timed out after 1000 ms']]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('keeps a timer of its own for another length, and none once every body ended', async () => {
    const clock = new VirtualClock();
    const { engine, cancelled } = fakeEngine(clock);
    const deadlines = new AttemptDeadlines(engine, 1000);
    const own = openBody();
    const shared = openBody();
    const outcomes: number[] = [];
    void deadlines.within(engine, ctx(1), own.body, 300, 'own').then(() => outcomes.push(clock.now()));
    void deadlines.within(engine, ctx(2), shared.body, 1000, 'shared').then(() => outcomes.push(clock.now()));
    expect(clock.pendingTimers).toBe(2);
    await clock.advance(300);
    expect(cancelled.map(([h]) => h)).toEqual([1]);
    shared.end(null);
    await clock.advance(0);
    expect(clock.pendingTimers).toBe(0);
    await clock.advance(5000);
    expect(cancelled.map(([h]) => h)).toEqual([1]);
  });

  it('passes the limits of later attempts at their times while thousands settled behind a long run at the front', async () => {
    const clock = new VirtualClock();
    const { engine, cancelled } = fakeEngine(clock);
    const deadlines = new AttemptDeadlines(engine, 10_000);
    const startMs = clock.now();
    void deadlines.within(engine, ctx(0), openBody().body, 10_000, 'long');
    for (let i = 1; i <= 3000; i++) {
      const b = openBody();
      void deadlines.within(engine, ctx(i), b.body, 10_000, `short ${i}`);
      b.end(i);
      if (i % 100 === 0) await clock.advance(1);
    }
    await clock.advance(100);
    void deadlines.within(engine, ctx(9999), openBody().body, 10_000, 'late');
    const lateMs = clock.now() - startMs;
    await clock.advance(20_000);
    expect(cancelled.map(([h, at]) => [h, at - startMs])).toEqual([[0, 10_000], [9999, lateMs + 10_000]]);
    expect(clock.pendingTimers).toBe(0);
  });
});

describe('a cluster process past durableTimeoutMs', () => {
  it('aborts each hanging attempt at its start + durableTimeoutMs with TaskTimeoutError, and leaves the others alone', async () => {
    const clock = new VirtualClock({ wallStartMs: WALL_START_MS });
    const database = new MemoryClusterDatabase({ clock });
    const s = new Scheduler({
      clock, store: new MemoryClusterStore({ database }), cluster: true, clockWatch: false, retention: false, onError: false, durableTimeoutMs: '1s',
    });
    const aborted: Array<[string, number, unknown]> = [];
    s.define('hang', (_params: unknown, c: DurableContext) =>
      new Promise<never>((_resolve, reject) => c.signal.addEventListener('abort', () => {
        aborted.push([c.taskId, clock.wallNow() - WALL_START_MS, c.signal.reason]);
        reject(c.signal.reason);
      })));
    s.define('quick', () => 'ok');
    await s.schedule({ id: 'h1', fn: 'hang', after: 0, retry: 1 });
    await s.schedule({ id: 'q1', fn: 'quick', after: 0 });
    await s.schedule({ id: 'h2', fn: 'hang', after: 300, retry: 1 });
    await s.schedule({ id: 'h3', fn: 'hang', after: 300, retry: 1, timeoutMs: 200 });
    s.start();
    await clock.advance(5000);
    const at = Object.fromEntries(aborted.map(([id, ms]) => [id, ms]));
    // Each at its start (the claim after its due time: the same instant here) + its limit.
    const started = Object.fromEntries(
      await Promise.all(['h1', 'h2', 'h3'].map(async (id) => [id, ((await s.history(id)).executions[0]!.startedAtMs as number) - WALL_START_MS])),
    );
    expect(at).toEqual({ h1: started.h1 + 1000, h2: started.h2 + 1000, h3: started.h3 + 200 });
    for (const [, , reason] of aborted) expect(reason).toBeInstanceOf(TaskTimeoutError);
    expect((await s.history('q1')).executions[0]).toMatchObject({ outcome: 'succeeded', result: 'ok' });
    for (const id of ['h1', 'h2', 'h3']) expect((await s.history(id)).executions[0]).toMatchObject({ outcome: 'failed', error: { name: 'TaskTimeoutError' } });
    await s.stop();
  });
});
