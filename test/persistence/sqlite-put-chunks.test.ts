// SqliteStore writes new tasks many rows per INSERT (src/store/sqlite/put-tasks.ts);
// a chunk holding an id that is taken (stored before, or twice in the chunk)
// goes one row at a time instead. Either way a batch must leave exactly what
// MemoryStore (the reference) leaves, and report the same statuses.
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/store/memory-store.js';
import type { TaskRecord } from '../../src/store/records.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { ROWS_PER_INSERT } from '../../src/store/sqlite/statements.js';
import { task } from './contract/harness.js';
import { tempDir } from './temp-dir.js';

let temp: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => {
  temp = await tempDir();
});
afterEach(() => temp.dispose());

/** A registration of `id`, its definition (period) and params chosen by `variant`: same, updated or rescheduled against another variant. */
function registration(id: number, variant: number): TaskRecord {
  return task(`t${id}`, { periodMs: 1000 * (1 + (variant % 2)), params: { variant: variant % 3 } });
}

async function sorted(store: MemoryStore | SqliteStore, ids: readonly string[]): Promise<Array<TaskRecord | undefined>> {
  return Promise.all([...new Set(ids)].sort().map((id) => store.getTask(id)));
}

describe('SqliteStore putTasks in chunks', () => {
  it('reports and stores what MemoryStore does for batches across chunk edges with taken and repeated ids', async () => {
    let run = 0;
    // size 'max': fast-check's default size would keep arrays to about ten items, never filling a chunk.
    const batch = fc.array(fc.tuple(fc.integer({ min: 0, max: 3 * ROWS_PER_INSERT }), fc.integer({ min: 0, max: 5 })), {
      maxLength: 3 * ROWS_PER_INSERT + 5,
      size: 'max',
    });
    await fc.assert(
      fc.asyncProperty(batch, batch, async (before, registrations) => {
        const sqlite = new SqliteStore(temp.file(`chunks-${run++}.db`));
        const memory = new MemoryStore();
        await sqlite.open();
        await memory.open();
        try {
          const first = before.map(([id, variant]) => registration(id, variant));
          const second = registrations.map(([id, variant]) => registration(id, variant));
          expect(await sqlite.putTasks(first)).toEqual(await memory.putTasks(first));
          expect(await sqlite.putTasks(second)).toEqual(await memory.putTasks(second));
          const ids = [...first, ...second].map((t) => t.id);
          expect(await sorted(sqlite, ids)).toEqual(await sorted(memory, ids));
        } finally {
          await sqlite.close();
        }
      }),
      { numRuns: 60 },
    );
  });

  it('writes a batch of only new tasks whole: every one created and stored', async () => {
    const store = new SqliteStore(temp.file('new.db'));
    await store.open();
    const tasks = Array.from({ length: 2 * ROWS_PER_INSERT + 7 }, (_, i) => task(`new-${i}`));
    expect(await store.putTasks(tasks)).toEqual(tasks.map(() => 'created'));
    for (const t of tasks) expect(await store.getTask(t.id)).toEqual(t);
    await store.close();
  });
});
