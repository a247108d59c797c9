// A cluster finish on PostgreSQL reads back only what changed since its
// claim (postgres/known-rows.ts): the claim remembers the execution and task
// it wrote with its transaction's id, and the finish's locks send that id,
// getting a mark instead of a row whose version is still the claim's. These
// check that the mark comes exactly when nothing wrote the row since, and
// that a finish answers the same from a mark as from the rows read whole.
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { prepareClusterStatements } from '../../src/store/postgres/cluster-statements.js';
import { quoteIdent } from '../../src/store/postgres/migrate.js';
import { postgresStore } from '../../src/store/postgres-store.js';
import { task } from './contract/harness.js';
import { usePostgresDatabase } from './postgres-db.js';

const db = usePostgresDatabase('known_rows');

async function oneOffs(store: ReturnType<typeof postgresStore>, ids: readonly string[]) {
  const { nowMs, process } = await store.registerProcess({ ownerId: 'p', host: 'h', pid: 1, version: 't', leaseMs: 60_000 });
  await store.putTasks(ids.map((id) => task(id, { scheduleKind: 'once', periodMs: null, atMs: nowMs, nextExecutionMs: nowMs })));
  await store.offerSlots(ids.map((taskId, i) => ({ taskId, scheduleVersion: 1, nominalMs: nowMs, dueMs: nowMs - 1, rankMs: i, maxAttempts: 1 })));
  const claimed = await store.claimDue({ ownerId: 'p', epoch: process.epoch, limit: ids.length });
  if (claimed.status !== 'claimed') throw new Error(claimed.status);
  return { nowMs, claimed: claimed.claimed };
}

const end = (c: { execution: { id: string; fencingToken: number } }, endedAtMs: number) => ({
  executionId: c.execution.id, fencingToken: c.execution.fencingToken, outcome: 'succeeded' as const, endedAtMs, result: { ok: true },
  taskUpdate: { status: 'completed' as const, executionCount: 1, lastExecutionMs: endedAtMs, updatedAtMs: endedAtMs },
});

describe('PostgreSQL cluster finishes and the rows their claim wrote', () => {
  it('sends a mark for an execution and a task the claim wrote, unchanged since, and the whole row once another transaction wrote it', async () => {
    const schema = db.nextSchema();
    const store = postgresStore({ connectionString: db.url }, { schema });
    const client = new pg.Client({ connectionString: db.url });
    try {
      await store.open();
      const { claimed } = await oneOffs(store, ['a', 'b']);
      await client.connect();
      const s = quoteIdent(schema);
      const xmin = async (table: string, where: string) => Number((await client.query(`SELECT xmin::text AS x FROM ${s}.${table} WHERE ${where}`)).rows[0].x);
      // One transaction wrote both rows of a slot: one id per slot tells about both.
      const xid = await xmin('executions', "task_id = 'a'");
      expect(await xmin('tasks', "id = 'a'")).toBe(xid);
      const c = prepareClusterStatements(s);
      const locks = async (ids: Array<number | null>) => {
        await client.query('BEGIN');
        const keys = claimed.map((k) => k.execution);
        const { rows } = await client.query(c.finishLocks.text, [keys.map((k) => k.taskId), keys.map((k) => k.nominalMs), keys.map((k) => k.scheduleVersion), ids]);
        await client.query('ROLLBACK');
        return rows.filter((r) => r.kind !== 'open').map((r) => `${r.kind} ${r.row.id}: ${r.row.known === true ? 'mark' : 'row'}`).sort();
      };
      const order = claimed.map((k) => k.execution.taskId);
      const ids = (a: number | null, b: number | null) => order.map((id) => (id === 'a' ? a : b));
      const nominal = (id: string) => claimed.find((k) => k.execution.taskId === id)!.execution.nominalMs;
      expect(await locks(ids(xid, null))).toEqual([`execution a/1/${nominal('a')}: mark`, `execution b/1/${nominal('b')}: row`, 'task a: mark', 'task b: row']);
      // Another transaction writes task a: its row comes whole; its execution, untouched, still as a mark.
      await client.query(`UPDATE ${s}.tasks SET description = 'changed' WHERE id = 'a'`);
      expect((await locks(ids(xid, null))).filter((l) => l.includes(' a'))).toEqual([expect.stringMatching(/^execution a\/.*: mark$/), 'task a: row']);
      // An id that is not the writer's (a claim that did not commit) gets the rows whole.
      expect((await locks(ids(xid + 1, xid + 1))).every((l) => l.endsWith(': row'))).toBe(true);
    } finally {
      await client.end();
      await store.close();
    }
  });

  it('answers a finish with what another process wrote since the claim (a task update, a saved state), and as a store that knows nothing would', async () => {
    const schema = db.nextSchema();
    const store = postgresStore({ connectionString: db.url }, { schema });
    const other = postgresStore({ connectionString: db.url }, { schema });
    try {
      await store.open();
      await other.open();
      const { nowMs, claimed } = await oneOffs(store, ['k1', 'k2', 'k3', 'k4']);
      const [updated, saved, plain, elsewhere] = ['k1', 'k2', 'k3', 'k4'].map((id) => claimed.find((c) => c.execution.taskId === id)!);
      await other.updateTask('k1', { description: 'changed since the claim' });
      expect((await other.saveState(saved!.execution.id, saved!.execution.fencingToken, { step: 2 })).status).toBe('saved');
      const { finished } = await store.finishAndClaim([end(updated!, nowMs + 5), end(saved!, nowMs + 5), end(plain!, nowMs + 5)]);
      // A store with no claim of its own behind it reads every row whole.
      const { finished: [fromElsewhere] } = await other.finishAndClaim([end(elsewhere!, nowMs + 5)]);
      for (const f of [...finished, fromElsewhere!]) {
        if (f.status !== 'completed') throw new Error(JSON.stringify(f));
        expect(f.alreadyStored).toBeUndefined();
        // The answer is the rows as stored now.
        expect(f.execution).toEqual(await other.getExecution(f.execution.id));
        expect(f.task).toEqual(await other.getTask(f.execution.taskId));
        expect([f.task?.status, f.task?.executionCount, f.execution.outcome, f.execution.result]).toEqual(['completed', 1, 'succeeded', { ok: true }]);
      }
      const [f1, f2, f3] = finished;
      expect(f1?.status === 'completed' && f1.task?.description).toBe('changed since the claim');
      expect(f2?.status === 'completed' && f2.execution.state).toEqual({ step: 2 });
      // The same end sent again (its COMMIT's answer lost) is known as stored; the entry is gone, the rows are read.
      const { finished: [again] } = await store.finishAndClaim([end(plain!, nowMs + 5)]);
      expect(again?.status === 'completed' && again.alreadyStored).toBe(true);
      expect(f3?.status === 'completed' && again?.status === 'completed' && again.task).toEqual(f3?.status === 'completed' && f3.task);
    } finally {
      await other.close();
      await store.close();
    }
  });
});
