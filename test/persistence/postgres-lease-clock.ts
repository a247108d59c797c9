// PostgresStore times its one-owner lease by the database's now(), not by the
// nowMs its callers pass. Tests that move time (the contract's explicit
// times, a Scheduler on a VirtualClock that "crashes" and restarts after its
// lease's ttl) give the store the test-only `clock` option and set it, at
// each lease call, to the time that call passes: the store then decides by
// the time the test means.
import type { LeaseRequest } from '../../src/store/lease.js';
import { type PostgresStore, postgresStore } from '../../src/store/postgres-store.js';

/** A clock several stores of one location share: the time of the last lease call any of them had. */
export interface LeaseCallClock {
  nowMs: number;
}

/** A PostgresStore on `schema` whose clock reads the time its lease calls pass. */
export function leaseTimedStore(url: string, schema: string, clock: LeaseCallClock = { nowMs: 0 }): PostgresStore {
  const store = postgresStore({ connectionString: url }, { schema, clock: { wallNow: () => clock.nowMs } });
  // Refused arguments (bad times) leave the clock as it was: the store refuses them before reading it.
  const at = (nowMs: unknown) => void (Number.isFinite(nowMs) && (clock.nowMs = nowMs as number));
  return new Proxy(store, {
    get(target, key) {
      if (key === 'acquireLease') {
        return (request: LeaseRequest) => {
          at(request?.nowMs);
          return target.acquireLease(request);
        };
      }
      if (key === 'renewLease') {
        return (nowMs: number, ttlMs: number) => {
          at(nowMs);
          return target.renewLease(nowMs, ttlMs);
        };
      }
      const value = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
