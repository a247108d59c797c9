// A PostgreSQL database per test file: created under a unique name before the
// file's tests and dropped after them, so test files (and their runs in
// parallel) never share data. The server is the one CI and every machine here
// run: 127.0.0.1:5432, user postgres, trust auth (TIMESLICE_TEST_POSTGRES_URL
// names another; its database must exist: it is where CREATE DATABASE runs).
// An unreachable server fails the file, loudly: it is not a skip.
//
// Inside one database, each store location is a schema of its own
// (nextSchema()): making one costs nothing, and the database's drop removes them all.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';

export const ADMIN_URL = process.env.TIMESLICE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  /** The connection URI of the file's database (valid inside its tests). */
  readonly url: string;
  /** A schema name no other location in this database has. */
  nextSchema(): string;
  /** Runs one statement on the file's database (for the tests' own checks). */
  query<Row = Record<string, unknown>>(text: string, values?: unknown[]): Promise<Row[]>;
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `PostgreSQL is not reachable at ${ADMIN_URL} (${(error as Error).message}); start it (pg_ctlcluster --skip-systemctl-redirect <version> main start) or set TIMESLICE_TEST_POSTGRES_URL`,
      { cause: error },
    );
  }
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * Ends `pool` once its connections have closed. pg-pool's end() resolves as
 * soon as it has asked its idle clients to close, before their connections
 * are gone: a DROP DATABASE ... WITH (FORCE) right after it terminated a
 * backend still open, whose FATAL 57P01 reached the client's idle listener
 * and became the pool's 'error' with no listener, an uncaught exception that
 * failed the run (seen under `npm run test:load`, in postgres-cluster.test.ts).
 * Each client closed is a 'remove' event.
 */
async function endPool(pool: pg.Pool): Promise<void> {
  let open = pool.totalCount;
  const closed = new Promise<void>((resolve) => {
    if (open === 0) resolve();
    pool.on('remove', () => {
      if (--open === 0) resolve();
    });
  });
  await pool.end();
  await closed;
}

/** Registers the create (beforeAll) and drop (afterAll) of this file's database. */
export function usePostgresDatabase(label: string): TestDatabase {
  const name = `timeslice_${label.replace(/[^a-z0-9_]/g, '_')}_${process.pid}_${randomBytes(4).toString('hex')}`;
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  let schemas = 0;
  let pool: pg.Pool | undefined;
  beforeAll(async () => {
    await admin(async (client) => {
      await client.query(`CREATE DATABASE "${name}"`);
      // A commit here does not wait for the WAL's flush (6.6 ms against 0.3 on this
      // machine's disk). What that gives up is a commit lost if the server itself
      // crashes; no test crashes this shared server (the chaos campaign runs one of its
      // own, with synchronous commits), and a killed client or backend loses nothing.
      await client.query(`ALTER DATABASE "${name}" SET synchronous_commit = off`);
    });
  });
  afterAll(async () => {
    if (pool !== undefined) await endPool(pool);
    await admin((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
  });
  return {
    url: url.toString(),
    nextSchema: () => `s${++schemas}`,
    async query(text, values) {
      pool ??= new pg.Pool({ connectionString: url.toString(), max: 2 });
      return (await pool.query(text, values)).rows;
    },
  };
}
