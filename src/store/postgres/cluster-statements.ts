// The SQL of cluster mode on PostgreSQL (postgres/cluster.ts), for one schema.
// Every statement takes the transaction's now ($now, read once per call by
// `now`: the database's clock, or a test's injected one) as a parameter, so
// all the statements of one call agree on the time.
//
// The claim is one statement: the due pending rows are picked in rank order
// with FOR UPDATE SKIP LOCKED on the (rank_ms, seq) index (concurrent
// claimers take disjoint rows and never wait for each other), and marked
// held by the claimer with a fresh token each, the row's execution record as
// it was kept in `before`. A row whose task has a row held (a manual run
// beside a scheduled one) is not picked: a task's runs never overlap, as
// under one owner. That test is a scalar subquery, so it stays a probe of
// the primary key's task prefix per row the pick reads: written as a plain
// NOT EXISTS, the planner made it an anti join over a scan of every held
// row, per candidate (29 ms instead of 0.4 ms for a pick of 50 with 1,000
// rows held). A picked row whose task ended or was rescheduled
// comes back `stale`: the caller drops it and claims again for the places it
// took, as the memory store drops the rows it meets on its way (so no claim
// scans for stale rows it would not reach). The execution records and task
// marks are then written by the caller, in the same transaction, with the
// shared slot rules.
import { statement } from './session.js';
import { STORED_TASK_FIELDS } from '../codec.js';
import { column, EXECUTION_SELECT, EXECUTION_STORED_FIELDS, marksFromArraysSql, TASK_SELECT, updateTasksSql } from './statements.js';

const KEY = (a: string, b: string) => `${a}.task_id = ${b}.task_id AND ${a}.nominal_ms = ${b}.nominal_ms AND ${a}.schedule_version = ${b}.schedule_version`;
const ENDED = "('completed', 'failed', 'cancelled')";
/** `param` (ms), or when it is NULL the database's now in ms (the transaction's start, as `dbNow` reads it). */
const NOW_OR = (param: string) => `coalesce(${param}::float8, floor(extract(epoch FROM now()) * 1000))`;
/** A select-list item turning JIT off until the transaction ends (see `now`). */
const JIT_OFF = `set_config('jit', 'off', true) AS "jit"`;
const PROCESS_SELECT = `owner_id AS "ownerId", host, pid, version, epoch, started_at_ms AS "startedAtMs", heartbeat_at_ms AS "heartbeatAtMs",
  expires_at_ms AS "expiresAtMs"`;
const SLOT_SELECT = (o: string) => `${o}.task_id AS "taskId", ${o}.schedule_version AS "scheduleVersion", ${o}.nominal_ms AS "nominalMs",
  ${o}.due_ms AS "dueMs", ${o}.rank_ms AS "rankMs", ${o}.max_attempts AS "maxAttempts", ${o}.attempts, ${o}.seq`;
const EXECUTION_TYPES: Record<string, string> = {
  taskId: 'text', scheduleVersion: 'int8', nominalMs: 'int8', attempt: 'int8', fencingToken: 'int8', startedAtMs: 'float8',
  endedAtMs: 'float8', outcome: 'text', result: 'text', error: 'text', skipReason: 'text', state: 'text', traceId: 'text', spanId: 'text',
};

/** Held rows identified by parallel arrays ($1 task ids, $2 nominal times, $3 versions) and still held. */
const HELD_BY_KEYS = (s: string) => `held AS (SELECT o.* FROM ${s}.open_slots o
  JOIN unnest($1::text[], $2::int8[], $3::int8[]) AS k(task_id, nominal_ms, schedule_version) ON ${KEY('o', 'k')}
  WHERE o.owner_id IS NOT NULL)`;

/**
 * `o` among the open rows of keys ($a task ids, $b nominal times, $c versions), for rows this transaction already holds
 * locked (a claim's picked rows, a finish's locked ones; markStarted also joins the keys): found by a primary-key probe
 * per key (LATERAL), then taken by their row addresses (a TID scan; no other transaction can have moved a row this one holds). The LIMIT (a key has one
 * row) keeps the probe a subquery per key: without it the planner flattens it into a join and hashes again. Joined to the keys'
 * unnest instead, the planner hashed the keys and scanned every open row for them on tables never analyzed (a round of
 * 100 finishes at 3,000 rows: `Seq Scan on open_slots`), so each round cost O(open rows).
 */
const HELD_HERE = (s: string, a: string, b: string, c: string) => `o.ctid = ANY(ARRAY(SELECT x.ctid
         FROM unnest(${a}::text[], ${b}::int8[], ${c}::int8[]) AS k(task_id, nominal_ms, schedule_version)
         CROSS JOIN LATERAL (SELECT h.ctid FROM ${s}.open_slots h WHERE ${KEY('h', 'k')} LIMIT 1) x))`;

/** Rows that went back to pending make their running task pending (an ended task stays ended: memory store's pendTask). */
const PEND_TASKS = (s: string) => `pended AS (UPDATE ${s}.tasks t SET status = 'pending' WHERE t.status = 'running' AND t.id IN (SELECT task_id FROM requeued))`;

/**
 * The claim names the tasks of the rows it took to the statements sent after it in its transaction, whose parameters
 * were fixed before its answer: a transaction-local setting (set_config(..., true): gone at COMMIT or ROLLBACK), a JSON
 * array of the task ids as stored. Set once per claim statement, also to [] when it took nothing (its filter's
 * subquery runs once, whatever the rows; json_agg of none is NULL).
 */
const CLAIMED_TASKS_SETTING = 'timeslice.claimed_tasks';
const SET_CLAIMED_TASKS = `set_config('${CLAIMED_TASKS_SETTING}', coalesce(json_agg(DISTINCT x."taskId")::text, '[]'), true)`;
/**
 * The task ids the last claim statement of this transaction took (none before the first: the setting reads '' or
 * NULL), as an array for `= ANY(...)`: computed once, then primary-key probes. As `IN (SELECT ...)` the planner
 * (sorting off, the claim's transaction) walked every task with a nested loop instead: 14 ms at 10,000 tasks against
 * 0.08 ms (EXPLAIN ANALYZE), which cut the per-job throughput by half.
 */
const CLAIMED_TASKS = `ARRAY(SELECT json_array_elements_text(nullif(current_setting('${CLAIMED_TASKS_SETTING}', true), '')::json))`;

export function prepareClusterStatements(s: string) {
  const executionColumns = EXECUTION_STORED_FIELDS.map(column);
  /** Executions written whole, inserted or replacing the slot's record (a claim's new attempt, an end). */
  const putExecutions = `INSERT INTO ${s}.executions (${executionColumns.join(', ')})
       SELECT * FROM unnest(${EXECUTION_STORED_FIELDS.map((f, i) => `$${i + 1}::${EXECUTION_TYPES[f]}[]`).join(', ')})
       ON CONFLICT (task_id, nominal_ms, schedule_version) DO UPDATE SET
         ${executionColumns.filter((c) => !['task_id', 'nominal_ms', 'schedule_version'].includes(c)).map((c) => `${c} = excluded.${c}`).join(', ')}`;
  return {
    // Each cluster call's first statement. With it, no JIT for the rest of the transaction: its statements are
    // short, and the claim's pick is estimated at the cost of walking the whole rank index (the planner cannot know
    // the limit is met early), past jit_above_cost from ~10,000 open rows: compiling it took 35 ms for a pick that
    // ran in 0.6 ms (EXPLAIN ANALYZE, 10,000 rows; a claim of 50 went from ~120 ms to ~40 ms on a loaded machine).
    now: statement(`SELECT coalesce($1::float8, floor(extract(epoch FROM now()) * 1000)) AS "nowMs", ${JIT_OFF}`),
    /** The database's now, without parameters: sent with BEGIN in one round trip. */
    dbNow: statement(`SELECT floor(extract(epoch FROM now()) * 1000)::float8 AS "nowMs", ${JIT_OFF}`),
    register: statement(
      `INSERT INTO ${s}.processes (owner_id, host, pid, version, epoch, started_at_ms, heartbeat_at_ms, expires_at_ms)
       VALUES ($1, $2, $3, $4, nextval('${s}.process_epochs'), $5::float8, $5::float8, $5::float8 + $6::float8)
       ON CONFLICT (owner_id) DO UPDATE SET host = excluded.host, pid = excluded.pid, version = excluded.version, epoch = excluded.epoch,
         started_at_ms = excluded.started_at_ms, heartbeat_at_ms = excluded.heartbeat_at_ms, expires_at_ms = excluded.expires_at_ms
       RETURNING ${PROCESS_SELECT}`,
    ),
    heartbeat: statement(
      `UPDATE ${s}.processes SET heartbeat_at_ms = $3::float8, expires_at_ms = $3::float8 + $4::float8 WHERE owner_id = $1 AND epoch = $2 RETURNING ${PROCESS_SELECT}`,
    ),
    /**
     * The process row, locked against a rescue's DELETE until the claim commits; and, for the rest of the claim's
     * transaction, no sort where an index gives the order (see `claim`).
     */
    shareProcess: statement(
      `SELECT epoch, expires_at_ms AS "expiresAtMs", set_config('enable_sort', 'off', true) AS "sort" FROM ${s}.processes WHERE owner_id = $1 FOR SHARE`,
    ),
    deleteProcess: statement(`DELETE FROM ${s}.processes WHERE owner_id = $1 AND epoch = $2 RETURNING owner_id`),
    processes: statement(
      `SELECT ${PROCESS_SELECT}, (SELECT count(*) FROM ${s}.open_slots o WHERE o.owner_id = p.owner_id AND o.owner_epoch = p.epoch) AS running
       FROM ${s}.processes p ORDER BY epoch`,
    ),
    // SKIP LOCKED, here and in orphans: a row another transaction holds (a claim holds its process row FOR SHARE
    // until it commits; a finish holds its slot) belongs to a process at work right now, or paused mid-transaction.
    // Waiting for it would stall this rescue, and with it this process's next heartbeat, for as long as that
    // process is paused: every process's lease then ran out behind one paused one (the chaos campaign saw it).
    // A skipped row is rescued by a later round, once its transaction has ended.
    expire: statement(
      `DELETE FROM ${s}.processes WHERE owner_id IN (SELECT owner_id FROM ${s}.processes WHERE expires_at_ms <= $1 FOR UPDATE SKIP LOCKED)
       RETURNING owner_id AS "ownerId", epoch`,
    ),
    /** Held rows whose epoch no live registration has (expired, or registered again since). */
    orphans: statement(
      `SELECT o.task_id AS "taskId", o.nominal_ms AS "nominalMs", o.schedule_version AS "scheduleVersion" FROM ${s}.open_slots o
       WHERE o.owner_id IS NOT NULL AND NOT EXISTS (SELECT FROM ${s}.processes p WHERE p.owner_id = o.owner_id AND p.epoch = o.owner_epoch)
       FOR UPDATE OF o SKIP LOCKED`,
    ),
    heldBy: statement(
      `SELECT o.task_id AS "taskId", o.nominal_ms AS "nominalMs", o.schedule_version AS "scheduleVersion", o.fencing_token AS "fencingToken"
       FROM ${s}.open_slots o WHERE o.owner_id = $1 AND o.owner_epoch = $2 FOR UPDATE`,
    ),
    /**
     * Ends held rows' attempts as interrupted ($4 now, $5 error) and puts them back to pending; a row whose attempt is no
     * longer its own is dropped. A row held unstarted (a local queue's) keeps its attempt number, so its next start has a
     * higher one (C3), and gets one attempt more: the one it never ran.
     */
    interrupt: statement(
      `WITH ${HELD_BY_KEYS(s)},
       interrupted AS (UPDATE ${s}.executions e SET outcome = 'interrupted', ended_at_ms = $4, error = $5 FROM held o
         WHERE ${KEY('e', 'o')} AND e.fencing_token = o.fencing_token AND e.outcome = 'running'
         RETURNING e.task_id, e.nominal_ms, e.schedule_version, e.attempt),
       requeued AS (UPDATE ${s}.open_slots o SET owner_id = NULL, owner_epoch = NULL, fencing_token = NULL, before = NULL, attempts = i.attempt,
           max_attempts = o.max_attempts + CASE WHEN o.started THEN 0 ELSE 1 END
         FROM interrupted i WHERE ${KEY('o', 'i')} RETURNING o.task_id),
       gone AS (DELETE FROM ${s}.open_slots o USING held h WHERE ${KEY('o', 'h')} AND NOT EXISTS (SELECT FROM interrupted i WHERE ${KEY('i', 'h')})),
       ${PEND_TASKS(s)}
       SELECT count(*) AS n FROM requeued`,
    ),
    /** Puts unstarted claims back exactly as before the claim: the execution restored from `before` (or removed), the row pending. */
    giveBack: statement(
      `WITH ${HELD_BY_KEYS(s)},
       live AS (SELECT h.* FROM held h JOIN ${s}.executions e ON ${KEY('e', 'h')} AND e.fencing_token = h.fencing_token AND e.outcome = 'running'),
       restored AS (UPDATE ${s}.executions e SET (${executionColumns.join(', ')}) = (${executionColumns.map((c) => `b.${c}`).join(', ')})
         FROM live l CROSS JOIN LATERAL json_populate_record(NULL::${s}.executions, l.before::json) b
         WHERE ${KEY('e', 'l')} AND l.before IS NOT NULL),
       removed AS (DELETE FROM ${s}.executions e USING live l WHERE ${KEY('e', 'l')} AND l.before IS NULL),
       requeued AS (UPDATE ${s}.open_slots o SET owner_id = NULL, owner_epoch = NULL, fencing_token = NULL, before = NULL
         FROM live l WHERE ${KEY('o', 'l')} RETURNING o.task_id),
       gone AS (DELETE FROM ${s}.open_slots o USING held h WHERE ${KEY('o', 'h')} AND NOT EXISTS (SELECT FROM live l WHERE ${KEY('l', 'h')})),
       ${PEND_TASKS(s)}
       SELECT count(*) AS n FROM requeued`,
    ),
    /**
     * $1 now, $2 limit, $3 owner, $4 epoch, $5 the functions it may take (NULL: any), $6 how many of the picked rows, most
     * urgent first, are stored as started (the rest wait in the claimer's local queue: ClaimDueRequest.startNow): see the header. Rows come back unordered
     * (the caller sorts by rank, seq). The pick reads open_slots alone, in rank order, and stops at the limit: the task's
     * function and whether the task has a row held are primary-key probes for the rows it reaches, not a join. A plan that
     * sorts every due row instead (what the planner picks on tables never analyzed: it takes `owner_id IS NULL` for 0.5%
     * of the rows) would probe every due row first: 300 ms a claim at 20,000 pending rows, 0.4 ms in rank order. So the
     * claim's transaction turns sorting off (shareProcess), where the rank index gives the order anyway. The claim is sent
     * with shareProcess, before its answer: it takes nothing unless the registration ($3, $4) is live (that row is locked).
     * $1 NULL is the database's now (the transaction's: what BEGIN's round trip reads), so the claim need not wait for it.
     * A row is stored started when its place among the picked rows (row_number over `picked`, read in the order its ORDER
     * BY gave them) is within $6: counting the picked rows ahead of each row instead was a scan of them per row, 10,000
     * comparisons for a claim of 100. No ORDER BY in the window: with sorting off, its sort's disable cost swamped the
     * join's and the planner hashed every task and open row to join the picked ones (EXPLAIN at 10,000 one-offs).
     */
    claim: statement(
      `WITH picked AS (
         SELECT o.task_id, o.nominal_ms, o.schedule_version, o.rank_ms, o.seq FROM ${s}.open_slots o
         WHERE o.owner_id IS NULL AND o.due_ms <= ${NOW_OR('$1')}
           AND EXISTS (SELECT FROM ${s}.processes p WHERE p.owner_id = $3 AND p.epoch = $4 AND p.expires_at_ms > ${NOW_OR('$1')})
           AND ($5::text[] IS NULL OR (SELECT t.function_name FROM ${s}.tasks t WHERE t.id = o.task_id) = ANY($5::text[]))
           AND NOT (SELECT EXISTS (SELECT FROM ${s}.open_slots h WHERE h.task_id = o.task_id AND h.owner_id IS NOT NULL))
         ORDER BY o.rank_ms, o.seq LIMIT $2 FOR UPDATE OF o SKIP LOCKED),
       ranked AS (SELECT q.*, row_number() OVER () AS place FROM picked q),
       claimed AS (UPDATE ${s}.open_slots o SET owner_id = $3, owner_epoch = $4, fencing_token = nextval('${s}.fencing_tokens'),
         before = (SELECT row_to_json(e)::text FROM ${s}.executions e WHERE ${KEY('e', 'o')}),
         started = p.place <= $6
       FROM ranked p JOIN ${s}.tasks t ON t.id = p.task_id WHERE ${KEY('o', 'p')}
       RETURNING ${SLOT_SELECT('o')}, o.fencing_token AS "fencingToken", o.before IS NOT NULL AS "hadRecord", o.started,
         t.status IN ${ENDED} OR (o.schedule_version <> 0 AND o.schedule_version <> t.schedule_version) AS stale)
       SELECT c.* FROM claimed c WHERE (SELECT ${SET_CLAIMED_TASKS} FROM claimed x) IS NOT NULL`,
    ),
    /**
     * The tasks of the rows the claim just before took (CLAIMED_TASKS), locked in id order: sent in the claim's round
     * trip, before its answer (cluster.ts #claimDue). As lockTasks, of ids the client has not seen yet.
     */
    lockClaimedTasks: statement(`SELECT ${TASK_SELECT} FROM ${s}.tasks WHERE id = ANY(${CLAIMED_TASKS}) ORDER BY id FOR UPDATE`),
    /** As heldOfTasks, of the tasks lockClaimedTasks locked: a statement of its own after it, so a snapshot taken after its waits. */
    heldOfClaimedTasks: statement(
      `SELECT task_id AS "taskId", nominal_ms AS "nominalMs", schedule_version AS "scheduleVersion", fencing_token AS "fencingToken"
       FROM ${s}.open_slots WHERE task_id = ANY(${CLAIMED_TASKS}) AND owner_id IS NOT NULL`,
    ),
    /**
     * The held rows of these tasks ($1), once their task rows are locked: a claim committed meanwhile shows here. A probe
     * of the primary key's task prefix per distinct task (OFFSET 0 keeps it one): as `task_id = ANY($1)` the planner
     * scanned every open row on tables never analyzed.
     */
    heldOfTasks: statement(
      `SELECT o.* FROM (SELECT DISTINCT unnest($1::text[]) AS task_id) k CROSS JOIN LATERAL (SELECT o.task_id AS "taskId", o.nominal_ms AS "nominalMs",
         o.schedule_version AS "scheduleVersion", o.fencing_token AS "fencingToken" FROM ${s}.open_slots o WHERE o.task_id = k.task_id AND o.owner_id IS NOT NULL OFFSET 0) o`,
    ),
    /**
     * Held rows whose bodies started ($4 their tokens): a rescue now interrupts them instead of giving them back. Rows
     * not locked by this transaction: found by address (HELD_HERE) and still joined to their keys, so a row a rescue
     * changed meanwhile is checked again, as it is, against the key and token (a TID scan does not check the address
     * again on the newer version, the join's conditions are).
     */
    markStarted: statement(
      `UPDATE ${s}.open_slots o SET started = true
       FROM unnest($1::text[], $2::int8[], $3::int8[], $4::int8[]) AS k(task_id, nominal_ms, schedule_version, fencing_token)
       WHERE ${HELD_HERE(s, '$1', '$2', '$3')} AND ${KEY('o', 'k')} AND o.fencing_token = k.fencing_token AND NOT o.started`,
    ),
    /** Rows of this claim put back as they were before it (no record was written for them yet). */
    unhold: statement(
      `UPDATE ${s}.open_slots o SET owner_id = NULL, owner_epoch = NULL, fencing_token = NULL, before = NULL WHERE ${HELD_HERE(s, '$1', '$2', '$3')}`,
    ),
    /** Rows of a claim whose task ended or was rescheduled since the offer: dropped, never handed out. */
    dropSlots: statement(`DELETE FROM ${s}.open_slots o WHERE ${HELD_HERE(s, '$1', '$2', '$3')}`),
    /** The earliest due pending row ($1 the functions, NULL: any): on the (due_ms) index, stopping at the first row that matches. */
    nextDue: statement(
      `SELECT o.due_ms AS "dueMs" FROM ${s}.open_slots o JOIN ${s}.tasks t ON t.id = o.task_id
       WHERE o.owner_id IS NULL AND ($1::text[] IS NULL OR t.function_name = ANY($1::text[])) ORDER BY o.due_ms LIMIT 1`,
    ),
    /**
     * Tasks ($1) locked in id order: a primary-key probe per distinct id, in id order (LATERAL, as finishLocks). As
     * `id = ANY($1) ORDER BY id FOR UPDATE` the planner scanned every task on tables never analyzed.
     */
    lockTasks: statement(
      `SELECT t.* FROM (SELECT DISTINCT unnest($1::text[]) COLLATE "C" AS id ORDER BY 1) k
       CROSS JOIN LATERAL (SELECT ${TASK_SELECT} FROM ${s}.tasks WHERE id = k.id FOR UPDATE) t`,
    ),
    /** Executions written whole, inserted or replacing the slot's record (a claim's new attempt). */
    putExecutions: statement(putExecutions),
    /**
     * The same, and the claimed tasks' marks and status ($15 ids, $16 marks, $17 statuses): a claim's writes in one
     * statement. Answers the transaction's id as the rows it wrote show it (`xmin`, the low 32 bits of txid_current):
     * the claimer remembers these rows as written (known-rows.ts), and a finish reads them again only if changed since.
     */
    putExecutionsAndMarks: statement(
      `WITH put AS (${putExecutions}),
       ${marksFromArraysSql(s)}
       SELECT (txid_current() % 4294967296)::int8 AS "xid"`,
    ),
    /**
     * The writes of a round of finishes in one statement: the ended executions ($1..$14, as putExecutions), the patched
     * tasks (the next 36 arrays and their masks, updateTasksSql) and the open rows to delete (the last 3: task ids, nominal
     * times, versions: rows finishLocks locked, HELD_HERE). The tasks are patched by primary-key probes (updateTasksSql).
     */
    finishWrites: statement(
      `WITH put AS (${putExecutions}),
       patched AS (${updateTasksSql(s, EXECUTION_STORED_FIELDS.length + 1)}),
       deleted AS (DELETE FROM ${s}.open_slots o WHERE ${HELD_HERE(s, ...[0, 1, 2].map((i) => `$${EXECUTION_STORED_FIELDS.length + STORED_TASK_FIELDS.length + 2 + i}`) as [string, string, string])})
       SELECT 1`,
    ),
    openSlot: statement(`SELECT ${SLOT_SELECT('o')}, o.owner_id AS "ownerId" FROM ${s}.open_slots o WHERE o.task_id = $1 AND o.nominal_ms = $2 AND o.schedule_version = $3 FOR UPDATE`),
    /**
     * What a round of finishes reads, locked, in one statement (slots by parallel arrays): their open rows, then their
     * executions, then their tasks, each in key order (the order claims and rescues lock them in), as rows
     * { kind: 'open' | 'execution' | 'task', row: json }. Each row is a primary-key probe (a LATERAL subquery per key):
     * written as `IN (SELECT ... FROM k)`, the planner hashed the keys and scanned the whole
     * tables for them, 9,895 open rows and 10,000 tasks for a round of 101 ends (14-20 ms, now 1.5-4 ms; EXPLAIN
     * ANALYZE at 10,000 one-offs), so a finish cost grew with the tables.
     * $4: per slot, the id of the transaction that wrote its execution and task as the finisher knows them (its claim:
     * known-rows.ts), or NULL. A row whose `xmin` is still that id is the version that transaction wrote, unchanged
     * since: it comes back as { id, known: true } instead of whole (a task's row was ~850 bytes of JSON to make, send
     * and parse per finish). Otherwise the row comes whole, with "known" false or NULL (the caller drops it). Of an open
     * row, only what a finish reads: its key, its attempts (a skip's) and its holder. The tasks
     * are locked one by one in id order (a LATERAL probe each, as the other two), as `= ANY ... ORDER BY id` locked them.
     */
    finishLocks: statement(
      `WITH k AS (SELECT * FROM unnest($1::text[], $2::int8[], $3::int8[], $4::int8[]) AS k(task_id, nominal_ms, schedule_version, xid)
         ORDER BY task_id COLLATE "C", nominal_ms, schedule_version),
       o AS (SELECT o.* FROM k CROSS JOIN LATERAL (SELECT o.task_id AS "taskId", o.schedule_version AS "scheduleVersion", o.nominal_ms AS "nominalMs",
         o.attempts, o.owner_id AS "ownerId" FROM ${s}.open_slots o WHERE ${KEY('o', 'k')} FOR UPDATE) o),
       e AS (SELECT e.* FROM k CROSS JOIN LATERAL (SELECT ${EXECUTION_SELECT}, xmin::text::int8 = k.xid AS "known" FROM ${s}.executions
         WHERE task_id = k.task_id AND nominal_ms = k.nominal_ms AND schedule_version = k.schedule_version FOR UPDATE) e),
       t AS (SELECT t.* FROM (SELECT DISTINCT ON (task_id COLLATE "C") task_id, xid FROM k ORDER BY task_id COLLATE "C", xid) kt
         CROSS JOIN LATERAL (SELECT ${TASK_SELECT}, xmin::text::int8 = kt.xid AS "known" FROM ${s}.tasks WHERE id = kt.task_id FOR UPDATE) t)
       SELECT 'open' AS kind, row_to_json(o) AS row FROM o
       UNION ALL SELECT 'execution', CASE WHEN e.known THEN json_build_object('id', e.id, 'known', true) ELSE row_to_json(e) END FROM e
       UNION ALL SELECT 'task', CASE WHEN t.known THEN json_build_object('id', t.id, 'known', true) ELSE row_to_json(t) END FROM t`,
    ),
    /**
     * The open rows of several slots (parallel arrays), locked in key order: a primary-key probe per distinct key, in
     * key order (LATERAL, as finishLocks). As `IN (SELECT * FROM unnest(...))` the planner scanned every open row for
     * the keys on tables never analyzed.
     */
    openSlots: statement(
      `SELECT o.* FROM (SELECT DISTINCT k.task_id COLLATE "C" AS task_id, k.nominal_ms, k.schedule_version FROM unnest($1::text[], $2::int8[], $3::int8[])
         AS k(task_id, nominal_ms, schedule_version) ORDER BY 1, 2, 3) k
       CROSS JOIN LATERAL (SELECT ${SLOT_SELECT('o')}, o.owner_id AS "ownerId" FROM ${s}.open_slots o WHERE ${KEY('o', 'k')} FOR UPDATE) o
       ORDER BY o."taskId", o."nominalMs", o."scheduleVersion"`,
    ),
    openOfTask: statement(`SELECT ${SLOT_SELECT('o')} FROM ${s}.open_slots o WHERE o.task_id = $1 AND o.schedule_version = $2`),
    /**
     * The open rows of several (task, schedule version) pairs (parallel arrays): an index probe per pair. OFFSET 0 keeps
     * the probe a subquery per pair; flattened into a join, the planner hashed the pairs and scanned every open row.
     */
    openOfTasks: statement(
      `SELECT o.* FROM unnest($1::text[], $2::int8[]) AS k(task_id, schedule_version)
       CROSS JOIN LATERAL (SELECT ${SLOT_SELECT('o')} FROM ${s}.open_slots o WHERE o.task_id = k.task_id AND o.schedule_version = k.schedule_version OFFSET 0) o`,
    ),
    /** Pending rows by parallel arrays, their offer order (seq) taken in array order. */
    insertSlots: statement(
      `INSERT INTO ${s}.open_slots (task_id, schedule_version, nominal_ms, due_ms, rank_ms, max_attempts, attempts, seq)
       SELECT k.task_id, k.schedule_version, k.nominal_ms, k.due_ms, k.rank_ms, k.max_attempts, 0, nextval('${s}.slot_offers')
       FROM unnest($1::text[], $2::int8[], $3::int8[], $4::float8[], $5::float8[], $6::int8[]) WITH ORDINALITY
         AS k(task_id, schedule_version, nominal_ms, due_ms, rank_ms, max_attempts, ord)
       ORDER BY k.ord
       RETURNING task_id AS "taskId", schedule_version AS "scheduleVersion", nominal_ms AS "nominalMs", seq`,
    ),
    insertSlot: statement(
      `INSERT INTO ${s}.open_slots (task_id, schedule_version, nominal_ms, due_ms, rank_ms, max_attempts, attempts, seq)
       VALUES ($1, $2, $3, $4, $5, $6, $7, nextval('${s}.slot_offers')) RETURNING seq`,
    ),
    /** A held row pending again for a retry ($4 due, $5 attempts), last in offer order among equal ranks. */
    retrySlot: statement(
      `UPDATE ${s}.open_slots SET owner_id = NULL, owner_epoch = NULL, fencing_token = NULL, before = NULL, due_ms = $4, attempts = $5,
         seq = nextval('${s}.slot_offers') WHERE task_id = $1 AND nominal_ms = $2 AND schedule_version = $3`,
    ),
    deleteSlot: statement(`DELETE FROM ${s}.open_slots WHERE task_id = $1 AND nominal_ms = $2 AND schedule_version = $3`),
    pending: statement(
      `SELECT ${SLOT_SELECT('o')} FROM ${s}.open_slots o WHERE o.owner_id IS NULL AND ($1::text IS NULL OR o.task_id = $1) ORDER BY o.rank_ms, o.seq`,
    ),
  };
}

export type ClusterStatements = ReturnType<typeof prepareClusterStatements>;
