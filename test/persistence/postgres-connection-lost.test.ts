// A connection the server ends while a store call holds it (a restart in fast
// mode, an administrator's pg_terminate_backend) between two of the call's
// statements: pg reports that as an 'error' event on the client, not on a
// query, and an 'error' event nobody listens to throws, ending the process.
// The chaos campaign found it: a scheduler process SIGSTOPped across the
// database's restart died of it on SIGCONT. The call's next statement must
// fail as a lost connection instead, and the call run again on another one.
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { type PgModule, storeTypes } from '../../src/store/postgres/session.js';
import { inTransaction } from '../../src/store/postgres/transactions.js';
import { usePostgresDatabase } from './postgres-db.js';

const db = usePostgresDatabase('connection_lost');
const pool = new pg.Pool({ connectionString: db.url, max: 2 });
pool.on('error', () => {});
afterAll(() => pool.end());

const BACKEND_PID = { name: 'backend_pid', text: 'SELECT pg_backend_pid() AS pid' };
const ONE = { name: 'one', text: 'SELECT 1 AS one' };

describe('a connection the server ends while a call holds it', () => {
  it('fails the call on that connection, which runs again on another, and the process lives on', async () => {
    const access = { pool, types: storeTypes(pg as unknown as PgModule), where: 'test' };
    let runs = 0;
    const result = await inTransaction(access, undefined, async (session) => {
      runs++;
      if (runs === 1) {
        const { pid } = (await session.row<{ pid: number }>(BACKEND_PID))!;
        await db.query('SELECT pg_terminate_backend($1)', [pid]);
        // The backend sent its FATAL message before it exited: once it is gone, the message is this client's to read.
        while ((await db.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid])).length > 0);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return session.row<{ one: number }>(ONE);
    });
    expect(result).toEqual({ one: 1 });
    expect(runs).toBe(2);
  });
});
