// putTasks() in IndexedDB, inside its readwrite transaction: each record
// added if its id is new, merged into the stored task if not (codec.ts
// mergeUpsert), as sqlite/put-tasks.ts does in SQLite.
//
// What must be cheap: a batch of new tasks (scheduleMany). A registration is
// usually new, so each is add()ed (one request, not a get and a put), all
// issued together; an add that meets a taken id fails alone, handled on its
// request so the transaction goes on, and that record is merged afterwards.
import { type IDBPObjectStore, type IDBPTransaction, unwrap } from 'idb';
import { encodeCheckedTask, mergeUpsert, type StoredTask } from '../codec.js';
import type { TaskRecord } from '../records.js';
import type { PutStatus } from '../store.js';
import type { AllStores, TimesliceDb } from './schema.js';

/** Writes `tasks` (checked by the caller) in batch order; each one's status. */
export async function putTaskRecords(tx: IDBPTransaction<TimesliceDb, AllStores, 'readwrite'>, tasks: readonly TaskRecord[]): Promise<PutStatus[]> {
  const store = tx.objectStore('tasks');
  // A registration is usually new: add() it (one request, not a get and a
  // put); an id already taken is merged afterwards, in batch order, so one id
  // twice in a batch ends as if written one after the other.
  const taken = await Promise.all(tasks.map((record) => addUnlessTaken(store, encodeCheckedTask(record))));
  const statuses = taken.map((task): PutStatus => (task === undefined ? 'created' : 'unchanged'));
  for (let i = 0; i < taken.length; i++) {
    const incoming = taken[i];
    if (incoming === undefined) continue;
    const { task, status } = mergeUpsert(await store.get(incoming.id), incoming);
    statuses[i] = status;
    await store.put(task);
  }
  return statuses;
}

/**
 * Adds `task`, resolving to it when its id is taken (ConstraintError) and to
 * undefined once added. The error is handled on the request (preventDefault,
 * stopPropagation), so the transaction is not aborted and idb's done() does
 * not see it.
 */
function addUnlessTaken(store: IDBPObjectStore<TimesliceDb, AllStores, 'tasks', 'readwrite'>, task: StoredTask): Promise<StoredTask | undefined> {
  return new Promise((resolve, reject) => {
    const request = unwrap(store).add(task);
    request.onsuccess = () => resolve(undefined);
    request.onerror = (event) => {
      if (request.error?.name !== 'ConstraintError') return reject(request.error);
      event.preventDefault();
      event.stopPropagation();
      resolve(task);
    };
  });
}
