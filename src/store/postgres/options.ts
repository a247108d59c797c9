// PostgresStore's options, checked once when the store is made (a bad option
// throws InvalidArgumentError from the factory, before any connection).
import type { Pool } from 'pg';
import { InvalidArgumentError } from '../../../bindings/errors.js';
import { checkObject, invalid } from '../validate.js';

/** Where the store's database is: a connection string (the store makes and ends its own pool) or a pool of yours. */
export type PostgresConnection =
  | {
      /** A libpq connection URI, e.g. `postgres://user:secret@db.internal:5432/app`. The store makes a pool of up to 10 connections and ends it on close(). */
      connectionString: string;
    }
  | {
      /** A `pg` Pool the store borrows connections from. close() leaves it open: it is yours to end. */
      pool: Pool;
    };

export interface PostgresStoreOptions {
  /**
   * The schema the store's tables live in, created on open() if missing:
   * lowercase letters, digits and underscores, not starting with a digit or
   * `pg_`, at most 63 characters. Two stores in one database with different
   * schemas are independent.
   * @default 'timeslice'
   */
  schema?: string;
  /**
   * For tests only: the clock the store reads instead of the database's
   * `now()` (a VirtualClock, so tests can move time): what is due in cluster
   * mode, when a process's lease expires, and the one-owner lease's times.
   * Production leaves it unset: the database's clock decides what is due
   * and when leases expire, whatever the processes' clocks say (the
   * one-owner lease ignores the nowMs its callers pass).
   * @default the database's clock
   */
  clock?: { wallNow(): number };
  /**
   * Cluster mode only: whether each process holds one connection of its own
   * (outside the pool) that LISTENs for the NOTIFY each offer sends, so a slot
   * due now starts within milliseconds on some process. `false` for a
   * connection through a transaction-mode pooler (PgBouncer's
   * `pool_mode = transaction`, which cannot keep a LISTEN on one server
   * connection): the process then finds new rows by polling, at most
   * `cluster.pollMs` late (default 1 s). Either way the store still sends its
   * NOTIFYs, so processes that do listen wake for its offers.
   * @default true
   * @example postgresStore({ connectionString: process.env.PGBOUNCER_URL! }, { listen: false })
   */
  listen?: boolean;
}

export interface PostgresSettings {
  connectionString: string | undefined;
  pool: Pool | undefined;
  schema: string;
  clock: { wallNow(): number } | undefined;
  listen: boolean;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export function resolvePostgresOptions(connection: unknown, options: unknown): PostgresSettings {
  checkObject(connection, 'connection');
  for (const key of Object.keys(connection)) {
    if (key !== 'connectionString' && key !== 'pool') {
      throw new InvalidArgumentError(`connection.${key} is not a PostgresStore connection option (known: connectionString, pool)`);
    }
  }
  const { connectionString, pool } = connection;
  if ((connectionString === undefined) === (pool === undefined)) {
    throw new InvalidArgumentError('connection must have exactly one of connectionString (a PostgreSQL URI) and pool (a pg Pool)');
  }
  if (connectionString !== undefined && (typeof connectionString !== 'string' || connectionString.length === 0)) {
    throw invalid('connection.connectionString', 'a non-empty PostgreSQL connection URI', connectionString);
  }
  if (pool !== undefined && (typeof pool !== 'object' || pool === null || typeof (pool as Pool).connect !== 'function')) {
    throw invalid('connection.pool', 'a pg Pool (an object with connect())', pool);
  }
  const o = options ?? {};
  checkObject(o, 'options');
  for (const key of Object.keys(o)) {
    if (key !== 'schema' && key !== 'clock' && key !== 'listen') {
      throw new InvalidArgumentError(`options.${key} is not a PostgresStore option (known: schema, clock, listen)`);
    }
  }
  const schema = o.schema ?? 'timeslice';
  if (typeof schema !== 'string' || !SCHEMA_NAME.test(schema) || schema.startsWith('pg_')) {
    throw invalid('options.schema', "a schema name of lowercase letters, digits and '_' (1 to 63, not starting with a digit or 'pg_')", schema);
  }
  const clock = o.clock as { wallNow?: unknown } | undefined;
  if (clock !== undefined && (typeof clock !== 'object' || clock === null || typeof clock.wallNow !== 'function')) {
    throw invalid('options.clock', 'an object with a wallNow() method (a Clock)', clock);
  }
  if (o.listen !== undefined && typeof o.listen !== 'boolean') throw invalid('options.listen', 'true or false', o.listen);
  return {
    connectionString: connectionString as string | undefined, pool: pool as Pool | undefined, schema, clock: clock as PostgresSettings['clock'],
    listen: (o.listen as boolean | undefined) ?? true,
  };
}
