// The documented defaults of durable tasks (3 attempts, a crash counting as
// one; history kept 30 days), and a durable scheduler over IndexedDbStore
// (fake-indexeddb) surviving a restart, as over SQLite and memory.
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { Scheduler } from '../../src/index.js';
import { IndexedDbStore } from '../../src/store/indexeddb-store.js';
import { VirtualClock } from '../../src/testing/index.js';
import { advanceWithIo, harness, outcomes, WALL_START_MS } from './helpers.js';

const DAY_MS = 86_400_000;

describe('durable defaults', () => {
  it('gives a task 3 attempts: a run cut short by two crashes runs a third time, then no more', async () => {
    const h = harness();
    const attempts: number[] = [];
    let s = h.scheduler();
    s.define('hang', (_p, ctx) => {
      attempts.push(ctx.attempt);
      return new Promise(() => {});
    });
    await s.schedule({ id: 'x', fn: 'hang', after: 10 });
    expect((await s.getTask('x'))?.retry).toMatchObject({ attempts: 3 });
    s.start();
    await h.clock.advance(10);
    for (let restart = 0; restart < 3; restart++) {
      await h.crash(s);
      s = h.scheduler();
      s.define('hang', (_p, ctx) => {
        attempts.push(ctx.attempt);
        return new Promise(() => {});
      });
      s.start();
      await s.ready;
      await h.clock.advance(0);
    }
    expect(attempts).toEqual([1, 2, 3]);
    expect(outcomes(h.database, 'x')).toEqual([[10, 'failed']]);
    await s.stop();
  });

  it('keeps history for 30 days by default, pruning hourly', async () => {
    const h = harness();
    // A day-long lease: the default one is renewed every 10 s, 345,600 virtual
    // callbacks over 40 days, which were 95% of this test's CPU (5.3 s against
    // 0.27 s) and took it past its timeout on a loaded machine; the lease is
    // not what this test is about.
    const s = h.scheduler({ retention: {}, lease: { ttlMs: '24h', heartbeatMs: '8h' } });
    s.define('tick', () => {});
    await s.schedule({ id: 'hourly', fn: 'tick', every: '6h' });
    s.start();
    await s.ready;
    await h.clock.advance(40 * DAY_MS);
    const kept = outcomes(h.database, 'hourly').map(([ms]) => ms);
    expect(kept[0]).toBeGreaterThanOrEqual(40 * DAY_MS - 30 * DAY_MS - 3_600_000);
    expect(kept[0]).toBeLessThanOrEqual(40 * DAY_MS - 30 * DAY_MS + 6 * 3_600_000);
    expect(kept.at(-1)).toBe(40 * DAY_MS);
    await s.stop();
  });
});

describe('a durable scheduler over IndexedDbStore', () => {
  it('runs a task scheduled before a restart, once', async () => {
    const indexedDB = new IDBFactory();
    const clock = new VirtualClock();
    const first = new Scheduler({ clock, store: new IndexedDbStore({ name: 'jobs', indexedDB }), clockWatch: false, retention: false });
    first.define('job', () => {});
    await first.schedule({ id: 'j', fn: 'job', params: { n: 1 }, every: '1s', maxExecutions: 3 });
    first.start();
    await advanceWithIo(clock, 1500);
    await first.stop();
    const second = new Scheduler({ clock, store: new IndexedDbStore({ name: 'jobs', indexedDB }), clockWatch: false, retention: false });
    const runs: number[] = [];
    second.define('job', (_p, ctx) => {
      runs.push(ctx.nominalMs - WALL_START_MS);
    });
    second.start();
    expect(await second.ready).toMatchObject({ tasks: 1 });
    await advanceWithIo(clock, 5000);
    expect(runs).toEqual([2000, 3000]);
    expect((await second.history('j')).executions.map((e) => e.outcome)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    await second.stop();
  });
});
