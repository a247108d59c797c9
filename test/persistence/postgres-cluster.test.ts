// PostgresStore as a cluster store: the cluster contract on PostgreSQL (a
// schema per location, postgres-db.ts), and several stores with pools of
// their own claiming from one schema at once.
//
// The contract cases move the store's clock (advance), so they run with the
// test-only `clock` option; the concurrency test below runs on the database's
// own clock, as production does.
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { isClusterStore } from '../../src/store/cluster.js';
import { prepareClusterStatements } from '../../src/store/postgres/cluster-statements.js';
import { EXECUTION_STORED_FIELDS } from '../../src/store/postgres/statements.js';
import { quoteIdent } from '../../src/store/postgres/migrate.js';
import { STORED_TASK_FIELDS } from '../../src/store/codec.js';
import { postgresStore } from '../../src/store/postgres-store.js';
import { describeClusterContract } from './cluster-contract.js';
import { task } from './contract/harness.js';
import { usePostgresDatabase } from './postgres-db.js';

const db = usePostgresDatabase('cluster');

function manualClock(startMs: number) {
  let nowMs = startMs;
  return { wallNow: () => nowMs, advance: (ms: number) => void (nowMs += ms) };
}

describeClusterContract({
  name: 'PostgresStore',
  async location() {
    const schema = db.nextSchema();
    const clock = manualClock(1_800_000_000_000);
    return {
      store: () => postgresStore({ connectionString: db.url }, { schema, clock }),
      advance: async (ms: number) => clock.advance(ms),
      dispose: async () => {},
    };
  },
});

describe('PostgresStore cluster mode on the database clock', () => {
  it('is recognised as cluster-capable', () => {
    expect(isClusterStore(postgresStore({ connectionString: db.url }))).toBe(true);
  });

  it('refuses a listen option that is not true or false', () => {
    expect(() => postgresStore({ connectionString: db.url }, { listen: 'no' as never })).toThrow(/options.listen must be true or false, received/);
  });

  it('refuses a clock that is not a Clock', () => {
    expect(() => postgresStore({ connectionString: db.url }, { clock: {} as never })).toThrow(/options.clock must be an object with a wallNow\(\) method/);
  });

  it('hands every due slot to exactly one of four stores with pools of their own claiming (and ending) at once', async () => {
    const schema = db.nextSchema();
    const stores = Array.from({ length: 4 }, () => postgresStore({ connectionString: db.url }, { schema }));
    try {
      for (const store of stores) await store.open();
      const ids = Array.from({ length: 400 }, (_, i) => `t${String(i).padStart(3, '0')}`);
      const { nowMs } = await stores[0]!.registerProcess({ ownerId: 'setup', host: 'h', pid: 1, version: 't', leaseMs: 60_000 });
      await stores[0]!.putTasks(ids.map((id) => task(id, { scheduleKind: 'once', periodMs: null, atMs: nowMs, nextExecutionMs: nowMs })));
      const offered = await stores[0]!.offerSlots(ids.map((taskId, i) => ({ taskId, scheduleVersion: 1, nominalMs: nowMs, dueMs: nowMs - 1, rankMs: i, maxAttempts: 1 })));
      expect(offered.every((o) => o.status === 'offered')).toBe(true);
      const processes = await Promise.all(stores.map((store, i) => store.registerProcess({ ownerId: `p${i}`, host: 'h', pid: i, version: 't', leaseMs: 60_000 })));
      const claimedBy = new Map<string, number[]>();
      let ended = 0;
      await Promise.all(stores.map(async (store, i) => {
        const me = { ownerId: processes[i]!.process.ownerId, epoch: processes[i]!.process.epoch };
        let batches = 0;
        for (;;) {
          const result = await store.claimDue({ ...me, limit: 7 });
          if (result.status !== 'claimed') throw new Error(`p${i}: ${result.status}`);
          if (result.claimed.length === 0) return;
          for (const c of result.claimed) claimedBy.set(c.execution.taskId, [...(claimedBy.get(c.execution.taskId) ?? []), i]);
          // Every other batch is ended at once, so claims and ends of the four interleave; the rest stay running.
          if (batches++ % 2 === 1) continue;
          for (const c of result.claimed) {
            const { id, fencingToken } = c.execution;
            const end = await store.finishClaimed({ executionId: id, fencingToken, outcome: 'succeeded', endedAtMs: result.nowMs });
            if (end.status !== 'completed') throw new Error(`p${i}: finish of ${id}: ${end.status}`);
            ended++;
          }
        }
      }));
      expect([...claimedBy.keys()].sort()).toEqual(ids);
      expect([...claimedBy.values()].filter((by) => by.length !== 1)).toEqual([]);
      // More than one store took part: the claims ran side by side, not one after another.
      expect(new Set([...claimedBy.values()].map((by) => by[0])).size).toBeGreaterThan(1);
      expect(await stores[1]!.pendingSlots()).toEqual([]);
      const running = (await stores[2]!.processes()).filter((p) => p.ownerId !== 'setup').reduce((n, p) => n + p.running, 0);
      expect(ended).toBeGreaterThan(0);
      expect(running).toBe(ids.length - ended);
      const outcomes = await Promise.all(ids.map(async (id) => (await stores[3]!.history(id)).executions.map((e) => [e.outcome, e.attempt])));
      expect(outcomes.filter((o) => o.length !== 1 || o[0]![1] !== 1)).toEqual([]);
      expect(outcomes.filter((o) => o[0]![0] === 'succeeded')).toHaveLength(ended);
    } finally {
      for (const store of stores) await store.close();
    }
  });

  it('claims by walking the rank index up to the limit, not by sorting every due row, on tables never analyzed', async () => {
    const schema = db.nextSchema();
    const store = postgresStore({ connectionString: db.url }, { schema });
    const client = new pg.Client({ connectionString: db.url });
    try {
      await store.open();
      const ids = Array.from({ length: 2_000 }, (_, i) => `q${i}`);
      const { nowMs, process } = await store.registerProcess({ ownerId: 'p', host: 'h', pid: 1, version: 't', leaseMs: 60_000 });
      await store.putTasks(ids.map((id) => task(id, { scheduleKind: 'once', periodMs: null, atMs: nowMs, nextExecutionMs: nowMs })));
      await store.offerSlots(ids.map((taskId, i) => ({ taskId, scheduleVersion: 1, nominalMs: nowMs, dueMs: nowMs - 1, rankMs: i, maxAttempts: 1 })));
      const c = prepareClusterStatements(quoteIdent(schema));
      await client.connect();
      await client.query('BEGIN');
      // What the claim's transaction runs before the pick (its process row, and the planner setting with it).
      await client.query(c.shareProcess.text, ['p']);
      const { rows } = await client.query(`EXPLAIN (FORMAT JSON) ${c.claim.text}`, [nowMs, 4, 'p', process.epoch, ['noop'], 4]);
      const plan = JSON.stringify(rows[0]['QUERY PLAN']);
      await client.query('ROLLBACK');
      expect(plan).toContain('"Index Name":"open_slots_by_rank"');
      expect(plan).not.toContain('"Node Type":"Sort"');
      // The claimed rows are joined to their open rows and tasks by key, not by hashing whole tables.
      expect(plan).not.toContain('"Node Type":"Seq Scan"');
    } finally {
      await client.end();
      await store.close();
    }
  });

  it('reads a round of finishes by primary-key probes, not by scanning the tables for their keys, on tables never analyzed', async () => {
    const schema = db.nextSchema();
    const store = postgresStore({ connectionString: db.url }, { schema });
    const client = new pg.Client({ connectionString: db.url });
    try {
      await store.open();
      const ids = Array.from({ length: 2_000 }, (_, i) => `f${i}`);
      const { nowMs, process } = await store.registerProcess({ ownerId: 'p', host: 'h', pid: 1, version: 't', leaseMs: 60_000 });
      await store.putTasks(ids.map((id) => task(id, { scheduleKind: 'once', periodMs: null, atMs: nowMs, nextExecutionMs: nowMs })));
      await store.offerSlots(ids.map((taskId, i) => ({ taskId, scheduleVersion: 1, nominalMs: nowMs, dueMs: nowMs - 1, rankMs: i, maxAttempts: 1 })));
      const claimed = await store.claimDue({ ownerId: 'p', epoch: process.epoch, limit: 1_000 });
      if (claimed.status !== 'claimed') throw new Error(claimed.status);
      const keys = claimed.claimed.slice(0, 100).map((c) => c.execution);
      const c = prepareClusterStatements(quoteIdent(schema));
      await client.connect();
      // Known and unknown rows alike (the last array: the ids of the transactions that wrote them, or NULL).
      const arrays = [keys.map((k) => k.taskId), keys.map((k) => k.nominalMs), keys.map((k) => k.scheduleVersion), keys.map((_, i) => (i % 2 === 0 ? 1234 : null))];
      const { rows } = await client.query(`EXPLAIN (FORMAT JSON) ${c.finishLocks.text}`, arrays);
      const plan = JSON.stringify(rows[0]['QUERY PLAN']);
      // Whole-table scans made a round of 100 ends read every open row and task: 14-20 ms at 10,000 one-offs.
      expect(plan).not.toContain('"Node Type":"Seq Scan"');
      expect(plan).toContain('"Index Name":"open_slots_pkey"');
      expect(plan).toContain('"Index Name":"executions_pkey"');
      expect(plan).toContain('"Index Name":"tasks_pkey"');
    } finally {
      await client.end();
      await store.close();
    }
  });

  it('writes a round of finishes and a claim\'s key lists by primary-key probes, not by hashing whole tables, on tables never analyzed', async () => {
    // Freshly created tables of a few thousand rows, never analyzed (as right after a bulk scheduleMany, before
    // autovacuum's ANALYZE): the planner guesses their size from their pages and, for a key list of 100, hashed the
    // list and scanned every row to join it (a round of finishes cost O(rows in the table)).
    const schema = db.nextSchema();
    const store = postgresStore({ connectionString: db.url }, { schema });
    const client = new pg.Client({ connectionString: db.url });
    try {
      await store.open();
      const ids = Array.from({ length: 3_000 }, (_, i) => `w${i}`);
      const { nowMs, process } = await store.registerProcess({ ownerId: 'p', host: 'h', pid: 1, version: 't', leaseMs: 60_000 });
      await store.putTasks(ids.map((id) => task(id, { scheduleKind: 'once', periodMs: null, atMs: nowMs, nextExecutionMs: nowMs })));
      await store.offerSlots(ids.map((taskId, i) => ({ taskId, scheduleVersion: 1, nominalMs: nowMs, dueMs: nowMs - 1, rankMs: i, maxAttempts: 1 })));
      const keys: Array<{ taskId: string; nominalMs: number; scheduleVersion: number; fencingToken: number }> = [];
      for (let round = 0; round < 3; round++) {
        const claimed = await store.claimDue({ ownerId: 'p', epoch: process.epoch, limit: 1_000 });
        if (claimed.status !== 'claimed') throw new Error(claimed.status);
        keys.push(...claimed.claimed.map((c) => c.execution));
      }
      expect(keys).toHaveLength(ids.length);
      const round = keys.slice(0, 100);
      const c = prepareClusterStatements(quoteIdent(schema));
      await client.connect();
      const nulls = () => round.map(() => null);
      const keyArrays = [round.map((k) => k.taskId), round.map((k) => k.nominalMs), round.map((k) => k.scheduleVersion)];
      const executionArrays = EXECUTION_STORED_FIELDS.map((f) =>
        f === 'taskId' || f === 'nominalMs' || f === 'scheduleVersion' || f === 'fencingToken' ? round.map((k) => k[f]) : f === 'outcome' ? round.map(() => 'succeeded') : nulls());
      const taskArrays = [round.map((k) => k.taskId), ...STORED_TASK_FIELDS.slice(1).map((f) => (f === 'status' ? round.map(() => 'completed') : null)), round.map(() => 2)];
      const cases: Array<[string, { text: string }, unknown[]]> = [
        ['finishWrites', c.finishWrites, [...executionArrays, ...taskArrays, ...keyArrays]],
        ['putExecutionsAndMarks', c.putExecutionsAndMarks, [...executionArrays, round.map((k) => k.taskId), round.map(() => nowMs), round.map(() => 'running')]],
        ['markStarted', c.markStarted, [...keyArrays, round.map((k) => k.fencingToken)]],
        ['unhold', c.unhold, keyArrays],
        ['dropSlots', c.dropSlots, keyArrays],
        ['openSlots', c.openSlots, keyArrays],
        ['openOfTasks', c.openOfTasks, [round.map((k) => k.taskId), round.map((k) => k.scheduleVersion)]],
        ['lockTasks', c.lockTasks, [keyArrays[0]]],
        ['heldOfTasks', c.heldOfTasks, [keyArrays[0]]],
      ];
      // Not yet here: giveBack and interrupt (a rescue's, a release's, a claim's after an unknown outcome) still join
      // their held rows to open_slots and executions by key, which the planner hashes on such tables.
      const scans: string[] = [];
      for (const [name, statement, params] of cases) {
        const { rows } = await client.query(`EXPLAIN ${statement.text}`, params);
        const plan = rows.map((r) => r['QUERY PLAN'] as string).join('\n');
        // Whole-table reads of the tables a key list is joined to (a hash of the key list against rows probed by key is fine).
        for (const line of plan.split('\n')) if (/Seq Scan on (open_slots|tasks|executions)/.test(line)) scans.push(`${name}: ${line.trim()}`);
      }
      expect(scans).toEqual([]);
    } finally {
      await client.end();
      await store.close();
    }
  });

  it('holds at most one row per task when four stores claim a task\'s scheduled and manual rows at once', async () => {
    const schema = db.nextSchema();
    const stores = Array.from({ length: 4 }, () => postgresStore({ connectionString: db.url }, { schema }));
    try {
      for (const store of stores) await store.open();
      const ids = Array.from({ length: 40 }, (_, i) => `m${i}`);
      const { nowMs } = await stores[0]!.registerProcess({ ownerId: 'setup', host: 'h', pid: 1, version: 't', leaseMs: 60_000 });
      await stores[0]!.putTasks(ids.map((id) => task(id, { periodMs: 60_000 })));
      // Ranked so that each claimer's pick meets both rows of a task: the pick cannot see another claimer's uncommitted hold.
      const offers = ids.flatMap((taskId, i) => [0, 1].map((scheduleVersion) => ({ taskId, scheduleVersion, nominalMs: nowMs - 100 + scheduleVersion, dueMs: nowMs - 100, rankMs: i * 2 + scheduleVersion, maxAttempts: 1 })));
      expect((await stores[0]!.offerSlots(offers)).every((o) => o.status === 'offered')).toBe(true);
      const processes = await Promise.all(stores.map((store, i) => store.registerProcess({ ownerId: `p${i}`, host: 'h', pid: i, version: 't', leaseMs: 60_000 })));
      const batches = await Promise.all(stores.map((store, i) => store.claimDue({ ownerId: `p${i}`, epoch: processes[i]!.process.epoch, limit: 5 })));
      const taken = batches.flatMap((b) => (b.status === 'claimed' ? b.claimed.map((c) => c.execution.taskId) : []));
      expect(taken.length).toBeGreaterThan(0);
      expect(taken.length).toBe(new Set(taken).size);
      const running = (await stores[1]!.processes()).reduce((n, p) => n + p.running, 0);
      expect(running).toBe(taken.length);
      const pending = await stores[1]!.pendingSlots();
      expect(pending).toHaveLength(offers.length - taken.length);
    } finally {
      for (const store of stores) await store.close();
    }
  });

  it('offers a slot whose open row a claim holds without deadlocking with that claim (open row before task, as a claim locks them)', async () => {
    const schema = db.nextSchema();
    const store = postgresStore({ connectionString: db.url }, { schema });
    const claimer = new pg.Client({ connectionString: db.url });
    try {
      await store.open();
      const { nowMs } = await store.registerProcess({ ownerId: 'setup', host: 'h', pid: 1, version: 't', leaseMs: 60_000 });
      await store.putTasks([task('t1', { scheduleKind: 'once', periodMs: null, atMs: nowMs, nextExecutionMs: nowMs })]);
      const offer = { taskId: 't1', scheduleVersion: 1, nominalMs: nowMs, dueMs: nowMs, rankMs: 0, maxAttempts: 1 };
      expect((await store.offerSlots([offer]))[0]!.status).toBe('offered');
      // A claim, by hand: its pick holds the open row, then it locks the row's task. This session detects
      // a deadlock at once, so with the old order (task, then row) the error would be this statement's.
      await claimer.connect();
      await claimer.query("SET deadlock_timeout = '10ms'");
      await claimer.query('BEGIN');
      await claimer.query(`SELECT 1 FROM ${schema}.open_slots WHERE task_id = 't1' FOR UPDATE`);
      // The same slot offered again (a process starting offers its pending tasks' rows): waits for the row.
      const offering = store.offerSlots([offer]);
      while ((await db.query(`SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%open_slots%' AND pid <> pg_backend_pid()`)).length === 0) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      await claimer.query(`SELECT 1 FROM ${schema}.tasks WHERE id = 't1' FOR UPDATE`);
      await claimer.query('COMMIT');
      expect((await offering)[0]!.status).toBe('open-slot');
    } finally {
      await claimer.end();
      await store.close();
    }
  });

  it('rescues an expired process\'s rows once when three stores rescue at the same time; the others update nothing', async () => {
    const schema = db.nextSchema();
    const clock = manualClock(1_800_000_000_000);
    const stores = Array.from({ length: 4 }, () => postgresStore({ connectionString: db.url }, { schema, clock }));
    try {
      for (const store of stores) await store.open();
      const [dead, ...rescuers] = stores as [ReturnType<typeof postgresStore>, ...ReturnType<typeof postgresStore>[]];
      const ids = Array.from({ length: 30 }, (_, i) => `r${i}`);
      const nowMs = clock.wallNow();
      await dead.putTasks(ids.map((id) => task(id, { scheduleKind: 'once', periodMs: null, atMs: nowMs, nextExecutionMs: nowMs })));
      await dead.offerSlots(ids.map((taskId) => ({ taskId, scheduleVersion: 1, nominalMs: nowMs, dueMs: nowMs, rankMs: nowMs, maxAttempts: 3 })));
      const { process } = await dead.registerProcess({ ownerId: 'dead', host: 'h', pid: 1, version: 't', leaseMs: 1_000 });
      const claimed = await dead.claimDue({ ownerId: 'dead', epoch: process.epoch, limit: 100 });
      expect(claimed.status === 'claimed' && claimed.claimed.length).toBe(ids.length);
      clock.advance(1_000);
      const results = await Promise.all(rescuers.map((store) => store.rescueExpired()));
      expect(results.map((r) => r.interrupted).sort((a, b) => a - b)).toEqual([0, 0, ids.length]);
      expect(results.map((r) => r.expired.length).sort()).toEqual([0, 0, 1]);
      const pending = await rescuers[0]!.pendingSlots();
      expect(pending.map((p) => [p.taskId, p.attempts]).sort()).toEqual(ids.map((id) => [id, 1]).sort());
      expect((await rescuers[1]!.getExecution(`${ids[0]}/1/${nowMs}`))?.outcome).toBe('interrupted');
    } finally {
      for (const store of stores) await store.close();
    }
  });

  it('prunes one process at a time: a round while another transaction holds the schema\'s prune lock is busy; another schema prunes meanwhile', async () => {
    const [schema, other] = [db.nextSchema(), db.nextSchema()];
    const store = postgresStore({ connectionString: db.url }, { schema });
    const elsewhere = postgresStore({ connectionString: db.url }, { schema: other });
    const holder = new pg.Client({ connectionString: db.url });
    try {
      await store.open();
      await elsewhere.open();
      await holder.connect();
      // Another process's prune round, held open: the lock is the one pruneHistoryRound takes.
      await holder.query('BEGIN');
      await holder.query("SELECT pg_advisory_xact_lock(hashtextextended('timeslice.prune:' || $1::text, 0))", [schema]);
      const cut = Date.now() + 60_000;
      expect(await store.pruneHistoryRound(cut, 10)).toEqual({ status: 'busy' });
      expect(await elsewhere.pruneHistoryRound(cut, 10)).toEqual({ status: 'pruned', deleted: 0 });
      await holder.query('COMMIT');
      expect(await store.pruneHistoryRound(cut, 10)).toEqual({ status: 'pruned', deleted: 0 });
    } finally {
      await holder.end();
      await store.close();
      await elsewhere.close();
    }
  });
});
