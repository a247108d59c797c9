// `new Scheduler({ store: 'jobs.db' })`: the path opens a SqliteStore on first
// use; tasks survive a restart over the same file.
import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { Scheduler } from '../../src/index.js';
import { StoreCorruptError } from '../../src/store/errors.js';
import { VirtualClock } from '../../src/testing/index.js';
import { tempDir } from '../persistence/temp-dir.js';

let dispose: (() => Promise<void>) | undefined;
afterEach(async () => {
  await dispose?.();
  dispose = undefined;
});

describe('a SQLite file path as the store', () => {
  it('opens the file lazily, and a task scheduled before a restart runs after it', async () => {
    const dir = await tempDir();
    dispose = dir.dispose;
    const path = dir.file('jobs.db');
    const clock = new VirtualClock();
    const first = new Scheduler({ clock, store: path, clockWatch: false, retention: false });
    first.define('job', () => {});
    await first.schedule({ id: 'later', fn: 'job', params: { n: 7 }, after: '1m' });
    await first.stop();

    const second = new Scheduler({ clock, store: path, clockWatch: false, retention: false });
    const seen: unknown[] = [];
    second.define('job', (params) => {
      seen.push(params);
    });
    second.start();
    expect(await second.ready).toMatchObject({ tasks: 1 });
    await clock.advance(60_000);
    expect(seen).toEqual([{ n: 7 }]);
    expect((await second.history('later')).executions).toMatchObject([{ outcome: 'succeeded' }]);
    await second.stop();
  });
});

describe('a corrupt SQLite file as the store', () => {
  it('rejects ready and schedule() with StoreCorruptError naming the file, and leaves the file as it was', async () => {
    const dir = await tempDir();
    dispose = dir.dispose;
    const path = dir.file('garbage.db');
    const garbage = Buffer.from('this is not a database, just some bytes '.repeat(200));
    writeFileSync(path, garbage);
    const scheduler = new Scheduler({ clock: new VirtualClock(), store: path, clockWatch: false, retention: false });
    scheduler.define('job', () => {});
    scheduler.start();
    const error = await scheduler.ready?.then(() => undefined, (e: unknown) => e);
    expect(StoreCorruptError.is(error)).toBe(true);
    expect(error).toMatchObject({ code: 'ERR_STORE_CORRUPT', path });
    await expect(scheduler.schedule({ fn: 'job', after: 1 })).rejects.toMatchObject({ code: 'ERR_STORE_CORRUPT' });
    expect(readFileSync(path).equals(garbage)).toBe(true);
    await scheduler.stop();
  });
});

describe('stopping and starting a durable scheduler again', () => {
  it('opens the file again and recovers its tasks on the next start()', async () => {
    const dir = await tempDir();
    dispose = dir.dispose;
    const clock = new VirtualClock();
    const scheduler = new Scheduler({ clock, store: dir.file('again.db'), clockWatch: false, retention: false });
    const runs: number[] = [];
    scheduler.define('tick', (_params, ctx) => {
      runs.push(ctx.nominalMs);
    });
    await scheduler.schedule({ id: 't', fn: 'tick', every: '1s', maxExecutions: 4 });
    scheduler.start();
    await clock.advance(2000);
    await scheduler.stop();
    await clock.advance(500);
    scheduler.start();
    expect(await scheduler.ready).toMatchObject({ tasks: 1 });
    await clock.advance(2000);
    expect(runs).toHaveLength(4);
    expect((await scheduler.history('t')).executions.map((e) => e.outcome)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    await scheduler.stop();
  });
});
