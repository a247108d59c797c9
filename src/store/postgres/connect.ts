// The store's connection to the server: the `pg` module and the pool open()
// works with, and the settings a LISTEN connection of its own is made from.
// Moved here from postgres-store.ts (its #open and watchOffers) to keep that
// file to the store's shape.
//
// `pg` is an optional peer dependency, loaded only here, by open(): without
// it, open() rejects with MissingDependencyError naming the package. A pool
// the store makes is its own (ended on close()); a pool you pass stays yours.
import type { Pool } from 'pg';
import { requirePeer } from '../../require-peer.js';
import type { PostgresSettings } from './options.js';
import type { PgModule } from './session.js';

/** What an open store works with. */
export interface Connected {
  pool: Pool;
  pg: PgModule;
}

/** Loads `pg` and makes the pool (or takes yours); `owned` when the store made it. */
export function connect(settings: PostgresSettings): Connected & { owned: boolean } {
  const pg = requirePeer<PgModule>('pg', 'the PostgreSQL store (timeslice/store/postgres)');
  const owned = settings.pool === undefined;
  // allowExitOnIdle: idle connections do not keep the process alive (SqliteStore holds no handle either).
  // pipeline: statements sent together share a round trip (session.ts).
  const pool = settings.pool ?? new pg.Pool({ connectionString: settings.connectionString, max: 10, allowExitOnIdle: true, pipeline: true } as ConstructorParameters<typeof pg.Pool>[0]);
  // An idle connection that breaks emits 'error' on the pool, which would crash the process unheard; the next call reports it instead.
  if (owned) pool.on('error', () => {});
  return { pool, pg, owned };
}

/** The settings of a client outside the pool (a LISTEN connection): a pool of yours, its own settings (pg keeps them as `options`). */
export function clientConfig(settings: PostgresSettings, pool: Pool): object {
  return settings.pool === undefined ? { connectionString: settings.connectionString } : { ...(pool as unknown as { options: object }).options };
}
