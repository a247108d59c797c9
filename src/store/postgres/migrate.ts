// Creating and migrating a store's schema, on open(). Several processes may
// open the same new database at once (replicas of one deployment starting
// together): all of it runs in one transaction that first takes a
// transaction-scoped advisory lock named after the schema, so one of them
// creates or migrates the schema and the others, waiting on the lock, then
// find it at the latest version and do nothing. A failed migration rolls back
// whole (PostgreSQL's DDL is transactional): the schema stays at its version.
//
// A schema that exists but was not made by timeslice (tables and no
// `migrations` table) is refused before anything is written to it, as SQLite
// refuses a file of another application.
import { StoreCorruptError, StoreSchemaTooNewError } from '../errors.js';
import { LATEST_POSTGRES_SCHEMA_VERSION, MIGRATIONS } from './schema.js';
import { type Session, statement } from './session.js';

/** A double-quoted identifier (the schema name is checked already: lowercase letters, digits, underscores). */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

const LOCK = statement("SELECT pg_advisory_xact_lock(hashtextextended('timeslice.migrate:' || $1::text, 0))");
const TABLES = statement('SELECT count(*) AS n, bool_or(tablename = \'migrations\') AS ours FROM pg_tables WHERE schemaname = $1');

/**
 * Brings the schema to the latest version inside the session's open
 * transaction; resolves to the version it is at. Rejects with
 * StoreSchemaTooNewError for a schema of a newer timeslice, StoreCorruptError
 * for a schema of someone else.
 */
export async function migrate(session: Session, schema: string, where: string): Promise<number> {
  const s = quoteIdent(schema);
  await session.rows(LOCK, [schema]);
  const tables = await session.row<{ n: number; ours: boolean | null }>(TABLES, [schema]);
  let version = 0;
  if (tables !== undefined && tables.n > 0) {
    if (tables.ours !== true) {
      throw new StoreCorruptError(where, `schema ${s} holds ${tables.n} tables and no timeslice migrations table: another application's`);
    }
    version = (await session.row<{ version: number | null }>(statement(`SELECT max(version) AS version FROM ${s}.migrations`)))?.version ?? 0;
  }
  if (version > LATEST_POSTGRES_SCHEMA_VERSION) {
    throw new StoreSchemaTooNewError(`${where}: schema version ${version} was written by a newer timeslice; this one knows up to ${LATEST_POSTGRES_SCHEMA_VERSION}`);
  }
  if (version === LATEST_POSTGRES_SCHEMA_VERSION) return version;
  if (version === 0) {
    await session.exec(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    // Who applied each migration and when: for operators, and for the test that N processes starting together migrate once.
    await session.exec(`CREATE TABLE ${s}.migrations (
      version integer PRIMARY KEY,
      description text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now(),
      applied_by_pid integer NOT NULL DEFAULT pg_backend_pid()
    )`);
  }
  const record = statement(`INSERT INTO ${s}.migrations (version, description) VALUES ($1, $2)`);
  for (let i = version; i < MIGRATIONS.length; i++) {
    const migration = MIGRATIONS[i]!;
    await session.exec(migration.sql.replaceAll('{s}', s));
    await session.run(record, [i + 1, migration.description]);
  }
  return LATEST_POSTGRES_SCHEMA_VERSION;
}
