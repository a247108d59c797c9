// A rescue on PostgreSQL does not wait for a process paused in the middle of
// a transaction. A claim holds its process row FOR SHARE until it commits; a
// process SIGSTOPped there keeps the lock for as long as it is stopped. The
// rescue used to wait for it, and the process running the rescue heartbeats
// only once its rescue returned: in the chaos campaign every other process's
// lease ran out behind the one paused process. The rescue now passes over
// rows another transaction holds; a later round takes them once it ended.
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { postgresStore } from '../../src/store/postgres-store.js';
import { usePostgresDatabase } from './postgres-db.js';

const db = usePostgresDatabase('cluster_rescue_locks');
const holder = new pg.Client({ connectionString: db.url });
afterAll(() => holder.end());

describe("a rescue while a paused process's transaction holds rows", () => {
  it('passes over the locked rows without waiting, and takes them once that transaction ended', async () => {
    const schema = db.nextSchema();
    let nowMs = 1_800_000_000_000;
    const clock = { wallNow: () => nowMs };
    const paused = postgresStore({ connectionString: db.url }, { schema, clock });
    const rescuer = postgresStore({ connectionString: db.url }, { schema, clock });
    try {
      await paused.open();
      await rescuer.open();
      const a = await paused.registerProcess({ ownerId: 'paused', host: 'h', pid: 1, version: 't', leaseMs: 2_000 });
      const b = await paused.registerProcess({ ownerId: 'dead', host: 'h', pid: 2, version: 't', leaseMs: 2_000 });
      // The paused process's claim: its process row read FOR SHARE in a transaction still open.
      await holder.connect();
      await holder.query('BEGIN');
      await holder.query(`SELECT epoch FROM ${schema}.processes WHERE owner_id = 'paused' FOR SHARE`);
      nowMs += 5_000;
      const rescue = rescuer.rescueExpired();
      const first = await Promise.race([rescue, new Promise<'waiting'>((resolve) => setTimeout(() => resolve('waiting'), 5_000))]);
      expect(first).not.toBe('waiting');
      expect((first as Awaited<typeof rescue>).expired).toEqual([{ ownerId: 'dead', epoch: b.process.epoch }]);
      await holder.query('COMMIT');
      expect((await rescuer.rescueExpired()).expired).toEqual([{ ownerId: 'paused', epoch: a.process.epoch }]);
    } finally {
      // Failing, the rescue still waits: the lock goes, then the stores close.
      await holder.query('COMMIT').catch(() => {});
      await paused.close();
      await rescuer.close();
    }
  });
});
