// Retention and history: execution records older than the configured age are
// deleted on a schedule (never the open ones), and history() pages through a
// task's executions newest first; pruned slots are still never run again.
import { describe, expect, it } from 'vitest';
import { pruneInRounds } from '../../src/durable/cluster/cluster-retention.js';
import { retentionFailure } from '../../src/durable/retention.js';
import type { ClusterStore } from '../../src/store/cluster.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { harness, outcomes, WALL_START_MS } from './helpers.js';

describe('history retention', () => {
  it('deletes records that ended more than maxAgeMs ago, every intervalMs', async () => {
    const h = harness();
    const s = h.scheduler({ retention: { maxAgeMs: '1m', intervalMs: '30s' } });
    s.define('tick', () => {});
    await s.schedule({ id: 't', fn: 'tick', every: '10s' });
    s.start();
    await s.ready;
    await h.clock.advance(300_000);
    const kept = outcomes(h.database, 't').map(([ms]) => ms);
    // The last prune ran at 300 s: it kept what ended after 240 s (and the runs at 300 s since).
    expect(kept[0]).toBeGreaterThan(240_000 - 30_000);
    expect(kept.at(-1)).toBe(300_000);
    expect(kept.length).toBeLessThanOrEqual(10);
    expect(await s.getTask('t')).toMatchObject({ executionCount: 30 });
    await s.stop();
  });

  it('never runs a pruned slot again after a restart: the high-water mark guards it', async () => {
    const h = harness();
    const first = h.scheduler({ retention: { maxAgeMs: 0, intervalMs: '5s' } });
    const runs: number[] = [];
    first.define('tick', (_p, ctx) => {
      runs.push(ctx.nominalMs - WALL_START_MS);
    });
    await first.schedule({ id: 't', fn: 'tick', every: '10s' });
    first.start();
    await h.clock.advance(31_000);
    await first.stop();
    expect(outcomes(h.database, 't').length).toBeLessThan(3);
    const second = h.scheduler();
    second.define('tick', (_p, ctx) => {
      runs.push(ctx.nominalMs - WALL_START_MS);
    });
    second.start();
    await second.ready;
    await h.clock.advance(10_000);
    expect(runs).toEqual([10_000, 20_000, 30_000, 40_000]);
    await second.stop();
  });
});

describe('history()', () => {
  it('pages through one task’s executions newest first, with skips and their reasons', async () => {
    const h = harness();
    const s = h.scheduler();
    s.define('tick', () => {});
    await s.schedule({ id: 't', fn: 'tick', every: '10s', maxExecutions: 5 });
    await s.schedule({ id: 'other', fn: 'tick', every: '10s', maxExecutions: 5 });
    s.start();
    await h.clock.advance(60_000);
    const first = await s.history('t', { limit: 2 });
    expect(first.executions.map((e) => e.nominalMs - WALL_START_MS)).toEqual([50_000, 40_000]);
    expect(first.executions.every((e) => e.taskId === 't' && e.outcome === 'succeeded')).toBe(true);
    const second = await s.history('t', { limit: 10, before: first.next as NonNullable<typeof first.next> });
    expect(second.executions.map((e) => e.nominalMs - WALL_START_MS)).toEqual([30_000, 20_000, 10_000]);
    expect(second.next).toBeNull();
    await expect(s.history('t', { limit: 0 })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await s.stop();
  });
});

describe('a prune that fails', () => {
  it.for(['pruneHistory', 'pruneEndedTasks'] as const)('is a storeerror naming %s, and the next interval prunes again', async (operation) => {
    const h = harness();
    const store = new MemoryStore({ database: h.database });
    const original = store[operation].bind(store) as (...args: unknown[]) => Promise<unknown>;
    let failures = 1;
    // The first call fails (the pass at start), the later ones reach the store.
    (store as unknown as Record<string, unknown>)[operation] = (...args: unknown[]) =>
      failures-- > 0 ? Promise.reject(new Error('disk on fire')) : original(...args);
    const s = h.scheduler({ store, retention: { maxAgeMs: '1m', intervalMs: '30s' } });
    const errors: unknown[] = [];
    s.events.addEventListener('storeerror', (event) => void errors.push(event.detail));
    s.define('tick', () => {});
    await s.schedule({ id: 't', fn: 'tick', every: '10s' });
    s.start();
    await s.ready;
    await h.clock.advance(300_000);
    expect(errors).toEqual([{ operation, error: expect.objectContaining({ message: 'disk on fire' }), retryInMs: 30_000 }]);
    expect(outcomes(h.database, 't').length).toBeLessThanOrEqual(10);
    await s.stop();
  });

  it('names the cluster round that failed', async () => {
    const store = {
      pruneHistoryRound: async () => ({ status: 'pruned' as const, deleted: 0 }),
      pruneEndedTasksRound: async () => {
        throw new Error('disk on fire');
      },
    } as unknown as ClusterStore;
    const failure = await pruneInRounds(store, 0, () => false).catch((error: unknown) => error);
    expect(retentionFailure(failure, 'pruneHistoryRound')).toEqual({ operation: 'pruneEndedTasksRound', error: new Error('disk on fire') });
  });
});
