// What the cluster contract (cluster-cases.ts, cluster-lease-cases.ts) needs
// from a cluster store's test file. A cluster location is one database that
// several processes share: each store() is another process's connection.
// The store's clock decides what is due and when leases expire, so the cases
// move that clock (advance) instead of waiting: the memory store's database
// takes an injected clock; a PostgreSQL harness can shift the store's clock
// by an offset its test build reads, or wait for real with short leases.
import type { ClaimDueRequest, ClusterStore, OfferRequest, ProcessRef } from '../../../src/store/cluster.js';
import type { Store } from '../../../src/store/store.js';
import { ok } from './check.js';
import { task } from './harness.js';

export type ClusterCapableStore = Store & ClusterStore;

export interface ClusterLocation {
  /** A new, unopened store over this location's database: another process. */
  store(): ClusterCapableStore;
  /** Moves the store's clock forward by `ms`. */
  advance(ms: number): Promise<void>;
  dispose(): Promise<void>;
}

export interface ClusterStoreHarness {
  name: string;
  /** A location with no database in it yet. */
  location(): Promise<ClusterLocation>;
}

export interface ClusterCase {
  name: string;
  run(harness: ClusterStoreHarness): Promise<void>;
}

/** The lease the cases register with. */
export const LEASE_MS = 30_000;

/** Runs `body` with `count` opened stores (processes) over one fresh location, then closes and disposes of them. */
export async function withProcesses(
  harness: ClusterStoreHarness, count: number, body: (stores: ClusterCapableStore[], location: ClusterLocation) => Promise<void>,
): Promise<void> {
  const location = await harness.location();
  const stores: ClusterCapableStore[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const store = location.store();
      await store.open();
      stores.push(store);
    }
    await body(stores, location);
  } finally {
    for (const store of stores) await store.close();
    await location.dispose();
  }
}

/** Registers `store` as process `name`; resolves to its reference and the store's clock then. */
export async function register(store: ClusterStore, name: string, leaseMs = LEASE_MS): Promise<ProcessRef & { nowMs: number }> {
  const { process, nowMs } = await store.registerProcess({ ownerId: name, host: 'test-host', pid: 100, version: '0.0.0-test', leaseMs });
  return { ownerId: process.ownerId, epoch: process.epoch, nowMs };
}

/** An offer of `taskId`'s slot at nominalMs, due then, ranked by its nominal time unless told. */
export function offer(taskId: string, nominalMs: number, fields: Partial<OfferRequest> = {}): OfferRequest {
  return { taskId, scheduleVersion: 1, nominalMs, dueMs: nominalMs, rankMs: nominalMs, maxAttempts: 3, ...fields };
}

/** Stores one-off tasks with these ids and offers each its slot at nominalMs; every offer must succeed. */
export async function oneOffs(store: ClusterCapableStore, ids: readonly string[], nominalMs: number, fields: Partial<OfferRequest> = {}): Promise<void> {
  await store.putTasks(ids.map((id) => task(id, { scheduleKind: 'once', periodMs: null, atMs: nominalMs, nextExecutionMs: nominalMs })));
  const results = await store.offerSlots(ids.map((id) => offer(id, nominalMs, fields)));
  ok(results.every((r) => r.status === 'offered'), `every slot offered: ${JSON.stringify(results)}`);
}

/** Claims for `process` and insists the store answered with a claim batch. */
export async function claim(store: ClusterStore, process: ProcessRef, limit: number, more?: Omit<ClaimDueRequest, 'ownerId' | 'epoch' | 'limit'>) {
  const result = await store.claimDue({ ...more, ...process, limit });
  ok(result.status === 'claimed', `claimDue answered ${JSON.stringify(result)}`);
  return result;
}
