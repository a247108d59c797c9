// The SQLite schema, as numbered migrations. `PRAGMA user_version` records the
// last one applied; open() applies the rest, each in its own transaction
// together with the version bump, so a crash mid-migration leaves the
// previous version intact. A migration is never edited once released: a
// change is a new migration appended to the list.
//
// Columns are the StoredTask / StoredExecution fields in snake_case (codec.ts
// lists them in order). Times are REAL ms since the epoch, except the nominal
// times that identify slots, which are INTEGER. JSON fields are TEXT.
import type Database from 'better-sqlite3';

/** Marks a database as timeslice's (`PRAGMA application_id`): 'TSLC'. */
export const APPLICATION_ID = 0x54534c43;

export interface Migration {
  version: number;
  description: string;
  sql: string;
}

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
    db.transaction(() => {
      if ((db.pragma('user_version', { simple: true }) as number) >= migration.version) return;
      db.exec(migration.sql);
      // Pragmas take no bound parameters; both values are integers from this file.
      db.pragma(`user_version = ${migration.version}`);
      db.pragma(`application_id = ${APPLICATION_ID}`);
    }).immediate();
  }
}
