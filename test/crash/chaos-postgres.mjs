// The chaos campaign's own PostgreSQL server: the campaign restarts its
// database in the middle, and the machine's shared server (127.0.0.1:5432)
// serves every other test file running at the same time, so the campaign
// makes a server of its own: initdb into a temporary directory, its own port
// and socket directory, fsync on, run as the `postgres` user (the server
// refuses to run as root). That needs root (runuser) and PostgreSQL 15's
// binaries, as on CI (Debian, postgresql-15). Without them it falls back to
// a fresh database on the shared server, and no restart (`restart` is null):
// the report says so.
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const PG_BIN = '/usr/lib/postgresql/15/bin';
const SHARED_SERVER = 'postgres://postgres@127.0.0.1:5432';

/** A port nobody listens on now (the kernel's pick). */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Runs a PostgreSQL binary as the postgres user; throws with its output when it fails. */
function asPostgres(binary, args) {
  const run = spawnSync('runuser', ['-u', 'postgres', '--', join(PG_BIN, binary), ...args], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`${binary} ${args.join(' ')} failed (${run.status}): ${run.stderr}${run.stdout}`);
}

/** asPostgres without blocking the event loop: the campaign's timers (kills, pauses) go on meanwhile. */
async function asPostgresAsync(binary, args) {
  await promisify(execFile)('runuser', ['-u', 'postgres', '--', join(PG_BIN, binary), ...args], { encoding: 'utf8' });
}

/** Whether this process can run a server of its own (root, PostgreSQL 15 installed, a postgres user). */
export function ownServerPossible() {
  if (process.getuid?.() !== 0 || !existsSync(join(PG_BIN, 'pg_ctl'))) return false;
  return spawnSync('id', ['-u', 'postgres']).status === 0;
}

/**
 * Starts the campaign's database. Returns { connectionString, own, restart,
 * stop }: `restart()` (null on the shared server) stops the server in fast
 * mode (clients cut off) and starts it again, resolving { downAtMs, upAtMs };
 * `stop()` stops and deletes it (or drops the database on the shared server).
 */
export async function startCampaignDatabase() {
  if (!ownServerPossible()) return sharedDatabase();
  const dir = mkdtempSync(join(tmpdir(), 'timeslice-chaos-pg-'));
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }));
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }));
  chownSync(dir, uid, gid);
  const data = join(dir, 'data');
  const port = await freePort();
  // fsync on (the default, said anyway): a committed end must survive the restart as it would a crash.
  const serverOptions = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=on -c synchronous_commit=on -c max_connections=200 -c shared_buffers=32MB`;
  const pgCtl = (...args) => asPostgres('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '60', ...args]);
  try {
    // initdb's own files need no fsync (a crash here fails the campaign anyway); the server's writes do.
    asPostgres('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
    pgCtl('-o', serverOptions, 'start');
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    connectionString: `postgres://postgres@127.0.0.1:${port}/postgres`,
    own: true,
    description: `its own PostgreSQL 15 server (initdb in a temporary directory, port ${port}, fsync on)`,
    async restart() {
      const downAtMs = Date.now();
      const ctl = ['-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '60'];
      await asPostgresAsync('pg_ctl', [...ctl, '-m', 'fast', 'stop']);
      const stoppedAtMs = Date.now();
      await asPostgresAsync('pg_ctl', [...ctl, '-o', serverOptions, 'start']);
      return { downAtMs, stoppedAtMs, upAtMs: Date.now() };
    },
    async stop() {
      try {
        pgCtl('-m', 'immediate', 'stop');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

async function sharedDatabase() {
  const name = `timeslice_chaos_${process.pid}`;
  const admin = new pg.Client({ connectionString: `${SHARED_SERVER}/test` });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name}`);
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return {
    connectionString: `${SHARED_SERVER}/${name}`,
    own: false,
    description: `a fresh database on the shared server (${SHARED_SERVER}); not root or no PostgreSQL 15 binaries, so no restart`,
    restart: null,
    async stop() {
      const client = new pg.Client({ connectionString: `${SHARED_SERVER}/test` });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
