// Where a cluster-mode job's time goes on PostgreSQL (docs/design/cluster.md,
// "PostgreSQL, as built"): n no-op one-offs run by one cluster-mode Scheduler
// of `--workers` (its own pool), counting, per job, the round trips its pg
// clients made (by statement, with the time each kind waited for its answer),
// the database's commits (pg_stat_database.xact_commit) and WAL flushes
// (pg_stat_wal.wal_sync, PostgreSQL 14+).
// Usage: npm run build && node bench/ab/cluster-profile.mjs [--n 2000] [--workers 4]
import '../../scripts/current-dist.mjs';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createDatabase } from '../suites/postgres/database.mjs';
import { PostgresStore } from '../../dist/store/postgres.js';
import { timeslice } from '../suites/postgres/timeslice.mjs';
import { untilNoneRemain } from '../suites/postgres/throughput.mjs';
import { countPgQueries } from './pg-query-counter.mjs';

/** After every handler ran, how long the store may take to show every job completed. */
const DRAIN_TIMEOUT_MS = 60_000;

const { values } = parseArgs({ options: { n: { type: 'string', default: '2000' }, workers: { type: 'string', default: '4' } } });
const n = Number(values.n);
const workers = Number(values.workers);

/** Every query of every pg client: count and summed wait, by a short name of its text. */
const queries = countPgQueries(110);
const calls = queries.calls;

/** Each finishAndClaim(): how many ends, the claim's limit, and how many rows it took. */
const batches = new Map();
const finishAndClaim = PostgresStore.prototype.finishAndClaim;
PostgresStore.prototype.finishAndClaim = async function batch(finishes, claim) {
  const result = await finishAndClaim.call(this, finishes, claim);
  if (queries.counting) {
    const key = `${finishes.length} ends + ${claim === undefined ? 'no claim' : `claim ${claim.limit} -> ${result.claimed.claimed?.length ?? result.claimed.status}`}`;
    batches.set(key, (batches.get(key) ?? 0) + 1);
  }
  return result;
};

const db = await createDatabase('cluster_profile');
const admin = new pg.Client({ connectionString: db.connectionString });
await admin.connect();
const stats = async () => {
  const { rows } = await admin.query(
    'SELECT xact_commit::int8 AS commits, (SELECT wal_sync FROM pg_stat_wal)::int8 AS syncs FROM pg_stat_database WHERE datname = current_database()',
  );
  return { commits: Number(rows[0].commits), syncs: Number(rows[0].syncs) };
};
try {
  await timeslice.prepare(db.connectionString, n);
  let ran = 0;
  let allRan;
  const done = new Promise((resolve) => (allRan = resolve));
  const worker = await timeslice.open({ connectionString: db.connectionString, workers, onRun: () => ++ran === n && allRan() });
  await admin.query('SELECT pg_stat_force_next_flush()').catch(() => {});
  const before = await stats();
  queries.counting = true;
  const startMs = performance.now();
  await worker.start();
  await done;
  await untilNoneRemain(admin, timeslice.remainingSql, performance.now() + DRAIN_TIMEOUT_MS, 'cluster-profile');
  const wallMs = performance.now() - startMs;
  queries.counting = false;
  await worker.stop();
  await new Promise((resolve) => setTimeout(resolve, 600)); // pg_stat_database is flushed at most every 500 ms
  const after = await stats();
  const perJob = (x) => Math.round((x / n) * 100) / 100;
  const rows = [...calls.entries()].sort((a, b) => b[1].count - a[1].count);
  const total = rows.reduce((sum, [, e]) => sum + e.count, 0);
  process.stdout.write(`n=${n} workers=${workers}: ${Math.round(n / (wallMs / 1000))} jobs/s, ${Math.round(wallMs)} ms\n`);
  process.stdout.write(`per job: ${perJob(total)} round trips, ${perJob(after.commits - before.commits)} commits (db), ${perJob(after.syncs - before.syncs)} WAL syncs (server)\n`);
  process.stdout.write('transactions by shape (finishAndClaim):\n');
  for (const [key, count] of [...batches.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12)) process.stdout.write(`${String(count).padStart(7)}  ${key}\n`);
  process.stdout.write('round trips by statement:\n');
  for (const [key, e] of rows) process.stdout.write(`${String(perJob(e.count)).padStart(7)}/job ${(e.waitMs / e.count).toFixed(2).padStart(7)} ms  ${key}\n`);
} finally {
  await admin.end();
  await db.drop();
}
