// The PostgreSQL server every implementation of the postgres suite shares
// (127.0.0.1:5432, user postgres, trust auth: the server issue 13 names), and
// a fresh database for every repetition, dropped after it, so no run sees
// another's tables, dead tuples or statistics.
import pg from 'pg';

const HOST = process.env.PGBENCH_HOST ?? '127.0.0.1';
const PORT = Number(process.env.PGBENCH_PORT ?? 5432);
const USER = process.env.PGBENCH_USER ?? 'postgres';

export const connectionStringFor = (database) => `postgres://${USER}@${HOST}:${PORT}/${database}`;

let databases = 0;

/** A database name no other run of this machine uses: the pid, a counter and the case. */
function freshName(label) {
  const safe = label.toLowerCase().replace(/[^a-z0-9]+/g, '_').slice(0, 30);
  return `tsbench_${process.pid}_${++databases}_${safe}`;
}

/** Runs `fn(client)` with a client on the server's `postgres` database (CREATE and DROP DATABASE run there). */
async function withAdmin(fn) {
  const client = new pg.Client({ connectionString: connectionStringFor('postgres') });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * The server's version and the settings that decide what a commit costs, or a
 * thrown Error saying the server is not there (the suite needs it; `.ci/run`
 * starts it).
 */
export async function serverFacts() {
  try {
    return await withAdmin(async (client) => {
      const setting = async (name) => (await client.query(`SELECT current_setting($1) AS v`, [name])).rows[0].v;
      return {
        version: await setting('server_version'),
        fsync: await setting('fsync'),
        synchronousCommit: await setting('synchronous_commit'),
        sharedBuffers: await setting('shared_buffers'),
        maxConnections: Number(await setting('max_connections')),
      };
    });
  } catch (error) {
    throw new Error(`postgres suite: no PostgreSQL at ${HOST}:${PORT} as ${USER} (${error.message}); start it (.ci/run does) and retry`);
  }
}

/** CREATE DATABASE; resolves to {name, connectionString, drop()}. drop() forces out connections left behind. */
export async function createDatabase(label) {
  const name = freshName(label);
  await withAdmin((client) => client.query(`CREATE DATABASE ${name}`));
  const drop = () => withAdmin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  return { name, connectionString: connectionStringFor(name), drop };
}
