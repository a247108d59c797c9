// A full store under a durable scheduler (PRAGMA max_page_count): registration
// rejects with StoreFullError and nothing is stored; a due slot whose claim
// does not fit waits and is retried (a 'storeerror' event each time); once
// there is room again, the scheduler carries on by itself.
import { afterEach, describe, expect, it } from 'vitest';
import { Scheduler } from '../../src/index.js';
import { StoreFullError } from '../../src/store/errors.js';
import { taskRecord } from '../../src/store/records.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { VirtualClock } from '../../src/testing/index.js';
import { tempDir } from '../persistence/temp-dir.js';

let dispose: (() => Promise<void>) | undefined;
afterEach(async () => {
  await dispose?.();
  dispose = undefined;
});

/** Writes records, smaller and smaller, then execution records, until the store refuses each: no room is left on any page. */
async function fill(store: SqliteStore): Promise<void> {
  await store.putTasks([taskRecord({ id: 'pad', functionName: 'unused', scheduleKind: 'once', createdAtMs: 0 })]);
  await store.setMaxPageCount(1);
  for (let nominalMs = 1, full = false; !full; nominalMs++) {
    full = await store.claim([{ taskId: 'pad', scheduleVersion: 1, nominalMs, startedAtMs: 0 }]).then(() => false, (error: unknown) => StoreFullError.is(error));
    if (nominalMs > 10_000) throw new Error('the executions never filled up');
  }
  let i = 0;
  for (const padding of [200, 50, 0]) {
    for (let full = false; !full; i++) {
      const filler = taskRecord({ id: `f${i}`, functionName: 'unused', scheduleKind: 'once', createdAtMs: 0, status: 'cancelled', params: 'x'.repeat(padding) });
      full = await store.putTasks([filler]).then(() => false, (error: unknown) => StoreFullError.is(error));
      if (i > 10_000) throw new Error('the store never filled up');
    }
  }
}

describe('a durable scheduler on a full store', () => {
  it('rejects registrations with StoreFullError, retries due claims, and resumes once space returns', async () => {
    const dir = await tempDir();
    dispose = dir.dispose;
    const clock = new VirtualClock();
    const store = new SqliteStore({ path: dir.file('full.db'), synchronous: 'normal' });
    const scheduler = new Scheduler({ clock, store, clockWatch: false, retention: false });
    const ran: number[] = [];
    scheduler.define('job', (_params, ctx) => {
      ran.push(ctx.attempt);
    });
    const storeErrors: Array<{ operation: string; retryInMs: number; code: unknown }> = [];
    scheduler.events.addEventListener('storeerror', (e) => {
      storeErrors.push({ operation: e.detail.operation, retryInMs: e.detail.retryInMs, code: (e.detail.error as { code?: unknown }).code });
    });
    await scheduler.schedule({ id: 'due', fn: 'job', after: 1000 });
    scheduler.start();
    await scheduler.ready;
    await fill(store);

    const refused = await scheduler.schedule({ id: 'late', fn: 'job', after: 10 }).then(() => undefined, (e: unknown) => e);
    expect(StoreFullError.is(refused)).toBe(true);
    expect(await scheduler.getTask('late')).toBeUndefined();

    await clock.advance(1000);
    expect(ran).toEqual([]);
    expect(storeErrors).toEqual([{ operation: 'claim', retryInMs: 1000, code: 'ERR_STORE_FULL' }]);
    await clock.advance(1000);
    expect(storeErrors.map((e) => e.retryInMs)).toEqual([1000, 2000]);

    await store.setMaxPageCount(null);
    await clock.advance(2000);
    expect(ran).toEqual([1]);
    expect((await scheduler.history('due')).executions).toMatchObject([{ outcome: 'succeeded' }]);
    await scheduler.schedule({ id: 'late', fn: 'job', after: 10 });
    await clock.advance(10);
    expect(ran).toEqual([1, 1]);
    await scheduler.stop();
    await store.close();
  });
});
