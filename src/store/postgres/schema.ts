// The PostgreSQL schema, as a list of migrations: the version of a database is
// the number of migrations applied (a row each in `migrations`), and the latest
// version is the length of the list. A migration is never edited once
// released: a change is a new one appended. migrate.ts applies them.
//
// Every table lives in the store's own schema (`timeslice` by default), so one
// database can hold several stores and none meets an application's tables.
// Columns are the StoredTask / StoredExecution fields in snake_case, as in
// SQLite (sqlite/schema.ts), with these differences:
//
// - Times are double precision (SQLite REAL: any finite double round-trips),
//   except an execution's nominal_ms, which is part of its slot's key: bigint.
//   Counts, versions, tokens and epochs are bigint (safe integers, read back as
//   numbers: session.ts). JSON fields are text, written and read as the codec
//   makes them (exact: jsonb would reorder keys and respell numbers).
// - Ids, names and modules compare in the "C" collation: byte order of their
//   UTF-8, the order SQLite sorts them in, whatever the database's locale;
//   task-query pages follow it.
// - No task index holds a column a run changes (status, next slot, count,
//   marks): a run's two task updates (claim, end) stay HOT updates, written in
//   place on the heap page with no new index entries (when the page has room:
//   migration 4), so the tasks table does not bloat at the rate jobs run (the
//   table bloat users of pg-boss and River report). SQLite's tasks_ended (status, id) is left out for that reason: a
//   query for ended tasks walks the id index and checks each row's status.
// - Fencing tokens come from a sequence (fencing-tokens.ts), not a counter row.
// - executions keep SQLite's two partial indexes of v1 (open ones; ended ones
//   by end time): claims insert and completions update a row, which touches
//   them; the merge SQLite made in v8 saved WAL pages, a concern of its own.

/**
 * Fencing tokens reserved at once (the sequence's increment): an instance
 * takes the block (v - FENCING_BLOCK, v] for each value v the sequence gives.
 */
export const FENCING_BLOCK = 1024;

/** A migration: SQL run in the migration transaction, with `{s}` standing for the quoted schema name. */
export interface Migration {
  description: string;
  sql: string;
}

const SCHEDULE_KINDS = "('once', 'fixed-rate', 'fixed-delay', 'cron')";
const MISFIRE_POLICIES = "('skip', 'run-once', 'catch-up')";
const TASK_STATUSES = "('pending', 'running', 'completed', 'failed', 'cancelled')";
const OUTCOMES = "('running', 'succeeded', 'failed', 'interrupted', 'skipped', 'cancelled')";
/** The condition of the partial indexes on executions, as the queries that use them spell it. */
export const OPEN_OUTCOMES = "outcome IN ('running', 'interrupted')";
export const FINAL_OUTCOMES = "outcome IN ('succeeded', 'failed', 'skipped', 'cancelled')";

export const MIGRATIONS: readonly Migration[] = Object.freeze([
  {
    description: 'tasks, executions (one per slot: their primary key), the lease, the fencing token sequence',
    sql: `
      CREATE TABLE {s}.tasks (
        id text COLLATE "C" PRIMARY KEY,
        name text COLLATE "C" NOT NULL,
        description text,
        owner_module text COLLATE "C",
        function_name text NOT NULL,
        params text NOT NULL,
        schedule_kind text NOT NULL CHECK (schedule_kind IN ${SCHEDULE_KINDS}),
        delay_ms double precision,
        period_ms double precision,
        at_ms double precision,
        cron_expression text,
        time_zone text,
        priority text NOT NULL,
        misfire_policy text NOT NULL CHECK (misfire_policy IN ${MISFIRE_POLICIES}),
        misfire_grace_ms double precision NOT NULL,
        catch_up_window_ms double precision,
        catch_up_max bigint,
        retry text NOT NULL,
        created_at_ms double precision NOT NULL,
        updated_at_ms double precision NOT NULL,
        last_execution_ms double precision,
        next_execution_ms double precision,
        execution_count bigint NOT NULL,
        max_executions bigint,
        status text NOT NULL CHECK (status IN ${TASK_STATUSES}),
        last_error text,
        metadata text NOT NULL,
        schedule_version bigint NOT NULL CHECK (schedule_version >= 1),
        high_water_mark_ms double precision,
        dst_gap text CHECK (dst_gap IN ('skip', 'run-at-first-valid')),
        dst_overlap text CHECK (dst_overlap IN ('once', 'both')),
        timeout_ms double precision CHECK (timeout_ms > 0),
        constraints text,
        calendar_period text,
        start_at_ms double precision,
        end_at_ms double precision CHECK (end_at_ms >= start_at_ms)
      ) WITH (fillfactor = 90);
      -- Task queries by owner module or name, each then in id order (task-query.ts).
      CREATE INDEX tasks_by_module ON {s}.tasks (owner_module, id);
      CREATE INDEX tasks_by_name ON {s}.tasks (name, id);
      CREATE TABLE {s}.executions (
        task_id text COLLATE "C" NOT NULL REFERENCES {s}.tasks (id) ON DELETE CASCADE,
        schedule_version bigint NOT NULL,
        nominal_ms bigint NOT NULL,
        attempt bigint NOT NULL,
        fencing_token bigint NOT NULL,
        started_at_ms double precision,
        ended_at_ms double precision,
        outcome text NOT NULL CHECK (outcome IN ${OUTCOMES}),
        result text NOT NULL,
        error text NOT NULL,
        skip_reason text,
        state text NOT NULL,
        trace_id text,
        span_id text,
        -- C2: one record per slot, whatever the application does; the key also orders history(): a task's slots, newest first.
        PRIMARY KEY (task_id, nominal_ms, schedule_version)
      ) WITH (fillfactor = 90);
      -- Recovery (unfinishedExecutions) and running tasks; retention (pruneHistory) by end time.
      CREATE INDEX executions_open ON {s}.executions (task_id) WHERE ${OPEN_OUTCOMES};
      CREATE INDEX executions_ended ON {s}.executions (ended_at_ms) WHERE ${FINAL_OUTCOMES};
      CREATE TABLE {s}.lease (
        id integer PRIMARY KEY CHECK (id = 1),
        owner_id text NOT NULL,
        host text NOT NULL,
        pid integer NOT NULL,
        epoch bigint NOT NULL CHECK (epoch >= 1),
        since_ms double precision NOT NULL,
        expires_at_ms double precision NOT NULL
      );
      CREATE SEQUENCE {s}.fencing_tokens AS bigint START WITH ${FENCING_BLOCK} INCREMENT BY ${FENCING_BLOCK} MINVALUE ${FENCING_BLOCK};
    `,
  },
  {
    description: 'cluster mode: processes (epochs from a sequence) and open_slots (pending and held rows)',
    // processes: one row per registered scheduler process. No index but the key: a heartbeat rewrites only
    // heartbeat_at_ms and expires_at_ms, so it is a HOT update (fillfactor leaves the room on the page).
    // open_slots: only the slots that are open (pending, or held running by a process); a finished slot's row
    // is deleted, so the table holds at most the pending rows plus what the cluster runs, whatever the history.
    // The claim index (rank_ms, seq) deliberately leaves out owner_id: claiming, rescuing and giving back change
    // only the owner columns, attempts and before (no indexed column, no column of an index predicate), so those
    // updates are HOT; the claim query walks the index in rank order past the few held rows (bounded by the
    // cluster's concurrency); only a retry's new due time touches an index. Rescue, deregister and the running
    // counts of processes() scan the table for owner_id (an owner index would make every claim a non-HOT update):
    // bounded by the open slots, not the history. one_open_slot_per_task is C2's "one open scheduled slot per task" (cluster.ts).
    sql: `
      CREATE SEQUENCE {s}.process_epochs AS bigint;
      CREATE TABLE {s}.processes (
        owner_id text COLLATE "C" PRIMARY KEY,
        host text NOT NULL,
        pid integer NOT NULL,
        version text NOT NULL,
        epoch bigint NOT NULL,
        started_at_ms double precision NOT NULL,
        heartbeat_at_ms double precision NOT NULL,
        expires_at_ms double precision NOT NULL
      ) WITH (fillfactor = 50);
      CREATE SEQUENCE {s}.slot_offers AS bigint;
      CREATE TABLE {s}.open_slots (
        task_id text COLLATE "C" NOT NULL REFERENCES {s}.tasks (id) ON DELETE CASCADE,
        schedule_version bigint NOT NULL,
        nominal_ms bigint NOT NULL,
        due_ms double precision NOT NULL,
        rank_ms double precision NOT NULL,
        max_attempts bigint NOT NULL,
        attempts bigint NOT NULL,
        -- Offer order: the tie-break between equal ranks.
        seq bigint NOT NULL,
        -- Held (running) when owner_id is set: by whom, under which epoch and token.
        owner_id text COLLATE "C",
        owner_epoch bigint,
        fencing_token bigint,
        -- The execution row as it was before the claim (row_to_json), NULL when it had none: a give-back restores it.
        before text,
        PRIMARY KEY (task_id, nominal_ms, schedule_version)
      ) WITH (fillfactor = 70);
      CREATE INDEX open_slots_by_rank ON {s}.open_slots (rank_ms, seq);
      -- claimDue's nextDueMs: the earliest pending due time, read from the low end past the held rows.
      CREATE INDEX open_slots_by_due ON {s}.open_slots (due_ms);
      CREATE UNIQUE INDEX one_open_slot_per_task ON {s}.open_slots (task_id, schedule_version) WHERE schedule_version > 0;
    `,
  },
  {
    description: 'cluster mode: open_slots.started (a held row claimed for a local queue is given back unstarted by a rescue)',
    // Set by each claim (true for the rows the claimer starts at once) and by finishAndClaim's `started`; read by the
    // rescue only. No index holds it, so writing it keeps the claim's update HOT. Rows held when this migration ran
    // count as started: rescued as interrupted attempts, as before.
    sql: `
      ALTER TABLE {s}.open_slots ADD COLUMN started boolean NOT NULL DEFAULT true;
    `,
  },
  {
    description: 'cluster mode: room on the page for a batch of runs (tasks at fillfactor 50, open_slots at 30)',
    // A claim updates the tasks and open rows of ~100 slots offered together, so rows that share a page; a run's end
    // updates each task again. At fillfactor 90 (tasks: ~8 rows of ~900 bytes a page) and 70 (open_slots) a page had
    // room for the new versions of one or a few of its rows: 23% of the tasks' updates and 39% of the open rows' were
    // HOT (pg_stat_user_tables, 10,000 no-op one-offs at 4 workers), the others wrote an entry in every index of the
    // table. At 50 a task page keeps room for a new version of each of its rows (the versions a committed claim left are
    // pruned when its end reads the page); an open row grows by its holder's columns when claimed (~130 to ~190 bytes),
    // so its page keeps 70% free. open_slots holds only the open slots, so the room costs little. Pages filled before
    // this migration keep their old room.
    sql: `
      ALTER TABLE {s}.tasks SET (fillfactor = 50);
      ALTER TABLE {s}.open_slots SET (fillfactor = 30);
    `,
  },
]);

/** The schema version this timeslice writes: the number of migrations. */
export const LATEST_POSTGRES_SCHEMA_VERSION = MIGRATIONS.length;
