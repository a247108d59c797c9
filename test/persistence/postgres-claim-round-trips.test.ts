// A claim on PostgreSQL locks its rows' tasks and reads their held rows in its
// own round trip (cluster-statements.ts CLAIMED_TASKS: the claim names its
// tasks to the statements pipelined after it), so a claim is two round trips
// and an end with a claim three. What must hold as before: the claimed rows
// and their records, the one run per task, and the fallback after a second
// claim round (stale rows dropped). After an unknown outcome (known) the
// claim is sent after the give-back, which once took back the rows the claim
// had just taken (it ran first and they were not known).
import { describe, expect, it } from 'vitest';
import { postgresStore } from '../../src/store/postgres-store.js';
import type { ClusterCapableStore } from './contract/cluster-harness.js';
import { task } from './contract/harness.js';
import { roundTrips } from './pg-round-trips.js';
import { usePostgresDatabase } from './postgres-db.js';

const db = usePostgresDatabase('claim_round_trips');

async function opened(): Promise<{ store: ClusterCapableStore; schema: string }> {
  const schema = db.nextSchema();
  const store = postgresStore({ connectionString: db.url }, { schema }) as ClusterCapableStore;
  await store.open();
  return { store, schema };
}

/** One-offs due now (the database's clock), offered; their process registered. */
async function due(store: ClusterCapableStore, ids: readonly string[]) {
  const { process, nowMs } = await store.registerProcess({ ownerId: 'p', host: 'h', pid: 1, version: 't', leaseMs: 60_000 });
  await store.putTasks(ids.map((id) => task(id, { scheduleKind: 'once', periodMs: null, atMs: nowMs, nextExecutionMs: nowMs })));
  const offered = await store.offerSlots(ids.map((taskId, i) => ({ taskId, scheduleVersion: 1, nominalMs: nowMs, dueMs: nowMs - 1, rankMs: i, maxAttempts: 1 })));
  expect(offered.every((o) => o.status === 'offered')).toBe(true);
  return { ownerId: process.ownerId, epoch: process.epoch, nowMs };
}

describe('PostgresStore claims: the tasks locked in the claim\'s round trip', () => {
  it('claims in two round trips (BEGIN with the claim and its locks; the records with COMMIT), and an end with a claim in three', async () => {
    const { store } = await opened();
    try {
      const p = await due(store, ['w', 'a', 'b', 'c']);
      // The pool's connection made first (a long-lived worker's): this claim takes 'w', the most urgent.
      await store.claimDue({ ...p, limit: 1 });
      let first: Awaited<ReturnType<typeof store.claimDue>> | undefined;
      expect(await roundTrips(async () => void (first = await store.claimDue({ ...p, limit: 2 })))).toBe(2);
      if (first?.status !== 'claimed') throw new Error(JSON.stringify(first));
      expect(first.claimed.map((c) => [c.execution.taskId, c.execution.outcome, c.task.status])).toEqual([['a', 'running', 'running'], ['b', 'running', 'running']]);
      const a = first.claimed[0]!.execution;
      const end = { executionId: a.id, fencingToken: a.fencingToken, outcome: 'succeeded' as const, endedAtMs: p.nowMs, taskUpdate: { status: 'completed' as const, nextExecutionMs: null } };
      let next: Awaited<ReturnType<typeof store.finishAndClaim>> | undefined;
      expect(await roundTrips(async () => void (next = await store.finishAndClaim([end], { ...p, limit: 1 })))).toBe(3);
      expect(next?.finished[0]?.status).toBe('completed');
      expect(next?.claimed?.status === 'claimed' ? next.claimed.claimed.map((c) => c.execution.taskId) : next?.claimed).toEqual(['c']);
      const empty = await store.claimDue({ ...p, limit: 5 });
      expect(empty.status === 'claimed' ? empty.claimed : empty).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('takes one row per task when a task\'s rows are claimed together, and puts the others back', async () => {
    const { store } = await opened();
    try {
      const p = await due(store, ['t']);
      // A manual row of the same task beside its scheduled one: one claim picks both; the task runs once.
      const manual = await store.offerSlots([{ taskId: 't', scheduleVersion: 0, nominalMs: p.nowMs + 1, dueMs: p.nowMs - 1, rankMs: -1, maxAttempts: 1 }]);
      expect(manual[0]!.status).toBe('offered');
      const batch = await store.claimDue({ ...p, limit: 5 });
      if (batch.status !== 'claimed') throw new Error(JSON.stringify(batch));
      expect(batch.claimed).toHaveLength(1);
      expect((await store.pendingSlots()).length).toBe(1);
    } finally {
      await store.close();
    }
  });

  it('locks the tasks of a second claim round (after stale rows) as before, and claims with `known` as before', async () => {
    const { store } = await opened();
    try {
      const p = await due(store, ['gone', 'live-1', 'live-2']);
      await store.updateTask('gone', { status: 'cancelled' });
      // limit 2: the first round takes 'gone' (stale, dropped) and 'live-1', the second round 'live-2'.
      const batch = await store.claimDue({ ...p, limit: 2 });
      if (batch.status !== 'claimed') throw new Error(JSON.stringify(batch));
      expect(batch.claimed.map((c) => c.execution.taskId).sort()).toEqual(['live-1', 'live-2']);
      expect(batch.claimed.every((c) => c.task.status === 'running')).toBe(true);
      const known = batch.claimed.map((c) => ({ executionId: c.execution.id, fencingToken: c.execution.fencingToken }));
      const again = await store.claimDue({ ...p, limit: 1, known });
      expect(again.status === 'claimed' ? again.claimed : again).toEqual([]);
      expect((await store.processes())[0]!.running).toBe(2);
    } finally {
      await store.close();
    }
  });

  it('holds the rows a claim with `known` takes: the give-back of unknown rows comes first, not after the claim', async () => {
    const { store, schema } = await opened();
    try {
      const p = await due(store, ['held', 'new']);
      const before = await store.claimDue({ ...p, limit: 1 });
      if (before.status !== 'claimed') throw new Error(JSON.stringify(before));
      // 'held' claimed by a transaction whose answer was "lost": the next claim knows nothing of it.
      const batch = await store.claimDue({ ...p, limit: 2, known: [] });
      if (batch.status !== 'claimed') throw new Error(JSON.stringify(batch));
      const claimed = batch.claimed.map((c) => c.execution.taskId).sort();
      // Each row handed out is held by this registration, under the token its record carries.
      const rows = await db.query<{ task_id: string; fencing_token: string }>(`SELECT task_id, fencing_token FROM ${schema}.open_slots WHERE owner_id = 'p' ORDER BY task_id`);
      expect(rows.map((r) => r.task_id)).toEqual(claimed);
      for (const c of batch.claimed) expect(Number(rows.find((r) => r.task_id === c.execution.taskId)!.fencing_token)).toBe(c.execution.fencingToken);
      expect(claimed).toContain('new');
    } finally {
      await store.close();
    }
  });
});
