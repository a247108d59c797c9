// The SQLite schema, as numbered migrations. `PRAGMA user_version` records the
// last one applied; open() applies the rest, each in its own transaction
// together with the version bump, so a crash mid-migration leaves the
// previous version intact. A migration is never edited once released: a
// change is a new migration appended to the list.
//
// Columns are the StoredTask / StoredExecution fields in snake_case (codec.ts
// lists them in order), except an execution's id, which is its slot (from v4:
// statements.ts computes it). Times are REAL ms since the epoch, except the
// nominal times that identify slots, which are INTEGER. JSON fields are TEXT.
//
// Writes must stay cheap: no IN lists in CHECK constraints or partial index
// conditions (SQLite builds the list's lookup table at every write that
// evaluates one; a chain of ORs costs a few comparisons).
import type Database from 'better-sqlite3';

/** Marks a database as timeslice's (`PRAGMA application_id`): 'TSLC'. */
export const APPLICATION_ID = 0x54534c43;

export interface Migration {
  version: number;
  description: string;
  sql: string;
  /** Drops and recreates tables: applied with foreign keys off (a dropped parent would cascade), checked afterwards. */
  rebuildsTables?: true;
}

/**
 * The conditions of the partial indexes on executions, as the queries that
 * use them must spell them (SQLite uses a partial index only for a WHERE that
 * contains its condition as written). Value lists are ORs, not IN: see v4.
 */
export const OPEN_OUTCOMES_V4 = "(outcome = 'running' OR outcome = 'interrupted')";
export const FINAL_OUTCOMES_V4 = "(outcome = 'succeeded' OR outcome = 'failed' OR outcome = 'skipped' OR outcome = 'cancelled')";
/**
 * The key of the one index on executions from v6 (executions_end), as the
 * queries that use it must spell it: 'open' for a running or interrupted
 * execution, its ended_at_ms for an ended one. TEXT sorts after every number,
 * so the open executions sit at the index's right end, next to the newest
 * ended ones: a claim and a completion change one leaf page of it.
 */
/** The condition of the partial index tasks_ended (v10), as the queries that use it must spell it. */
export const ENDED_STATUSES_V10 = "(status = 'completed' OR status = 'failed' OR status = 'cancelled')";
export const END_KEY_V8 = "(CASE WHEN outcome = 'running' OR outcome = 'interrupted' THEN 'open' ELSE ended_at_ms END)";
const TASK_COLUMNS_V4 = `id, name, description, owner_module, function_name, params, schedule_kind, delay_ms, period_ms, at_ms, cron_expression,
  time_zone, priority, misfire_policy, misfire_grace_ms, catch_up_window_ms, catch_up_max, retry, created_at_ms, updated_at_ms, last_execution_ms,
  next_execution_ms, execution_count, max_executions, status, last_error, metadata, schedule_version, high_water_mark_ms, dst_gap, dst_overlap`;
const EXECUTION_COLUMNS_V4 =
  'task_id, schedule_version, nominal_ms, attempt, fencing_token, started_at_ms, ended_at_ms, outcome, result, error, skip_reason, state';

const FINAL = "('succeeded', 'failed', 'skipped', 'cancelled')";

export const MIGRATIONS: readonly Migration[] = Object.freeze([
  {
    version: 1,
    description: 'tasks, executions (one per slot), meta (the fencing token counter)',
    sql: `
      CREATE TABLE tasks (
        id TEXT PRIMARY KEY NOT NULL,
        name TEXT NOT NULL,
        description TEXT,
        owner_module TEXT,
        function_name TEXT NOT NULL,
        params TEXT NOT NULL,
        schedule_kind TEXT NOT NULL CHECK (schedule_kind IN ('once', 'fixed-rate', 'fixed-delay', 'cron')),
        delay_ms REAL,
        period_ms REAL,
        at_ms REAL,
        cron_expression TEXT,
        time_zone TEXT,
        priority TEXT NOT NULL,
        misfire_policy TEXT NOT NULL CHECK (misfire_policy IN ('skip', 'run-once', 'catch-up')),
        misfire_grace_ms REAL NOT NULL,
        catch_up_window_ms REAL,
        catch_up_max INTEGER,
        retry TEXT NOT NULL,
        created_at_ms REAL NOT NULL,
        updated_at_ms REAL NOT NULL,
        last_execution_ms REAL,
        next_execution_ms REAL,
        execution_count INTEGER NOT NULL,
        max_executions INTEGER,
        status TEXT NOT NULL CHECK (status IN ('pending', 'running', 'completed', 'failed', 'cancelled')),
        last_error TEXT,
        metadata TEXT NOT NULL,
        schedule_version INTEGER NOT NULL CHECK (schedule_version >= 1),
        high_water_mark_ms INTEGER
      );
      CREATE TABLE executions (
        id TEXT PRIMARY KEY NOT NULL,
        task_id TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
        schedule_version INTEGER NOT NULL,
        nominal_ms INTEGER NOT NULL,
        attempt INTEGER NOT NULL,
        fencing_token INTEGER NOT NULL,
        started_at_ms REAL,
        ended_at_ms REAL,
        outcome TEXT NOT NULL CHECK (outcome IN ('running', 'succeeded', 'failed', 'interrupted', 'skipped', 'cancelled')),
        result TEXT NOT NULL,
        error TEXT NOT NULL,
        skip_reason TEXT,
        state TEXT NOT NULL,
        -- C2: one record per slot, whatever the application does. The column
        -- order also serves history(): a task's slots, newest first.
        UNIQUE (task_id, nominal_ms, schedule_version)
      );
      CREATE INDEX executions_open ON executions (outcome) WHERE outcome IN ('running', 'interrupted');
      CREATE INDEX executions_ended ON executions (ended_at_ms) WHERE outcome IN ${FINAL};
      CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL) WITHOUT ROWID;
      INSERT INTO meta (key, value) VALUES ('fencing_token', 0);
    `,
  },
  {
    version: 2,
    description: "tasks.dst_gap, tasks.dst_overlap: a cron task's daylight-saving policy (NULL, the default, for existing rows)",
    sql: `
      ALTER TABLE tasks ADD COLUMN dst_gap TEXT CHECK (dst_gap IN ('skip', 'run-at-first-valid'));
      ALTER TABLE tasks ADD COLUMN dst_overlap TEXT CHECK (dst_overlap IN ('once', 'both'));
    `,
  },
  {
    version: 3,
    description: 'lease: who owns the store (one row), its epoch fencing every write of the owner (C6)',
    sql: `
      CREATE TABLE lease (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        owner_id TEXT NOT NULL,
        host TEXT NOT NULL,
        pid INTEGER NOT NULL,
        epoch INTEGER NOT NULL CHECK (epoch >= 1),
        since_ms REAL NOT NULL,
        expires_at_ms REAL NOT NULL
      );
    `,
  },
  {
    version: 4,
    description:
      "tasks and executions rebuilt, nothing else changed: value lists checked with OR instead of IN (SQLite builds an IN list's lookup table each time a row is written: half the cost of a task insert); executions clustered on their slot (task_id, nominal_ms, schedule_version) in one B-tree, the id (`<task>/<version>/<nominal>`) computed from it rather than stored and indexed twice",
    sql: `
      CREATE TABLE tasks_v4 (
        id TEXT PRIMARY KEY NOT NULL,
        name TEXT NOT NULL,
        description TEXT,
        owner_module TEXT,
        function_name TEXT NOT NULL,
        params TEXT NOT NULL,
        schedule_kind TEXT NOT NULL
          CHECK (schedule_kind = 'once' OR schedule_kind = 'fixed-rate' OR schedule_kind = 'fixed-delay' OR schedule_kind = 'cron'),
        delay_ms REAL,
        period_ms REAL,
        at_ms REAL,
        cron_expression TEXT,
        time_zone TEXT,
        priority TEXT NOT NULL,
        misfire_policy TEXT NOT NULL CHECK (misfire_policy = 'run-once' OR misfire_policy = 'skip' OR misfire_policy = 'catch-up'),
        misfire_grace_ms REAL NOT NULL,
        catch_up_window_ms REAL,
        catch_up_max INTEGER,
        retry TEXT NOT NULL,
        created_at_ms REAL NOT NULL,
        updated_at_ms REAL NOT NULL,
        last_execution_ms REAL,
        next_execution_ms REAL,
        execution_count INTEGER NOT NULL,
        max_executions INTEGER,
        status TEXT NOT NULL
          CHECK (status = 'pending' OR status = 'running' OR status = 'completed' OR status = 'failed' OR status = 'cancelled'),
        last_error TEXT,
        metadata TEXT NOT NULL,
        schedule_version INTEGER NOT NULL CHECK (schedule_version >= 1),
        high_water_mark_ms INTEGER,
        dst_gap TEXT CHECK (dst_gap = 'skip' OR dst_gap = 'run-at-first-valid'),
        dst_overlap TEXT CHECK (dst_overlap = 'once' OR dst_overlap = 'both')
      );
      INSERT INTO tasks_v4 (rowid, ${TASK_COLUMNS_V4}) SELECT rowid, ${TASK_COLUMNS_V4} FROM tasks;
      CREATE TABLE executions_v4 (
        task_id TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
        schedule_version INTEGER NOT NULL,
        nominal_ms INTEGER NOT NULL,
        attempt INTEGER NOT NULL,
        fencing_token INTEGER NOT NULL,
        started_at_ms REAL,
        ended_at_ms REAL,
        outcome TEXT NOT NULL CHECK (
          outcome = 'running' OR outcome = 'succeeded' OR outcome = 'failed' OR outcome = 'interrupted' OR outcome = 'skipped'
          OR outcome = 'cancelled'
        ),
        result TEXT NOT NULL,
        error TEXT NOT NULL,
        skip_reason TEXT,
        state TEXT NOT NULL,
        -- C2: one record per slot, whatever the application does; the key also orders history(): a task's slots, newest first.
        PRIMARY KEY (task_id, nominal_ms, schedule_version)
      ) WITHOUT ROWID;
      INSERT INTO executions_v4 (${EXECUTION_COLUMNS_V4}) SELECT ${EXECUTION_COLUMNS_V4} FROM executions;
      DROP TABLE executions;
      DROP TABLE tasks;
      ALTER TABLE tasks_v4 RENAME TO tasks;
      ALTER TABLE executions_v4 RENAME TO executions;
      CREATE INDEX executions_open ON executions (outcome) WHERE ${OPEN_OUTCOMES_V4};
      CREATE INDEX executions_ended ON executions (ended_at_ms) WHERE ${FINAL_OUTCOMES_V4};
    `,
    rebuildsTables: true,
  },
  {
    version: 5,
    description: "tasks.timeout_ms: how long one attempt may run (NULL, the scheduler's default, for existing rows)",
    sql: `
      ALTER TABLE tasks ADD COLUMN timeout_ms REAL CHECK (timeout_ms > 0);
    `,
  },
  {
    version: 6,
    description:
      'indexes for task queries (scheduler.tasks()): by status, by owner module, by name, each then by id, so a page is one range scan in id order per status (sqlite/task-query.ts). Module and name are written only by a registration; status moves twice per run (claim, end), so it is the one index a run maintains',
    sql: `
      CREATE INDEX tasks_by_status ON tasks (status, id);
      CREATE INDEX tasks_by_module ON tasks (owner_module, id);
      CREATE INDEX tasks_by_name ON tasks (name, id);
    `,
  },
  {
    version: 7,
    description: 'tasks.constraints: slot constraints as JSON text (NULL, every slot admitted, for existing rows)',
    sql: `
      ALTER TABLE tasks ADD COLUMN constraints TEXT CHECK (constraints IS NULL OR json_valid(constraints));
    `,
  },
  {
    version: 8,
    description:
      "executions' two partial indexes (open executions; ended ones by end time) merged into one, executions_end, keyed by END_KEY_V8: the open ones were a B-tree of their own, rewritten at every claim and completion, one WAL page per commit more (bench/ab/durable-floor.mjs at concurrency 1: 8.0 -> 7.0 pages per commit with the tasks_by_status index of v6, 4.7 -> 3.7 without it)",
    sql: `
      DROP INDEX executions_open;
      DROP INDEX executions_ended;
      CREATE INDEX executions_end ON executions ${END_KEY_V8};
    `,
  },
  {
    version: 9,
    description:
      "tasks.calendar_period, start_at_ms, end_at_ms: a calendar interval ('P1M') and a repeating task's start and end (NULL, none, for existing rows)",
    sql: `
      ALTER TABLE tasks ADD COLUMN calendar_period TEXT;
      ALTER TABLE tasks ADD COLUMN start_at_ms INTEGER;
      ALTER TABLE tasks ADD COLUMN end_at_ms INTEGER CHECK (end_at_ms >= start_at_ms);
    `,
  },
  {
    version: 10,
    description:
      "tasks_by_status (status, id) replaced by tasks_ended, the same key for ended tasks only (completed, failed, cancelled): a run moves its task pending -> running -> pending, and each move rewrote the v6 index's entries (about 3 WAL pages per commit at concurrency 1, +10 us of CPU a job: bench/ab/task-index-ab.mjs); an ended task enters it once. Running tasks are found through executions_end (their open executions), pending ones along the id index (sqlite/task-query.ts)",
    sql: `
      DROP INDEX tasks_by_status;
      CREATE INDEX tasks_ended ON tasks (status, id) WHERE ${ENDED_STATUSES_V10};
    `,
  },
  {
    version: 11,
    description: 'executions.trace_id, executions.span_id: the OpenTelemetry span of a slot\'s first traced attempt (NULL for existing rows)',
    sql: `
      ALTER TABLE executions ADD COLUMN trace_id TEXT;
      ALTER TABLE executions ADD COLUMN span_id TEXT;
    `,
  },
  {
    version: 12,
    description:
      "tasks_by_module holds only the tasks that name an owner module (WHERE owner_module IS NOT NULL): the entries of the others served no query (a query by module compares owner_module with a value, which SQLite reads as implying the condition) and cost every registration an index insert, 1.3 us of the 6.4 us a task row took in one scheduleMany (bench/ab/durable-enqueue-floor.mjs)",
    sql: `
      DROP INDEX tasks_by_module;
      CREATE INDEX tasks_by_module ON tasks (owner_module, id) WHERE owner_module IS NOT NULL;
    `,
  },
]);

export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/**
 * Applies the migrations after `fromVersion`, each in one transaction with its
 * version bump. Several processes may open a new file at once: each migration
 * takes the write lock first (BEGIN IMMEDIATE) and reads the version again
 * under it, so a migration another process applied meanwhile is not applied
 * twice ("table tasks already exists").
 */
export function migrate(db: Database.Database, fromVersion: number): void {
  for (const migration of MIGRATIONS) {
    if (migration.version <= fromVersion) continue;
    // Outside a transaction, where the pragma takes effect (SQLite's "other kinds of table schema changes" procedure).
    const foreignKeys = db.pragma('foreign_keys', { simple: true }) as number;
    if (migration.rebuildsTables && foreignKeys) db.pragma('foreign_keys = OFF');
    try {
      db.transaction(() => {
        if ((db.pragma('user_version', { simple: true }) as number) >= migration.version) return;
        db.exec(migration.sql);
        if (migration.rebuildsTables) {
          const broken = db.pragma('foreign_key_check') as unknown[];
          if (broken.length > 0) throw new Error(`migration ${migration.version}: ${broken.length} rows break a foreign key after the rebuild`);
        }
        // Pragmas take no bound parameters; both values are integers from this file.
        db.pragma(`user_version = ${migration.version}`);
        db.pragma(`application_id = ${APPLICATION_ID}`);
      }).immediate();
    } finally {
      if (migration.rebuildsTables && foreignKeys) db.pragma('foreign_keys = ON');
    }
  }
}
