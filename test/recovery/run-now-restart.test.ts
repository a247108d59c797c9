// A manual run (runNow) cut short by a crash is recovered like any other
// execution: recorded as interrupted, retried by the task's policy, while the
// schedule's slots go on. Over SqliteStore and IndexedDbStore (fake-indexeddb).
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { Scheduler } from '../../src/index.js';
import { VirtualClock } from '../../src/testing/index.js';
import { advanceWithIo, WALL_START_MS } from './helpers.js';
import { restartStores } from './restart-stores.js';

const LEASE = { ttlMs: 1000 };

const stores = restartStores(['SqliteStore', 'IndexedDbStore', 'PostgresStore']);

describe.each(stores)('a manual run over %s', (_name, makeStores) => {
  it('is retried after a crash cut it short, and the schedule runs on', async () => {
    const openStore = await makeStores();
    const clock = new VirtualClock();
    const firstStore = openStore();
    const first = new Scheduler({ clock, store: firstStore, clockWatch: false, retention: false, lease: LEASE });
    const runs: string[] = [];
    const log = (ctx: { manual: boolean; nominalMs: number; attempt: number }) =>
      runs.push(`${ctx.manual ? 'manual' : 'slot'}@${ctx.nominalMs - WALL_START_MS}#${ctx.attempt}`);
    first.define('job', (_params, ctx) => {
      log(ctx);
      // The manual run hangs until the crash.
      if (ctx.manual) return new Promise<void>(() => {});
    });
    await first.schedule({ id: 'j', fn: 'job', every: '10s', retry: 3 });
    first.start();
    await advanceWithIo(clock, 12_000);
    const pending = first.runNow('j');
    let claimedAt: number | undefined;
    void pending.then((e) => (claimedAt = e.nominalMs));
    for (let turn = 0; turn < 20 && claimedAt === undefined; turn++) await advanceWithIo(clock, 1, 1);
    expect(await pending).toMatchObject({ scheduleVersion: 0, nominalMs: WALL_START_MS + 12_000, attempt: 1, outcome: 'running' });
    expect(runs).toEqual(['slot@10000#1', 'manual@12000#1']);
    // A crash: the store closed under the scheduler, which is dropped without draining; its lease lapses.
    await firstStore.close();
    await first.stop({ drain: false }).catch(() => {});
    await advanceWithIo(clock, 1000);

    const second = new Scheduler({ clock, store: openStore(), clockWatch: false, retention: false, lease: LEASE });
    second.define('job', (_params, ctx) => {
      log(ctx);
    });
    second.start();
    expect(await second.ready).toMatchObject({ tasks: 1, interrupted: 1, retried: 1, failed: 0 });
    await advanceWithIo(clock, 18_000);
    expect(runs).toEqual(['slot@10000#1', 'manual@12000#1', 'manual@12000#2', 'slot@20000#1', 'slot@30000#1']);
    const { executions } = await second.history('j');
    expect(executions.map((e) => [e.nominalMs - WALL_START_MS, e.scheduleVersion, e.attempt, e.outcome])).toEqual([
      [30_000, 1, 1, 'succeeded'], [20_000, 1, 1, 'succeeded'], [12_000, 0, 2, 'succeeded'], [10_000, 1, 1, 'succeeded'],
    ]);
    expect(await second.getTask('j')).toMatchObject({
      status: 'pending', executionCount: 4, nextExecutionMs: WALL_START_MS + 40_000, highWaterMarkMs: WALL_START_MS + 30_000,
    });
    await second.stop();
  }, 20_000);
});
