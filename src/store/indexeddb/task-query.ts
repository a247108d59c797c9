// queryTasks() in IndexedDB (task-query.ts has the rules), in one readonly
// transaction, each page walked from an index in id order from the cursor
// on, never the whole store:
//
// - an owner module or a name: the index byModule [ownerModule, id] or
//   byName [name, id] (schema v3), the other filters checked on the records walked;
// - statuses only: per status, the index byStatus [status, id], at most
//   `limit` matching records each, merged by id (IndexedDB and JavaScript
//   both order strings by UTF-16 code units);
// - every status: the tasks store itself (keyed by id).
//
// The last execution of each task of the page is a range of the `slot` index
// ([taskId, nominalMs, *]).
import type { IDBPIndex, IDBPObjectStore, IDBPTransaction } from 'idb';
import { decodeLoaded, decodeTask, type StoredTask } from '../codec.js';
import { TASK_STATUSES } from '../records.js';
import { lastExecutionOf, matchesTaskQuery, type QueriedTask, type TaskQuery } from '../task-query.js';
import type { AllStores, TimesliceDb } from './schema.js';

type Tx = IDBPTransaction<TimesliceDb, AllStores, 'readonly'>;
type TaskSource = IDBPObjectStore<TimesliceDb, AllStores, 'tasks', 'readonly'> | IDBPIndex<TimesliceDb, AllStores, 'tasks', 'byStatus' | 'byModule' | 'byName', 'readonly'>;

/** Keys [prefix, id] for ids after `afterId` (arrays sort above every string, so [prefix, []] bounds them all). */
function afterInPrefix(prefix: string, afterId: string | null): IDBKeyRange {
  return IDBKeyRange.bound([prefix, afterId ?? ''], [prefix, []], afterId !== null, false);
}

/** Walks `source` over `range`, keeping the records that match, up to the limit. */
async function collect(source: TaskSource, range: IDBKeyRange | undefined, query: TaskQuery): Promise<StoredTask[]> {
  const found: StoredTask[] = [];
  for await (const cursor of source.iterate(range)) {
    if (matchesTaskQuery(cursor.value, query)) found.push(cursor.value);
    if (found.length >= query.limit) break;
  }
  return found;
}

async function pageOf(tx: Tx, query: TaskQuery): Promise<StoredTask[]> {
  const tasks = tx.objectStore('tasks');
  if (query.ownerModule !== null) return collect(tasks.index('byModule'), afterInPrefix(query.ownerModule, query.afterId), query);
  if (query.name !== null) return collect(tasks.index('byName'), afterInPrefix(query.name, query.afterId), query);
  if (query.statuses.length === TASK_STATUSES.length) {
    return collect(tasks, query.afterId === null ? undefined : IDBKeyRange.lowerBound(query.afterId, true), query);
  }
  const perStatus = await Promise.all(query.statuses.map((status) => collect(tasks.index('byStatus'), afterInPrefix(status, query.afterId), query)));
  const merged = perStatus.flat().sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return merged.length > query.limit ? merged.slice(0, query.limit) : merged;
}

export async function queryTasks(tx: Tx, query: TaskQuery): Promise<QueriedTask[]> {
  const page = await pageOf(tx, query);
  const slots = tx.objectStore('executions').index('slot');
  return Promise.all(
    page.map(async (stored) => {
      const task = decodeLoaded(stored.id, () => decodeTask(stored));
      const n = task.lastExecutionMs;
      const candidates = n === null ? [] : await slots.getAll(IDBKeyRange.bound([task.id, n, -Infinity], [task.id, n, Infinity]));
      return { ...task, lastExecution: lastExecutionOf(n, candidates) };
    }),
  );
}
