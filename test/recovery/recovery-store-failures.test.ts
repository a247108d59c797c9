// Recovery's own writes meet a failing store as the live path's do: the end
// of an attempt a crash left open (complete), and the reopening and end of an
// attempt no schedule wants any more (retry, complete: superseded.ts), are
// tried again after the store's backoff (1 s doubling to 30 s), a `storeerror`
// event naming the call each time, and start() resolves once they are
// stored. A try stored but whose answer was lost (StoreOutcomeUnknownError) is
// found stored by the next one: nothing is lost, nothing is ended twice.
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { Scheduler } from '../../src/index.js';
import type { RecoveryReport } from '../../src/durable/recovery.js';
import { StoreError, StoreOutcomeUnknownError } from '../../src/store/errors.js';
import type { Store } from '../../src/store/store.js';
import { VirtualClock } from '../../src/testing/index.js';
import { advanceWithIo, WALL_START_MS } from './helpers.js';
import { type OpenStore, restartStores } from './restart-stores.js';

const stores = restartStores(['MemoryStore', 'SqliteStore', 'IndexedDbStore', 'PostgresStore']);
const LEASE = { ttlMs: 1_000 };
const ID = `j/1/${WALL_START_MS + 1_000}`;

/** How one failing try goes: refused before writing, or written and its answer lost. */
type Failure = 'before' | 'lost';

/**
 * `store.complete` and `store.retry` fail their first tries as `plan` says
 * (then answer as the store does); counts the tries that wrote something.
 */
function failing(store: Store, plan: { complete?: Failure[]; retry?: Failure[] }): { written: () => Record<string, number> } {
  const written: Record<string, number> = { complete: 0, retry: 0 };
  for (const name of ['complete', 'retry'] as const) {
    const failures = [...(plan[name] ?? [])];
    const real = (store[name] as (request: unknown) => Promise<{ status: string }>).bind(store);
    (store as unknown as Record<string, unknown>)[name] = async (request: unknown) => {
      const failure = failures.shift();
      if (failure === 'before') throw new StoreError(`${name}: database is locked`);
      const result = await real(request);
      if (result.status === 'completed' || result.status === 'retried') written[name]!++;
      if (failure === 'lost') throw new StoreOutcomeUnknownError(`${name}: connection lost during COMMIT`);
      return result;
    };
  }
  return { written: () => written };
}

type Event = [string, Record<string, unknown>];

function newScheduler(clock: VirtualClock, store: Store, ran: number[]): { s: Scheduler; events: Event[] } {
  const s = new Scheduler({ clock, store, clockWatch: false, retention: false, lease: LEASE });
  const events: Event[] = [];
  for (const type of ['storeerror', 'executioninterrupted', 'slotcomplete'] as const) {
    s.events.addEventListener(type, (e) => events.push([type, e.detail as unknown as Record<string, unknown>]));
  }
  s.define('job', (_p, ctx) => void ran.push(ctx.attempt));
  return { s, events };
}

/** A first process whose attempt of `j` (due at 1 s) hangs, crashed 1 s later: the store closed under it, its lease lapsing. */
async function crashedWithAttemptOpen(openStore: OpenStore, clock: VirtualClock): Promise<void> {
  const store = openStore();
  const first = new Scheduler({ clock, store, clockWatch: false, retention: false, lease: LEASE });
  first.define('job', () => new Promise<void>(() => {}));
  await first.schedule({ id: 'j', fn: 'job', after: '1s', retry: { attempts: 3, backoff: 'fixed', delayMs: 1_000, jitter: 0 } });
  first.start();
  await advanceWithIo(clock, 2_000, 1_000);
  await store.close();
  await first.stop({ drain: false }).catch(() => {});
  await advanceWithIo(clock, 1_000, 1_000);
}

/** start() of `s`, the virtual clock advanced in `stepMs` steps until its recovery is done (its backoffs wait on that clock). */
async function recovered(s: Scheduler, clock: VirtualClock, stepMs: number): Promise<RecoveryReport> {
  let report: RecoveryReport | undefined;
  let failure: unknown;
  s.start();
  s.ready!.then((r) => (report = r), (error: unknown) => (failure = error));
  for (let step = 0; step < 400 && report === undefined && failure === undefined; step++) await advanceWithIo(clock, stepMs, stepMs);
  if (failure !== undefined) throw failure;
  expect(report).toBeDefined();
  return report!;
}

const storeErrors = (events: Event[]) => events.filter(([type]) => type === 'storeerror').map(([, d]) => [d.operation, d.retryInMs]);

describe.each(stores)('recovery over %s, its store failing', (_name, makeStores) => {
  it('ends an interrupted attempt after the store failed 3 times: 3 storeerror events, then the retry runs once', async () => {
    const openStore = await makeStores();
    const clock = new VirtualClock({ wallStartMs: WALL_START_MS });
    await crashedWithAttemptOpen(openStore, clock);
    const store = openStore();
    const failures = failing(store, { complete: ['before', 'before', 'before'] });
    const ran: number[] = [];
    const { s, events } = newScheduler(clock, store, ran);
    expect(await recovered(s, clock, 1_000)).toMatchObject({ interrupted: 1, retried: 1, failed: 0 });
    expect(storeErrors(events)).toEqual([['complete', 1_000], ['complete', 2_000], ['complete', 4_000]]);
    await advanceWithIo(clock, 2_000, 1_000);
    expect(ran).toEqual([2]);
    expect(failures.written()).toEqual({ complete: 1, retry: 1 });
    expect(events.filter(([type]) => type === 'executioninterrupted')).toHaveLength(1);
    const { executions } = await s.history('j');
    expect(executions.map((e) => [e.id, e.attempt, e.outcome])).toEqual([[ID, 2, 'succeeded']]);
    await s.stop();
  }, 30_000);

  it('a store down for minutes, its first try stored but the answer lost: the attempt is ended once, retried once', async () => {
    const openStore = await makeStores();
    const clock = new VirtualClock({ wallStartMs: WALL_START_MS });
    await crashedWithAttemptOpen(openStore, clock);
    const store = openStore();
    // The first try is stored (its answer lost); nine more fail before writing, over 1 + 2 + 4 + 8 + 16 + 4 x 30 s.
    const failures = failing(store, { complete: ['lost', ...Array<Failure>(9).fill('before')], retry: ['lost'] });
    const ran: number[] = [];
    const { s, events } = newScheduler(clock, store, ran);
    expect(await recovered(s, clock, 5_000)).toMatchObject({ interrupted: 1, retried: 1, failed: 0 });
    await advanceWithIo(clock, 5_000, 1_000);
    const errors = storeErrors(events);
    expect(errors.slice(0, 10).map(([, ms]) => ms)).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000, 30_000, 30_000]);
    expect(errors.slice(0, 10).every(([operation]) => operation === 'complete')).toBe(true);
    // The retry's start (the live path's, once the end is stored) was stored and its answer lost too: the next try takes the attempt it started.
    expect(errors.slice(10)).toEqual([['retry', 1_000]]);
    expect(ran).toEqual([2]);
    // One end of attempt 1 (the lost one: the tries after it found it stored) and one retry (attempt 2's end is a batched write).
    expect(failures.written()).toEqual({ complete: 1, retry: 1 });
    const { executions } = await s.history('j');
    expect(executions.map((e) => [e.id, e.attempt, e.outcome])).toEqual([[ID, 2, 'succeeded']]);
    await s.stop();
  }, 30_000);

  it('ends an attempt of a cancelled task as superseded through failing retry() and complete() calls, once', async () => {
    const openStore = await makeStores();
    const clock = new VirtualClock({ wallStartMs: WALL_START_MS });
    // The attempt fails (its retry due after 1 s) and the process dies at once: the slot stays open, interrupted.
    const store1 = openStore();
    const first = new Scheduler({ clock, store: store1, clockWatch: false, retention: false, lease: LEASE });
    first.define('job', () => {
      throw new Error('boom');
    });
    await first.schedule({ id: 'j', fn: 'job', after: '1s', retry: { attempts: 3, backoff: 'fixed', delayMs: 5_000, jitter: 0 } });
    first.start();
    await advanceWithIo(clock, 2_000, 1_000);
    await store1.close();
    await first.stop({ drain: false }).catch(() => {});
    await advanceWithIo(clock, 1_000, 1_000);
    // Cancelled meanwhile by another tool on the store.
    const admin = openStore();
    await admin.open();
    expect(await admin.updateTask('j', { status: 'cancelled', nextExecutionMs: null, updatedAtMs: clock.wallNow() })).toMatchObject({ status: 'cancelled' });
    expect(await admin.getExecution(ID)).toMatchObject({ attempt: 1, outcome: 'interrupted', error: { name: 'Error', message: 'boom' } });
    await admin.close();

    const store = openStore();
    const failures = failing(store, { retry: ['before', 'lost'], complete: ['before'] });
    const ran: number[] = [];
    const { s, events } = newScheduler(clock, store, ran);
    expect(await recovered(s, clock, 1_000)).toMatchObject({ tasks: 0, superseded: 1 });
    // The backoff starts again after the reopening succeeded.
    expect(storeErrors(events)).toEqual([['retry', 1_000], ['retry', 2_000], ['complete', 1_000]]);
    await advanceWithIo(clock, 10_000, 1_000);
    expect(ran).toEqual([]);
    expect(failures.written()).toEqual({ complete: 1, retry: 1 });
    const { executions } = await s.history('j');
    expect(executions.map((e) => [e.id, e.attempt, e.outcome, e.error])).toEqual([[ID, 2, 'cancelled', { name: 'SupersededError', message: 'the task is cancelled' }]]);
    await s.stop();
  }, 30_000);
});
