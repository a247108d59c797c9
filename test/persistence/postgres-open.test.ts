// What PostgresStore does beyond the contract: its schema made once by N
// processes starting together, schemas it refuses, its options, whose pool
// close() ends, and several instances writing the same slots at once.
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { LATEST_POSTGRES_SCHEMA_VERSION, PostgresStore, postgresStore } from '../../src/store/postgres-store.js';
import { Session } from '../../src/store/postgres/session.js';
import type { ClaimResult } from '../../src/store/store.js';
import { task } from './contract/harness.js';
import { usePostgresDatabase } from './postgres-db.js';

const db = usePostgresDatabase('store_open');

describe('PostgresStore schema', () => {
  it('is created once when four stores open a fresh database at the same moment', async () => {
    // The default schema, in a database nobody has opened yet.
    const stores = Array.from({ length: 4 }, () => postgresStore({ connectionString: db.url }));
    const infos = await Promise.all(stores.map((store) => store.open()));
    expect(infos).toEqual(Array.from({ length: 4 }, () => ({ schemaVersion: LATEST_POSTGRES_SCHEMA_VERSION })));
    const rows = await db.query<{ version: number; pids: string }>(
      'SELECT count(*)::int AS version, count(DISTINCT applied_by_pid)::int AS pids FROM timeslice.migrations',
    );
    // Every migration applied exactly once, all by one of the four connections.
    expect(rows).toEqual([{ version: LATEST_POSTGRES_SCHEMA_VERSION, pids: 1 }]);
    await stores[0]!.putTasks([task('t')]);
    expect((await stores[3]!.getTask('t'))?.id).toBe('t');
    await Promise.all(stores.map((store) => store.close()));
  });

  it('refuses a schema of a newer timeslice with StoreSchemaTooNewError, and one of another application with StoreCorruptError, writing nothing', async () => {
    const newer = db.nextSchema();
    const first = postgresStore({ connectionString: db.url }, { schema: newer });
    await first.open();
    await first.close();
    await db.query(`INSERT INTO ${newer}.migrations (version, description) VALUES ($1, 'from the future')`, [LATEST_POSTGRES_SCHEMA_VERSION + 1]);
    const again = postgresStore({ connectionString: db.url }, { schema: newer });
    await expect(again.open()).rejects.toMatchObject({ code: 'ERR_STORE_SCHEMA_TOO_NEW', message: expect.stringContaining(`schema version ${LATEST_POSTGRES_SCHEMA_VERSION + 1}`) });
    await again.close();

    const foreign = db.nextSchema();
    await db.query(`CREATE SCHEMA ${foreign}`);
    await db.query(`CREATE TABLE ${foreign}.orders (id int)`);
    const store = postgresStore({ connectionString: db.url }, { schema: foreign });
    await expect(store.open()).rejects.toMatchObject({ code: 'ERR_STORE_CORRUPT', message: expect.stringContaining('another application') });
    await store.close();
    const tables = await db.query<{ tablename: string }>('SELECT tablename FROM pg_tables WHERE schemaname = $1', [foreign]);
    expect(tables).toEqual([{ tablename: 'orders' }]);
  });

  it('rejects open() with StoreError naming the store when the server cannot be reached', async () => {
    const store = postgresStore({ connectionString: 'postgres://postgres@127.0.0.1:1/none' });
    await expect(store.open()).rejects.toMatchObject({ code: 'ERR_STORE', message: expect.stringMatching(/^PostgreSQL schema "timeslice": .*ECONNREFUSED/) });
    await expect(store.putTasks([task('t')])).rejects.toMatchObject({ code: 'ERR_STORE_CLOSED' });
    await store.close();
  });
});

describe('PostgresStore options', () => {
  it('refuses bad connections and options with InvalidArgumentError when made', () => {
    const url = { connectionString: db.url };
    expect(() => postgresStore({} as never)).toThrow(/connection must have exactly one of connectionString .* and pool/);
    expect(() => postgresStore({ connectionString: db.url, pool: {} } as never)).toThrow(/exactly one of/);
    expect(() => postgresStore({ connectionString: '' })).toThrow(/connection.connectionString must be a non-empty PostgreSQL connection URI, received ''/);
    expect(() => postgresStore({ pool: 5 } as never)).toThrow(/connection.pool must be a pg Pool .*received 5/);
    expect(() => postgresStore({ url: 'x' } as never)).toThrow(/connection.url is not a PostgresStore connection option/);
    expect(() => postgresStore(url, { schema: 'Jobs' })).toThrow(/options.schema must be a schema name .*received 'Jobs'/);
    expect(() => postgresStore(url, { schema: 'pg_jobs' })).toThrow(/options.schema must be/);
    expect(() => postgresStore(url, { schema: 'a"; DROP' })).toThrow(/options.schema must be/);
    expect(() => postgresStore(url, { schema: 'x'.repeat(64) })).toThrow(/options.schema must be/);
    expect(() => postgresStore(url, { prefix: 'x' } as never)).toThrow(/options.prefix is not a PostgresStore option \(known: schema, clock, listen\)/);
    expect(() => postgresStore(url, { schema: 'x'.repeat(63) })).not.toThrow();
    expect(postgresStore(url)).toBeInstanceOf(PostgresStore);
    expect(postgresStore(url).schema).toBe('timeslice');
  });

  it('close() ends the pool the store made, and leaves a pool it was given open', async () => {
    const application = `timeslice_owned_${process.pid}`;
    const owned = postgresStore({ connectionString: `${db.url}?application_name=${application}` }, { schema: db.nextSchema() });
    await owned.open();
    const connections = () => db.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1', [application]);
    expect((await connections())[0]!.n).toBeGreaterThan(0);
    await owned.close();
    // The server drops a backend shortly after its client says goodbye.
    for (let i = 0; i < 50 && (await connections())[0]!.n > 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await connections()).toEqual([{ n: 0 }]);

    const pool = new pg.Pool({ connectionString: db.url, max: 2 });
    const borrowing = postgresStore({ pool }, { schema: db.nextSchema() });
    await borrowing.open();
    await borrowing.putTasks([task('t')]);
    await borrowing.close();
    expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    await pool.end();
  });
});

describe('PostgresStore instances writing at once', () => {
  it('claim each slot once when four instances claim the same 50 slots at the same moment (C2, C4), with tokens unique', async () => {
    const schema = db.nextSchema();
    const stores = Array.from({ length: 4 }, () => postgresStore({ connectionString: db.url }, { schema }));
    await Promise.all(stores.map((store) => store.open()));
    await stores[0]!.putTasks([task('a'), task('b')]);
    const slots = Array.from({ length: 50 }, (_, i) => ({ taskId: i % 2 === 0 ? 'a' : 'b', scheduleVersion: 1, nominalMs: 1000 * (i + 1), startedAtMs: 1 }));
    // Each instance in its own order: the batch's task rows are locked in id order all the same, so none deadlocks.
    const orders = [slots, [...slots].reverse(), [...slots.slice(25), ...slots.slice(0, 25)], [...slots.slice(10), ...slots.slice(0, 10)]];
    const results: ClaimResult[][] = await Promise.all(stores.map((store, i) => store.claim(orders[i]!)));
    const claimed = results.flat().filter((r) => r.status === 'claimed');
    expect(claimed.map((r) => r.execution.id).sort()).toEqual(slots.map((s) => `${s.taskId}/1/${s.nominalMs}`).sort());
    expect(new Set(claimed.map((r) => r.execution.fencingToken)).size).toBe(50);
    // Every other request is reported as a duplicate of the one record its slot has.
    expect(results.flat().filter((r) => r.status === 'duplicate').length).toBe(150);
    expect((await stores[1]!.unfinishedExecutions()).length).toBe(50);
    expect(await stores[2]!.highWaterMarks()).toEqual(new Map([['a', 49_000], ['b', 50_000]]));
    await Promise.all(stores.map((store) => store.close()));
  });
});

describe('PostgresStore over lost connections', () => {
  it('runs a call again on a new connection when its connection was lost before COMMIT was sent (a server restart, a killed backend)', async () => {
    const application = `timeslice_lost_${process.pid}`;
    const store = postgresStore({ connectionString: `${db.url}?application_name=${application}` }, { schema: db.nextSchema() });
    await store.open();
    await store.putTasks([task('before')]);
    for (const round of [1, 2, 3]) {
      // Every connection of the store's pool ends, as at a server restart; the pool still holds them, idle.
      const killed = await db.query<{ ok: boolean }>('SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = $1', [application]);
      expect(killed.length, `round ${round}: connections to end`).toBeGreaterThan(0);
      await store.putTasks([task(`after-${round}`)]);
      expect((await store.getTask(`after-${round}`))?.id).toBe(`after-${round}`);
    }
    expect((await store.getTask('before'))?.id).toBe('before');
    await store.close();
  });

  it('rejects with StoreOutcomeUnknownError, and does not run the call again, when the connection was lost during COMMIT', async () => {
    const store = postgresStore({ connectionString: db.url }, { schema: db.nextSchema() });
    await store.open();
    const commit = Session.prototype.commit;
    let commits = 0;
    // The COMMIT goes through; its answer is lost, as when the connection drops after the server committed.
    Session.prototype.commit = async function (this: Session) {
      await commit.call(this);
      commits++;
      throw new Error('Connection terminated unexpectedly');
    };
    try {
      await expect(store.putTasks([task('maybe')])).rejects.toMatchObject({ code: 'ERR_STORE_OUTCOME_UNKNOWN', name: 'StoreOutcomeUnknownError' });
    } finally {
      Session.prototype.commit = commit;
    }
    expect(commits).toBe(1);
    expect((await store.getTask('maybe'))?.id).toBe('maybe');
    await store.close();
  });
});
