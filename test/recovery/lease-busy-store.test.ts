// Acquiring the store's lease while the SQLite file's write lock is held by
// another connection (a process paused in the middle of a write keeps it
// until it resumes): the busy store is reported and the acquire is tried
// again after the backoff, instead of failing `ready` for good.
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { Scheduler } from '../../src/index.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { VirtualClock } from '../../src/testing/index.js';
import { tempDir } from '../persistence/temp-dir.js';

let dispose: (() => Promise<void>) | undefined;
afterEach(async () => {
  await dispose?.();
  dispose = undefined;
});

describe('acquiring the lease of a busy store', () => {
  it('reports the busy store and tries again after the backoff; ready resolves once the lock is free', async () => {
    const dir = await tempDir();
    dispose = dir.dispose;
    const path = dir.file('jobs.db');
    const seed = new SqliteStore(path);
    await seed.open();
    await seed.close();
    const other = new Database(path);
    other.prepare('BEGIN IMMEDIATE').run();

    const clock = new VirtualClock();
    const scheduler = new Scheduler({ clock, store: new SqliteStore({ path, busyTimeoutMs: 20 }), clockWatch: false, retention: false });
    const errors: Array<[string, number]> = [];
    let nextError: () => void = () => {};
    scheduler.events.addEventListener('storeerror', (e) => {
      errors.push([e.detail.operation, e.detail.retryInMs]);
      nextError();
    });
    // Each try first waits in real time (the host's identity is read from the OS once; the lock is waited
    // for busyTimeoutMs), then the backoff on the virtual clock.
    const storeError = () => new Promise<void>((resolve) => {
      nextError = resolve;
    });
    let error = storeError();
    scheduler.start();
    let ready = false;
    void scheduler.ready!.then(() => {
      ready = true;
    });
    await error;
    error = storeError();
    await clock.advance(1_000);
    await error;
    expect(errors).toEqual([['acquireLease', 1_000], ['acquireLease', 2_000]]);
    expect(ready).toBe(false);
    other.prepare('COMMIT').run();
    other.close();
    await clock.advance(2_000);
    await scheduler.ready;
    expect(errors).toHaveLength(2);
    await scheduler.stop();
  });
});
