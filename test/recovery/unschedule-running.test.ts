// unschedule() while a run is in progress: the task stays cancelled when that
// run ends (its end is recorded in the history, but it does not write the
// task back to pending), here and after a restart, on every kind of store
// (SQLite takes its one-statement update path for a run's end).
import { afterEach, describe, expect, it } from 'vitest';
import { Scheduler } from '../../src/index.js';
import { MemoryDatabase, MemoryStore } from '../../src/store/memory-store.js';
import { VirtualClock } from '../../src/testing/index.js';
import { tempDir } from '../persistence/temp-dir.js';

let dispose: (() => Promise<void>) | undefined;
afterEach(async () => {
  await dispose?.();
  dispose = undefined;
});

async function stores(): Promise<Array<[string, () => MemoryStore | string]>> {
  const dir = await tempDir();
  dispose = dir.dispose;
  const database = new MemoryDatabase();
  return [
    ['MemoryStore', () => new MemoryStore({ database })],
    ['SqliteStore (a file path)', () => dir.file('jobs.db')],
  ];
}

describe('unschedule() while a run is in progress', () => {
  it('leaves the task cancelled when the run ends, and it never runs again, after a restart too', async () => {
    for (const [name, store] of await stores()) {
      const clock = new VirtualClock();
      const make = () => new Scheduler({ clock, store: store(), clockWatch: false, retention: false, onError: false });
      const first = make();
      let release!: () => void;
      let runs = 0;
      first.define('slow', () => {
        runs++;
        return new Promise<void>((resolve) => {
          release = resolve;
        });
      });
      first.start();
      await first.ready;
      await first.schedule({ id: 't', fn: 'slow', every: 100 });
      await clock.advance(100);
      expect(await first.getTask('t'), name).toMatchObject({ status: 'running' });
      expect(await first.unschedule('t')).toBe(true);
      release();
      await clock.advance(1000);
      expect(await first.getTask('t'), name).toMatchObject({ status: 'cancelled' });
      expect((await first.history('t')).executions.map((e) => e.outcome), name).toEqual(['succeeded']);
      await first.stop();

      const second = make();
      second.define('slow', () => void runs++);
      second.start();
      await second.ready;
      await clock.advance(1000);
      expect([runs, (await second.getTask('t'))?.status], name).toEqual([1, 'cancelled']);
      await second.stop();
    }
  });
});
