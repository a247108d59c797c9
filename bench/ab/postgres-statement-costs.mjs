// Where the PostgreSQL backends' time goes per job, by statement: one throughput
// case of bench/suites/postgres/smoke.mjs (timeslice, 4 workers in one process)
// against a server of its own (initdb in a temporary directory, fsync on) with
// pg_stat_statements loaded, which the shared server has not. Prints, per
// statement, its calls and per job its execution time, WAL records and WAL
// bytes (registration's statements included: they run before the timed
// region), then each table's inserts, updates, HOT updates and deletes
// (pg_stat_user_tables, read while the case's database exists: its figures
// lag by up to a second, so read the ratios, not the counts). Internals, one
// run: compare two checkouts by running it on each, in turn, more than once.
// Usage: node bench/ab/postgres-statement-costs.mjs [--dir .] [--mode perjob] [--n 10000] [--top 12]
//        (the checkout built: npm run build; needs root and PostgreSQL 15 binaries, as the chaos campaign's server)
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';

const { values } = parseArgs({
  options: { dir: { type: 'string', default: '.' }, mode: { type: 'string', default: 'perjob' }, n: { type: 'string', default: '10000' }, top: { type: 'string', default: '12' } },
});
const n = Number(values.n);
const PG_BIN = '/usr/lib/postgresql/15/bin';

const asPostgres = (binary, args) => {
  const run = spawnSync('runuser', ['-u', 'postgres', '--', join(PG_BIN, binary), ...args], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`${binary} failed (${run.status}): ${run.stderr}${run.stdout}`);
};
const freePort = () =>
  new Promise((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });

const dir = mkdtempSync(join(tmpdir(), 'timeslice-pgss-'));
chownSync(dir, Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })), Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })));
const data = join(dir, 'data');
const port = await freePort();
const pgCtl = (...args) => asPostgres('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '60', ...args]);
asPostgres('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
pgCtl('-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=on -c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all`, 'start');
const admin = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres` });
try {
  await admin.connect();
  await admin.query('CREATE EXTENSION pg_stat_statements');
  await admin.query('SELECT pg_stat_statements_reset()');
  // The case's tables, read until its database is dropped (the last reading kept).
  let tables = [];
  let polling = true;
  const poll = (async () => {
    while (polling) {
      const db = (await admin.query(`SELECT datname FROM pg_database WHERE datname LIKE 'tsbench%timeslice%'`)).rows[0]?.datname;
      if (db !== undefined) {
        const client = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/${db}` });
        try {
          await client.connect();
          const rows = (await client.query(`SELECT relname, n_tup_ins AS ins, n_tup_upd AS upd, n_tup_hot_upd AS hot, n_tup_del AS del FROM pg_stat_user_tables
            WHERE schemaname = 'timeslice' AND (n_tup_ins + n_tup_upd + n_tup_del) > 0 ORDER BY relname`)).rows;
          if (rows.length > 0) tables = rows;
        } catch {
          // Dropped meanwhile.
        } finally {
          await client.end().catch(() => {});
        }
      }
      await new Promise((done) => setTimeout(done, 250));
    }
  })();
  const out = await new Promise((done, fail) =>
    execFile(process.execPath, ['bench/suites/postgres/smoke.mjs', '--impl', 'timeslice', '--mode', values.mode, '--n', values.n, '--samples', '0'], {
      cwd: resolve(values.dir), env: { ...process.env, PGBENCH_PORT: String(port) }, encoding: 'utf8', maxBuffer: 1 << 24,
    }, (error, stdout) => (error ? fail(error) : done(stdout))));
  polling = false;
  await poll;
  const run = JSON.parse(out.trim().split('\n').at(-1)).runs.find((r) => r.kind === 'throughput');
  console.log(`${values.dir} w4 ${values.mode}, n=${n}: ${Math.round(run.jobsPerSec)} jobs/s, CPU/job ${Math.round(run.totalCpuNsPerJob / 1000)} us (process ${Math.round(run.clientCpuNsPerJob / 1000)} + backends ${Math.round(run.serverCpuNsPerJob / 1000)})`);
  const statements = (await admin.query(`SELECT calls, total_exec_time AS ms, wal_records AS wal, wal_bytes AS bytes, regexp_replace(query, '\\s+', ' ', 'g') AS text
    FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat%' AND query !~* '^(CREATE|DROP|ALTER)' ORDER BY total_exec_time DESC`)).rows;
  const total = statements.reduce((sum, s) => sum + s.ms, 0);
  console.log(`statements: ${(total * 1000 / n).toFixed(1)} us of execution per job in all; the first ${values.top}:`);
  console.log('   calls   us/job  WAL rec/job  WAL B/job  statement');
  for (const s of statements.slice(0, Number(values.top))) {
    console.log(`${String(s.calls).padStart(8)} ${(s.ms * 1000 / n).toFixed(1).padStart(8)} ${(Number(s.wal) / n).toFixed(2).padStart(12)} ${Math.round(Number(s.bytes) / n).toString().padStart(10)}  ${s.text.slice(0, 90)}`);
  }
  console.log('tables (ins / upd / HOT upd / del):');
  for (const t of tables) console.log(`  ${t.relname}: ${t.ins} / ${t.upd} / ${t.hot} (${t.upd > 0 ? Math.round((100 * t.hot) / t.upd) : 0}% HOT) / ${t.del}`);
} finally {
  await admin.end().catch(() => {});
  try {
    pgCtl('-m', 'immediate', 'stop');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
