// One owner: an attempt's end whose write went through but whose answer was
// lost (a connection cut during COMMIT: StoreOutcomeUnknownError). The
// scheduler sends the end again (a `storeerror` event for the failed try);
// the store refuses the repeat as `already-ended`, its `current` the end as
// stored. The scheduler recognises that end as its own (the same attempt's
// token, outcome, end time, result and error: isSameEnd in slot-rules.ts,
// the rule the cluster's idempotent finish applies in the store) and goes on
// as if the first try had answered: one `slotcomplete` for the attempt, its
// count and next slot kept, a failed attempt's retry started. Any other
// stored end stays a refusal. The retry() that starts a failed attempt's
// next one is tried again after a store failure too, and a repeat refused
// as `stale-token` by the attempt it started takes that attempt
// (isStoredRetry); a claim whose answer was lost takes, on its next try, the
// running record it made (isStoredClaim), for a slot and for runNow().
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { Scheduler } from '../../src/index.js';
import { StoreError, StoreOutcomeUnknownError } from '../../src/store/errors.js';
import type { ClaimResult, SlotWritesResult, Store } from '../../src/store/store.js';
import { VirtualClock } from '../../src/testing/index.js';
import { advanceWithIo, WALL_START_MS } from './helpers.js';
import { restartStores } from './restart-stores.js';

const stores = restartStores(['MemoryStore', 'SqliteStore', 'IndexedDbStore', 'PostgresStore']);

/** The first slot write (completeAndClaim, else complete) that ends an attempt `lose` picks is written, then its answer is lost. */
function loseEndAnswer(store: Store, lose: (executionId: string) => boolean): { lost: () => string[] } {
  const lost: string[] = [];
  const pick = (ids: string[]) => (lost.length === 0 ? ids.find(lose) : undefined);
  if (store.completeAndClaim !== undefined) {
    const real = store.completeAndClaim.bind(store);
    store.completeAndClaim = async (completions, claims): Promise<SlotWritesResult> => {
      const result = await real(completions, claims);
      const id = pick(result.completed.flatMap((r, k) => (r.status === 'completed' ? [completions[k]!.executionId] : [])));
      if (id === undefined) return result;
      lost.push(id);
      throw new StoreOutcomeUnknownError('completeAndClaim: connection lost during COMMIT');
    };
  }
  const real = store.complete.bind(store);
  store.complete = async (request) => {
    const result = await real(request);
    if (result.status !== 'completed' || pick([request.executionId]) === undefined) return result;
    lost.push(request.executionId);
    throw new StoreOutcomeUnknownError('complete: connection lost during COMMIT');
  };
  return { lost: () => lost };
}

type Event = [string, Record<string, unknown>];

function scheduler(clock: VirtualClock, store: Store): { s: Scheduler; events: Event[] } {
  const s = new Scheduler({ clock, store, clockWatch: false, retention: false, lease: { ttlMs: 30_000 } });
  const events: Event[] = [];
  for (const type of ['slotcomplete', 'storeerror', 'writefenced'] as const) {
    s.events.addEventListener(type, (e) => events.push([type, e.detail as unknown as Record<string, unknown>]));
  }
  return { s, events };
}

const completions = (events: Event[]) =>
  events.filter(([type]) => type === 'slotcomplete').map(([, d]) => [(d.nominalMs as number) - WALL_START_MS, d.attempt, d.outcome, d.retrying]);
const storeErrors = (events: Event[]) => events.filter(([type]) => type !== 'slotcomplete').map(([type, d]) => [type, d.operation, (d.error as { code?: string }).code]);

describe.each(stores)('one owner over %s: an end whose answer was lost after its write went through', (_name, makeStores) => {
  it('is reported once, as completed, and counted once: maxExecutions runs exactly, the task completes', async () => {
    const openStore = await makeStores();
    const clock = new VirtualClock({ wallStartMs: WALL_START_MS });
    const store = openStore();
    const { s, events } = scheduler(clock, store);
    const ran: number[] = [];
    s.define('tick', (_p, ctx) => void ran.push(ctx.nominalMs - WALL_START_MS));
    await s.schedule({ id: 'tick', fn: 'tick', every: '10s', maxExecutions: 3, params: {} });
    const lost = loseEndAnswer(store, (id) => id === `tick/1/${WALL_START_MS + 10_000}`);
    s.start();
    await s.ready;
    await advanceWithIo(clock, 60_000, 1_000);
    expect(lost.lost()).toEqual([`tick/1/${WALL_START_MS + 10_000}`]);
    expect(ran).toEqual([10_000, 20_000, 30_000]);
    // The failed try is reported as a store error; the attempt's slotcomplete then tells that its end is stored.
    expect(storeErrors(events)).toEqual([['storeerror', 'complete', 'ERR_STORE_OUTCOME_UNKNOWN']]);
    expect(completions(events)).toEqual([[10_000, 1, 'succeeded', false], [20_000, 1, 'succeeded', false], [30_000, 1, 'succeeded', false]]);
    const { executions } = await s.history('tick');
    expect(executions.map((e) => [e.nominalMs - WALL_START_MS, e.attempt, e.outcome])).toEqual([[30_000, 1, 'succeeded'], [20_000, 1, 'succeeded'], [10_000, 1, 'succeeded']]);
    expect(await s.getTask('tick')).toMatchObject({ status: 'completed', executionCount: 3, lastExecutionMs: WALL_START_MS + 30_000, nextExecutionMs: null });
    await s.stop();
  }, 20_000);

  it('a failed attempt\'s end: its retry still runs, once, after the backoff', async () => {
    const openStore = await makeStores();
    const clock = new VirtualClock({ wallStartMs: WALL_START_MS });
    const store = openStore();
    const { s, events } = scheduler(clock, store);
    const ran: Array<[number, number]> = [];
    s.define('flaky', (_p, ctx) => {
      ran.push([ctx.nominalMs - WALL_START_MS, ctx.attempt]);
      if (ctx.attempt === 1) throw new Error('boom');
      return { n: ctx.attempt };
    });
    await s.schedule({ id: 'flaky', fn: 'flaky', after: '10s', retry: { attempts: 3, delayMs: 2_000, backoff: 'fixed', jitter: 0 } });
    const lost = loseEndAnswer(store, () => true);
    s.start();
    await s.ready;
    await advanceWithIo(clock, 40_000, 1_000);
    expect(lost.lost()).toEqual([`flaky/1/${WALL_START_MS + 10_000}`]);
    expect(ran).toEqual([[10_000, 1], [10_000, 2]]);
    expect(storeErrors(events)).toEqual([['storeerror', 'complete', 'ERR_STORE_OUTCOME_UNKNOWN']]);
    expect(completions(events)).toEqual([[10_000, 1, 'failed', true], [10_000, 2, 'succeeded', false]]);
    const { executions } = await s.history('flaky');
    expect(executions.map((e) => [e.nominalMs - WALL_START_MS, e.attempt, e.outcome, e.result])).toEqual([[10_000, 2, 'succeeded', { n: 2 }]]);
    expect(await s.getTask('flaky')).toMatchObject({ status: 'completed', executionCount: 1 });
    await s.stop();
  }, 20_000);
});

/** The first claim (completeAndClaim, else claim) of `executionId` is written, then its answer is lost. */
function loseClaimAnswer(store: Store, executionId: string): { lost: () => number } {
  let lost = 0;
  const claims = (results: ClaimResult[]) => results.some((r) => r.status === 'claimed' && r.execution.id === executionId);
  if (store.completeAndClaim !== undefined) {
    const real = store.completeAndClaim.bind(store);
    store.completeAndClaim = async (completions, requests): Promise<SlotWritesResult> => {
      const result = await real(completions, requests);
      if (lost > 0 || !claims(result.claimed)) return result;
      lost++;
      throw new StoreOutcomeUnknownError('completeAndClaim: connection lost during COMMIT');
    };
  }
  const real = store.claim.bind(store);
  store.claim = async (requests) => {
    const result = await real(requests);
    if (lost > 0 || !claims(result)) return result;
    lost++;
    throw new StoreOutcomeUnknownError('claim: connection lost during COMMIT');
  };
  return { lost: () => lost };
}

/** store.retry() fails once: before writing (`lost` false) or after (`lost` true, the answer lost). */
function failRetry(store: Store, lost: boolean): { failed: () => number } {
  let failed = 0;
  const real = store.retry.bind(store);
  store.retry = async (request) => {
    if (failed > 0) return real(request);
    failed++;
    if (!lost) throw new StoreError('retry: database is locked');
    await real(request);
    throw new StoreOutcomeUnknownError('retry: connection lost during COMMIT');
  };
  return { failed: () => failed };
}

describe.each(stores)('one owner over %s: a start (claim, retry) whose call failed', (_name, makeStores) => {
  it('a claim: the slot runs once, as attempt 1, and nothing stays running', async () => {
    const openStore = await makeStores();
    const clock = new VirtualClock({ wallStartMs: WALL_START_MS });
    const store = openStore();
    const { s, events } = scheduler(clock, store);
    const ran: number[] = [];
    s.define('tick', (_p, ctx) => void ran.push(ctx.nominalMs - WALL_START_MS));
    await s.schedule({ id: 'tick', fn: 'tick', every: '10s', maxExecutions: 3, params: {} });
    const lost = loseClaimAnswer(store, `tick/1/${WALL_START_MS + 20_000}`);
    s.start();
    await s.ready;
    await advanceWithIo(clock, 60_000, 1_000);
    expect(lost.lost()).toBe(1);
    expect(ran).toEqual([10_000, 20_000, 30_000]);
    expect(storeErrors(events)).toEqual([['storeerror', 'claim', 'ERR_STORE_OUTCOME_UNKNOWN']]);
    expect(completions(events)).toEqual([[10_000, 1, 'succeeded', false], [20_000, 1, 'succeeded', false], [30_000, 1, 'succeeded', false]]);
    const { executions } = await s.history('tick');
    expect(executions.map((e) => [e.nominalMs - WALL_START_MS, e.attempt, e.outcome])).toEqual([[30_000, 1, 'succeeded'], [20_000, 1, 'succeeded'], [10_000, 1, 'succeeded']]);
    expect(await s.getTask('tick')).toMatchObject({ status: 'completed', executionCount: 3 });
    await s.stop();
  }, 20_000);

  it('a manual run\'s claim: runNow resolves with that slot, which runs once; another runNow of the same ms takes the next', async () => {
    const openStore = await makeStores();
    const clock = new VirtualClock({ wallStartMs: WALL_START_MS });
    const store = openStore();
    const { s, events } = scheduler(clock, store);
    const ran: Array<[number, boolean]> = [];
    s.define('job', (_p, ctx) => void ran.push([ctx.nominalMs - WALL_START_MS, ctx.manual]));
    await s.schedule({ id: 'j', fn: 'job', every: '1h', params: {} });
    s.start();
    await s.ready;
    await advanceWithIo(clock, 5_000, 1_000);
    const lost = loseClaimAnswer(store, `j/0/${WALL_START_MS + 5_000}`);
    const first = s.runNow('j');
    const second = s.runNow('j');
    await advanceWithIo(clock, 10_000, 1_000);
    expect(lost.lost()).toBe(1);
    // The later runNow goes first (queueManualRun): its claim of 5,000 was the lost one, taken on its retry; the
    // other, asked for in the same ms, meets that record, which is not its own, and takes the next ms.
    expect([(await second).id, (await first).id]).toEqual([`j/0/${WALL_START_MS + 5_000}`, `j/0/${WALL_START_MS + 5_001}`]);
    expect(ran).toEqual([[5_000, true], [5_001, true]]);
    expect(storeErrors(events)).toEqual([['storeerror', 'claim', 'ERR_STORE_OUTCOME_UNKNOWN']]);
    expect(completions(events)).toEqual([[5_000, 1, 'succeeded', false], [5_001, 1, 'succeeded', false]]);
    const { executions } = await s.history('j');
    expect(executions.map((e) => [e.nominalMs - WALL_START_MS, e.attempt, e.outcome])).toEqual([[5_001, 1, 'succeeded'], [5_000, 1, 'succeeded']]);
    expect(await s.getTask('j')).toMatchObject({ executionCount: 2 });
    await s.stop();
  }, 20_000);

  it('recovery\'s retry of an interrupted attempt, stored but its answer lost: attempt 2 runs once', async () => {
    const openStore = await makeStores();
    const clock = new VirtualClock({ wallStartMs: WALL_START_MS });
    const firstStore = openStore();
    const first = new Scheduler({ clock, store: firstStore, clockWatch: false, retention: false, lease: { ttlMs: 1_000 } });
    first.define('job', () => new Promise<void>(() => {}));
    await first.schedule({ id: 'j', fn: 'job', after: '1s', retry: 3 });
    first.start();
    await advanceWithIo(clock, 2_000, 1_000);
    // A crash in the body: the store closed under the scheduler, which is dropped without draining; its lease lapses.
    await firstStore.close();
    await first.stop({ drain: false }).catch(() => {});
    await advanceWithIo(clock, 1_000, 1_000);
    const store = openStore();
    const failed = failRetry(store, true);
    const { s, events } = scheduler(clock, store);
    const ran: number[] = [];
    s.define('job', (_p, ctx) => void ran.push(ctx.attempt));
    s.start();
    expect(await s.ready).toMatchObject({ interrupted: 1, retried: 1 });
    await advanceWithIo(clock, 10_000, 1_000);
    expect(failed.failed()).toBe(1);
    expect(ran).toEqual([2]);
    expect(storeErrors(events)).toEqual([['storeerror', 'retry', 'ERR_STORE_OUTCOME_UNKNOWN']]);
    expect(completions(events)).toEqual([[1_000, 2, 'succeeded', false]]);
    const { executions } = await s.history('j');
    expect(executions.map((e) => [e.nominalMs - WALL_START_MS, e.attempt, e.outcome])).toEqual([[1_000, 2, 'succeeded']]);
    await s.stop();
  }, 20_000);

  for (const lostAnswer of [false, true]) {
    it(`a failed attempt's retry() that ${lostAnswer ? 'was stored but its answer lost' : 'failed'}: the retry runs once, as attempt 2`, async () => {
      const openStore = await makeStores();
      const clock = new VirtualClock({ wallStartMs: WALL_START_MS });
      const store = openStore();
      const { s, events } = scheduler(clock, store);
      const ran: Array<[number, number]> = [];
      s.define('flaky', (_p, ctx) => {
        ran.push([ctx.nominalMs - WALL_START_MS, ctx.attempt]);
        if (ctx.attempt === 1) throw new Error('boom');
      });
      await s.schedule({ id: 'flaky', fn: 'flaky', after: '10s', retry: { attempts: 3, delayMs: 2_000, backoff: 'fixed', jitter: 0 } });
      const failed = failRetry(store, lostAnswer);
      s.start();
      await s.ready;
      await advanceWithIo(clock, 40_000, 1_000);
      expect(failed.failed()).toBe(1);
      expect(ran).toEqual([[10_000, 1], [10_000, 2]]);
      expect(storeErrors(events)).toEqual([['storeerror', 'retry', lostAnswer ? 'ERR_STORE_OUTCOME_UNKNOWN' : 'ERR_STORE']]);
      expect(completions(events)).toEqual([[10_000, 1, 'failed', true], [10_000, 2, 'succeeded', false]]);
      const { executions } = await s.history('flaky');
      expect(executions.map((e) => [e.nominalMs - WALL_START_MS, e.attempt, e.outcome])).toEqual([[10_000, 2, 'succeeded']]);
      expect(await s.getTask('flaky')).toMatchObject({ status: 'completed', executionCount: 1 });
      await s.stop();
    }, 20_000);
  }
});
