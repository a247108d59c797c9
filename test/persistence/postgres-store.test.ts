// PostgresStore against the store contract, the slot model and the round-trip
// property, on the local PostgreSQL server: a database for this file, a schema
// per location (postgres-db.ts).
//
// The lease's times are the database's (now()), not the caller's nowMs; the
// contract's lease cases pass their times explicitly, so the harness gives
// each location the test-only `clock`, set to the nowMs of each lease call.
import { describe, expect, it } from 'vitest';
import { postgresStore } from '../../src/store/postgres-store.js';
import { usePostgresDatabase } from './postgres-db.js';
import { leaseTimedStore } from './postgres-lease-clock.js';
import { describeRoundTripProperty } from './round-trip-property.js';
import { describeSlotModel } from './slot-model.js';
import { describeStoreContract } from './store-contract.js';

const db = usePostgresDatabase('store_contract');

const harness = {
  name: 'PostgresStore',
  async location() {
    const schema = db.nextSchema();
    const clock = { nowMs: 0 };
    return { store: () => leaseTimedStore(db.url, schema, clock), dispose: async () => {} };
  },
};

describeStoreContract(harness);
describeSlotModel(harness, 25);
describeRoundTripProperty(harness);

describe('PostgresStore lease on the database clock', () => {
  it('times the lease by now(), whatever the callers\' clocks say: a process whose clock runs an hour ahead does not take a live lease over', async () => {
    const schema = db.nextSchema();
    const [a, b] = [postgresStore({ connectionString: db.url }, { schema }), postgresStore({ connectionString: db.url }, { schema })];
    try {
      await a.open();
      await b.open();
      const [dbNowMs] = (await db.query<{ ms: number }>('SELECT floor(extract(epoch FROM now()) * 1000)::float8 AS ms')).map((r) => r.ms);
      const hourMs = 3_600_000;
      const acquired = await a.acquireLease({ ownerId: 'a', host: 'h', pid: 1, nowMs: 1_000, ttlMs: 30_000 });
      expect(acquired.status).toBe('acquired');
      // Its times are the database's, not the 1 s its caller passed.
      const lease = acquired.status === 'acquired' ? acquired.lease : undefined;
      expect(Math.abs(lease!.sinceMs - dbNowMs!)).toBeLessThan(60_000);
      expect(lease!.expiresAtMs - lease!.sinceMs).toBe(30_000);
      const ahead = await b.acquireLease({ ownerId: 'b', host: 'h', pid: 2, nowMs: dbNowMs! + hourMs, ttlMs: 30_000 });
      expect(ahead.status).toBe('held');
      // a's clock runs behind: its renewal still extends from the database's now.
      const renewed = await a.renewLease(0, 30_000);
      expect(renewed.status === 'renewed' && renewed.lease.expiresAtMs >= lease!.expiresAtMs).toBe(true);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
