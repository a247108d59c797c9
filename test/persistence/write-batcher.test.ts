import { describe, expect, it } from 'vitest';
import { taskRecord, type TaskRecord } from '../../src/store/records.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { WriteBatcher } from '../../src/store/write-batcher.js';
import { tempDir } from './temp-dir.js';

interface Deferred {
  promise: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A write() whose every call waits until the test settles it; the log records each batch. */
function controlledWrite() {
  const calls: Array<{ items: number[]; done: Deferred }> = [];
  const write = (items: number[]) => {
    const done = deferred();
    calls.push({ items, done });
    return done.promise;
  };
  return { calls, write };
}

/** Lets every queued microtask and promise callback run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

function record(i: number): TaskRecord {
  return taskRecord({ id: `t${i}`, functionName: 'work', scheduleKind: 'once', createdAtMs: 0, params: { i } });
}

describe('WriteBatcher', () => {
  it('writes the items added in one tick as one batch, and resolves no caller before that write has committed', async () => {
    const { calls, write } = controlledWrite();
    const batcher = new WriteBatcher({ write });
    const log: string[] = [];
    const added = [1, 2, 3].map((n) => batcher.add(n).then(() => log.push(`resolved ${n}`)));
    await settle();
    expect(calls.map((c) => c.items)).toEqual([[1, 2, 3]]);
    expect(log).toEqual([]);
    log.push('commit');
    calls[0]!.done.resolve();
    await Promise.all(added);
    expect(log).toEqual(['commit', 'resolved 1', 'resolved 2', 'resolved 3']);
    expect(batcher.pending).toBe(0);
  });

  it('rejects every caller of a failed batch with its error, and writes later batches normally', async () => {
    const { calls, write } = controlledWrite();
    const batcher = new WriteBatcher({ write });
    const failing = [batcher.add(1), batcher.add(2)].map((p) => p.then(() => 'resolved', (error: Error) => error.message));
    await settle();
    const later = batcher.add(3);
    calls[0]!.done.reject(new Error('disk full'));
    expect(await Promise.all(failing)).toEqual(['disk full', 'disk full']);
    await settle();
    expect(calls.map((c) => c.items)).toEqual([[1, 2], [3]]);
    calls[1]!.done.resolve();
    await expect(later).resolves.toBeUndefined();
  });

  it('writes one batch at a time, in order, at most maxBatchSize items each; items added meanwhile wait for the next batch', async () => {
    const { calls, write } = controlledWrite();
    const batcher = new WriteBatcher({ write, maxBatchSize: 10 });
    const first = Array.from({ length: 25 }, (_, i) => batcher.add(i));
    await settle();
    expect(calls.map((c) => c.items.length)).toEqual([10]);
    const meanwhile = batcher.add(100);
    calls[0]!.done.resolve();
    await settle();
    expect(calls.map((c) => c.items.length)).toEqual([10, 10]);
    calls[1]!.done.resolve();
    await settle();
    expect(calls[2]!.items).toEqual([20, 21, 22, 23, 24, 100]);
    calls[2]!.done.resolve();
    await Promise.all([...first, meanwhile]);
    await batcher.flush();
    expect(calls).toHaveLength(3);
  });

  it("hands each caller its own item's result when write() returns one per item", async () => {
    const batcher = new WriteBatcher<number, string>({ write: async (items) => items.map((n) => `#${n}`) });
    expect(await Promise.all([batcher.add(1), batcher.add(2)])).toEqual(['#1', '#2']);
    const wrong = new WriteBatcher<number, string>({ write: async () => ['only one'] });
    await expect(Promise.all([wrong.add(1), wrong.add(2)])).rejects.toMatchObject({ code: 'ERR_STORE' });
  });

  it('refuses bad options when constructed', () => {
    expect(() => new WriteBatcher({ write: 'x' as never })).toThrow(/options.write must be a function, received 'x' \(string\)/);
    expect(() => new WriteBatcher({ write: async () => {}, maxBatchSize: 0 })).toThrow(/options.maxBatchSize must be an integer >= 1, received 0/);
  });

  it('with a SqliteStore: 10,000 registrations in one transaction, each visible to another connection when its promise resolves', async () => {
    const temp = await tempDir();
    const writer = new SqliteStore(temp.file('jobs.db'));
    const reader = new SqliteStore(temp.file('jobs.db'));
    try {
      await writer.open();
      await reader.open();
      const batches: number[] = [];
      const batcher = new WriteBatcher<TaskRecord>({
        write: (tasks) => {
          batches.push(tasks.length);
          return writer.putTasks(tasks);
        },
      });
      const seenOnResolve: Array<Promise<boolean>> = [];
      const registrations = Array.from({ length: 10_000 }, (_, i) =>
        batcher.add(record(i)).then(() => {
          if (i % 2500 === 0) seenOnResolve.push(reader.getTask(`t${i}`).then((t) => t?.params !== undefined));
        }),
      );
      await Promise.all(registrations);
      expect(batches).toEqual([10_000]);
      expect(await Promise.all(seenOnResolve)).toEqual([true, true, true, true]);
      let loaded = 0;
      for await (const batch of reader.loadTasks()) loaded += batch.length;
      expect(loaded).toBe(10_000);
    } finally {
      await writer.close();
      await reader.close();
      await temp.dispose();
    }
  });
});
