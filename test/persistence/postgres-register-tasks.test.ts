// PostgresStore.registerTasks when every record is new (cluster-offer.ts
// offerCreated): the rows are inserted without the offer's reads and COMMIT
// goes in the insert's round trip. What must hold as on the general path:
// the same results (offered with their offer order, or the task's refusal),
// one NOTIFY with the commit carrying the earliest due time, and nothing at
// all (no record, no row, no notice) when the rows' insert fails.
import { describe, expect, it } from 'vitest';
import type { OfferRequest } from '../../src/store/cluster.js';
import type { TaskRecord } from '../../src/store/records.js';
import { postgresStore } from '../../src/store/postgres-store.js';
import { task } from './contract/harness.js';
import { usePostgresDatabase } from './postgres-db.js';
import { roundTrips } from './pg-round-trips.js';

const db = usePostgresDatabase('register_tasks');

const once = (id: string, atMs: number): TaskRecord => task(id, { scheduleKind: 'once', periodMs: null, atMs, nextExecutionMs: atMs });
const offerOf = (record: TaskRecord, fields: Partial<OfferRequest> = {}): OfferRequest => ({
  taskId: record.id, scheduleVersion: record.scheduleVersion, nominalMs: record.nextExecutionMs!, dueMs: record.nextExecutionMs!, rankMs: record.nextExecutionMs!, maxAttempts: 1, ...fields,
});

/** A store on a fresh schema and a watch of its offers, the payloads heard in order; `ready` once listening. */
async function watched() {
  const schema = db.nextSchema();
  const store = postgresStore({ connectionString: db.url }, { schema });
  await store.open();
  const heard: number[] = [];
  const waiters: Array<() => void> = [];
  const watch = await store.watchOffers({
    offered: (dueMs) => {
      heard.push(dueMs);
      for (const wake of waiters.splice(0)) wake();
    },
    interrupted: () => {},
    resumed: () => {},
  });
  /** Resolves once `count` notices were heard. */
  const hear = async (count: number) => {
    while (heard.length < count) await new Promise<void>((resolve) => waiters.push(resolve));
  };
  return { schema, store, heard, hear, close: async () => { await watch.close(); await store.close(); } };
}

describe('PostgresStore.registerTasks of new tasks', () => {
  it('takes two round trips: BEGIN with the records, then the rows with COMMIT', async () => {
    const { store, hear, close } = await watched();
    try {
      // The pool's connection made and its statements prepared first, as in a long-lived producer.
      await store.registerTasks([once('warm', 1_000_000)], (stored) => [offerOf(stored[0]!)]);
      await hear(1);
      const trips = await roundTrips(() => store.registerTasks([once('t1', 1_000_000), once('t2', 1_000_000)], (stored) => stored.map((r) => offerOf(r!))));
      expect(trips).toBe(2);
    } finally {
      await close();
    }
  });

  it('stores the records and their rows in one transaction, offered in order, with one NOTIFY of the earliest due time', async () => {
    const { schema, store, heard, hear, close } = await watched();
    try {
      const records = [once('b', 2_000_000), once('a', 1_000_000), once('c', 3_000_000)];
      const result = await store.registerTasks(records, (stored) => stored.map((r) => offerOf(r!)));
      expect(result.statuses).toEqual(['created', 'created', 'created']);
      expect(result.stored.map((r) => r?.id)).toEqual(['b', 'a', 'c']);
      expect(result.offers.map((o) => o.status)).toEqual(['offered', 'offered', 'offered']);
      const slots = result.offers.map((o) => (o.status === 'offered' ? o.slot : undefined));
      expect(slots.map((s) => [s?.taskId, s?.dueMs, s?.attempts])).toEqual([['b', 2_000_000, 0], ['a', 1_000_000, 0], ['c', 3_000_000, 0]]);
      expect((await store.pendingSlots()).map((s) => s.taskId).sort()).toEqual(['a', 'b', 'c']);
      await hear(1);
      expect(heard).toEqual([1_000_000]);
      // The offer order (seq, which breaks ties of rank) is the records' order.
      expect((await db.query<{ task_id: string }>(`SELECT task_id FROM ${schema}.open_slots ORDER BY seq`)).map((r) => r.task_id)).toEqual(['b', 'a', 'c']);
      await store.registerTasks([once('y', 5_000_000)], (stored) => stored.map((r) => offerOf(r!)));
      await hear(2);
      expect(heard).toEqual([1_000_000, 5_000_000]);
    } finally {
      await close();
    }
  });

  it('answers an offer the new task refuses as the general path does, and offers nothing for it', async () => {
    const { store, close } = await watched();
    try {
      const records = [once('v2', 1_000_000), once('ok', 1_000_000)];
      const result = await store.registerTasks(records, (stored) => [offerOf(stored[0]!, { scheduleVersion: 2 }), offerOf(stored[1]!)]);
      expect(result.offers[0]).toEqual({ status: 'schedule-changed', scheduleVersion: 1 });
      expect(result.offers[1]!.status).toBe('offered');
      expect((await store.pendingSlots()).map((s) => s.taskId)).toEqual(['ok']);
      // An offer naming a task outside the batch takes the general path, in the same transaction: the task is unknown.
      const other = await store.registerTasks([once('n', 1_000_000)], (stored) => [offerOf(stored[0]!), { ...offerOf(stored[0]!), taskId: 'missing' }]);
      expect(other.offers.map((o) => o.status)).toEqual(['offered', 'unknown-task']);
    } finally {
      await close();
    }
  });

  it('stores nothing and notifies nobody when the rows\' insert fails: the failure is the COMMIT\'s', async () => {
    const { schema, store, heard, hear, close } = await watched();
    try {
      await db.query(`CREATE FUNCTION ${schema}.refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'rows refused'; END $$`);
      await db.query(`CREATE TRIGGER refuse BEFORE INSERT ON ${schema}.open_slots FOR EACH ROW EXECUTE FUNCTION ${schema}.refuse()`);
      await expect(store.registerTasks([once('lost', 1_000_000)], (stored) => [offerOf(stored[0]!)])).rejects.toThrow(/rows refused/);
      expect(await db.query(`SELECT id FROM ${schema}.tasks`)).toEqual([]);
      expect(await store.pendingSlots()).toEqual([]);
      await db.query(`DROP TRIGGER refuse ON ${schema}.open_slots`);
      // The next registration's notice is the first heard: the failed one sent none (notices arrive in commit order).
      await store.registerTasks([once('kept', 7_000_000)], (stored) => [offerOf(stored[0]!)]);
      await hear(1);
      expect(heard).toEqual([7_000_000]);
      expect((await db.query<{ id: string }>(`SELECT id FROM ${schema}.tasks`)).map((r) => r.id)).toEqual(['kept']);
    } finally {
      await close();
    }
  });
});
