// How durable runs go on one scheduler: a thrown error retried with its
// backoff (each failed attempt recorded, the state carried over), a fixed-delay
// task timed from each run's end, and unschedule().
import { describe, expect, it } from 'vitest';
import { Scheduler } from '../../src/index.js';
import { StoreFullError } from '../../src/store/errors.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import type { ClaimRequest, CompleteRequest } from '../../src/store/store.js';
import { harness, outcomes, WALL_START_MS } from './helpers.js';

describe('durable runs', () => {
  it('retries a failing run after its backoff, carrying its saved state, until it succeeds', async () => {
    const h = harness();
    const s = h.scheduler();
    const seen: Array<[number, number, unknown]> = [];
    s.define('flaky', async (_params, ctx) => {
      seen.push([ctx.attempt, h.clock.wallNow() - WALL_START_MS, ctx.state]);
      await ctx.saveState({ tried: ctx.attempt });
      if (ctx.attempt < 3) throw new Error(`attempt ${ctx.attempt} failed`);
      return 'ok';
    });
    const completions: Array<[number, string, boolean]> = [];
    s.events.addEventListener('slotcomplete', (e) => completions.push([e.detail.attempt, e.detail.outcome, e.detail.retrying]));
    await s.schedule({ id: 'f', fn: 'flaky', after: 100, retry: { attempts: 3, backoff: 'fixed', delayMs: 1000, jitter: 0 } });
    s.start();
    await h.clock.advance(5000);
    expect(seen).toEqual([[1, 100, null], [2, 1100, { tried: 1 }], [3, 2100, { tried: 2 }]]);
    expect(completions).toEqual([[1, 'failed', true], [2, 'failed', true], [3, 'succeeded', false]]);
    const [execution] = (await s.history('f')).executions;
    expect(execution).toMatchObject({ outcome: 'succeeded', attempt: 3, result: 'ok' });
    expect(await s.getTask('f')).toMatchObject({ status: 'completed', executionCount: 1, lastError: 'attempt 2 failed' });
    await s.stop();
  });

  it('records a one-off task as failed, with its error, after its last attempt', async () => {
    const h = harness();
    const s = h.scheduler();
    s.define('broken', () => {
      throw Object.assign(new Error('no route'), { code: 'E_ROUTE' });
    });
    await s.schedule({ id: 'b', fn: 'broken', after: 10, retry: 1 });
    s.start();
    await h.clock.advance(10);
    const [execution] = (await s.history('b')).executions;
    expect(execution).toMatchObject({ outcome: 'failed', attempt: 1, error: { name: 'Error', message: 'no route', code: 'E_ROUTE' } });
    expect(await s.getTask('b')).toMatchObject({ status: 'failed', lastError: 'no route' });
    await s.stop();
  });

  it('times a fixed-delay task from the end of each run', async () => {
    const h = harness();
    const s = h.scheduler();
    const starts: number[] = [];
    s.define('slow', async (_params, ctx) => {
      starts.push(h.clock.wallNow() - WALL_START_MS);
      await ctx.sleep(2000);
    });
    await s.schedule({ id: 'r', fn: 'slow', recurring: '10s', maxExecutions: 3 });
    s.start();
    await h.clock.advance(60_000);
    expect(starts).toEqual([10_000, 22_000, 34_000]);
    expect(outcomes(h.database, 'r').map(([ms]) => ms)).toEqual([10_000, 22_000, 34_000]);
    await s.stop();
  });

  it('unschedule() records the task as cancelled, and it never runs again, here or after a restart', async () => {
    const h = harness();
    const first = h.scheduler();
    let runs = 0;
    first.define('tick', () => {
      runs++;
    });
    await first.schedule({ id: 't', fn: 'tick', every: '1s' });
    first.start();
    await h.clock.advance(2500);
    expect(await first.unschedule('t')).toBe(true);
    expect(await first.unschedule('nobody')).toBe(false);
    await h.clock.advance(5000);
    expect(runs).toBe(2);
    await first.stop();
    const second = h.scheduler();
    second.define('tick', () => {
      runs++;
    });
    second.start();
    expect(await second.ready).toMatchObject({ tasks: 0 });
    await h.clock.advance(5000);
    expect(runs).toBe(2);
    expect(await second.getTask('t')).toMatchObject({ status: 'cancelled' });
    await second.stop();
  });

  // The scheduler writes ends through completeAndClaim(), or complete() on a store without it.
  it.each([
    ['completeAndClaim()', false],
    ['complete(), on a store without completeAndClaim()', true],
  ])('a completion that fails to write (a full disk) in %s is written again after a backoff; the body does not run again', async (_name, withoutBatch) => {
    const h = harness();
    class FullOnce extends MemoryStore {
      failures = 1;
      override async complete(request: CompleteRequest) {
        if (this.failures-- > 0) throw new StoreFullError('memory');
        return super.complete(request);
      }
      override async completeAndClaim(completions: readonly CompleteRequest[], claims: readonly ClaimRequest[]) {
        if (completions.length > 0 && this.failures-- > 0) throw new StoreFullError('memory');
        return super.completeAndClaim(completions, claims);
      }
    }
    const store = new FullOnce({ database: h.database });
    if (withoutBatch) Object.defineProperty(store, 'completeAndClaim', { value: undefined });
    const s = new Scheduler({ clock: h.clock, store, clockWatch: false, retention: false });
    let runs = 0;
    s.define('job', () => {
      runs++;
    });
    const errors: Array<[string, number]> = [];
    s.events.addEventListener('storeerror', (e) => errors.push([e.detail.operation, e.detail.retryInMs]));
    await s.schedule({ id: 'j', fn: 'job', after: 10 });
    s.start();
    await h.clock.advance(10);
    expect(errors).toEqual([['complete', 1000]]);
    expect(outcomes(h.database, 'j')).toEqual([[10, 'running']]);
    await h.clock.advance(1000);
    expect(outcomes(h.database, 'j')).toEqual([[10, 'succeeded']]);
    expect(runs).toBe(1);
    await s.stop();
  });
});
