// Opening a SQLite database for SqliteStore, and turning SQLite's errors into
// the store's typed errors. Order matters on open: the file is checked before
// SQLite touches it (file-check.ts), the pragmas that only read come before
// anything that writes, and a database that belongs to another application
// is refused before a migration could add tables to it.
import type Database from 'better-sqlite3';
import { TimesliceError } from '../../../bindings/errors.js';
import { requirePeer } from '../../require-peer.js';
import { StoreCorruptError, StoreError, StoreFullError, StoreSchemaTooNewError } from '../errors.js';
import { checkDatabaseFile } from './file-check.js';
import { APPLICATION_ID, LATEST_SCHEMA_VERSION, migrate } from './schema.js';

/** `PRAGMA synchronous` levels offered: OFF is not, since it can corrupt the database on power loss. */
export type SynchronousLevel = 'normal' | 'full' | 'extra';

export interface OpenSettings {
  path: string;
  synchronous: SynchronousLevel;
  busyTimeoutMs: number;
  maxPageCount: number | null;
  integrityCheck: 'none' | 'quick' | 'full';
}

/** SQLite's own ceiling for max_page_count: what "no limit" sets it back to. */
export const UNLIMITED_PAGES = 4_294_967_294;

const isMemory = (path: string) => path === ':memory:' || path === '';

/** The typed error for anything a SQLite call threw; TimesliceErrors pass through. */
export function translateError(error: unknown, path: string): Error {
  if (TimesliceError.is(error)) return error as Error;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
      return new StoreCorruptError(path, `SQLite reports ${code}: ${(error as Error).message}`, { cause: error });
    }
    if (code === 'SQLITE_FULL' || code === 'SQLITE_IOERR_WRITE' && /disk|space/i.test((error as Error).message)) {
      return new StoreFullError(path, { cause: error });
    }
  }
  const message = error instanceof Error ? error.message : String(error);
  return new StoreError(`${path}: ${message}`, { cause: error });
}

function checkOwnership(db: Database.Database, path: string): number {
  const applicationId = db.pragma('application_id', { simple: true }) as number;
  const userVersion = db.pragma('user_version', { simple: true }) as number;
  if (applicationId !== 0 && applicationId !== APPLICATION_ID) {
    throw new StoreCorruptError(path, `an SQLite database of another application (application_id ${applicationId})`);
  }
  if (applicationId === 0) {
    const tables = db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE type = 'table'").get() as { n: number };
    if (tables.n > 0) throw new StoreCorruptError(path, `an SQLite database of another application (${tables.n} tables, no timeslice marker)`);
  }
  if (userVersion > LATEST_SCHEMA_VERSION) {
    throw new StoreSchemaTooNewError(
      `${path}: schema version ${userVersion} was written by a newer timeslice; this one knows up to ${LATEST_SCHEMA_VERSION}`,
    );
  }
  return userVersion;
}

function checkIntegrity(db: Database.Database, path: string, level: 'quick' | 'full'): void {
  const rows = db.pragma(level === 'quick' ? 'quick_check' : 'integrity_check', { simple: false }) as Array<Record<string, string>>;
  const problems = rows.map((row) => Object.values(row)[0]).filter((text) => text !== 'ok');
  if (problems.length > 0) throw new StoreCorruptError(path, `${level}_check: ${problems.slice(0, 3).join('; ')}`);
}

/** Opens, checks and migrates the database; the connection is closed again if any step fails. */
export function openDatabase(settings: OpenSettings): { db: Database.Database; schemaVersion: number } {
  const { path } = settings;
  if (!isMemory(path)) checkDatabaseFile(path);
  let db: Database.Database | undefined;
  try {
    const Driver = requirePeer<typeof Database>('better-sqlite3', 'the SQLite store (timeslice/store/sqlite)');
    db = new Driver(path);
    // Another process opening the same new file may be creating the schema right now: wait for its lock.
    db.pragma(`busy_timeout = ${Math.round(settings.busyTimeoutMs)}`);
    // Read-only steps first: a file that is not ours fails here, before anything is written to it. One read
    // transaction, so the marker and the tables are seen as of one commit (not before and after another's migration).
    const connection = db;
    const fromVersion = connection.transaction(() => checkOwnership(connection, path)).deferred();
    if (settings.integrityCheck !== 'none') checkIntegrity(db, path, settings.integrityCheck);
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${settings.synchronous.toUpperCase()}`);
    db.pragma('foreign_keys = ON');
    db.pragma(`max_page_count = ${settings.maxPageCount ?? UNLIMITED_PAGES}`);
    migrate(db, fromVersion);
    return { db, schemaVersion: LATEST_SCHEMA_VERSION };
  } catch (error) {
    db?.close();
    throw translateError(error, path);
  }
}
