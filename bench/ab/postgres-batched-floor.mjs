// A FLOOR, not a product row: the leanest durable queue on raw `pg` that still
// gives what a user of the batched peers gets, measured interleaved with the
// peers' batched configurations through the postgres suite's own harness
// (bench/suites/postgres/throughput.mjs: fresh database per repetition, n
// no-op jobs added before the workers start, timed until the database shows
// every job completed, CPU of this process plus the database's backends).
//
// The floor (4 workers in this process, one pool):
//   table    jobs(id bigserial, task, payload jsonb, run_at, attempts,
//            locked_by, locked_at), a partial index on the unlocked due rows
//   claim    one statement: UPDATE ... WHERE id IN (SELECT ... due, unlocked,
//            ORDER BY run_at, id LIMIT 100 FOR UPDATE SKIP LOCKED) RETURNING:
//            the lock (locked_by, locked_at, attempts + 1) is committed
//            before a body runs, as graphile-worker's local queue does; the
//            next claim is sent once the local queue is down to its last
//            `workers` rows, one claim in flight
//   run      up to `workers` bodies at once, each the suite's no-op handler
//   complete batched like graphile-worker's completeJobBatchDelay: 0: the
//            ids that ended since the last flush go out in ONE autocommit
//            statement (delete: DELETE ... WHERE id = ANY($1) AND locked_by
//            = $2, as graphile-worker deletes; keep: UPDATE ... SET status =
//            'completed', keeping the row as timeslice does), one flush in
//            flight at a time; a job counts once that commit is visible
//            (the harness polls the count of rows not completed).
// No retries, leases expiry, cron, fencing epochs or history beyond that row:
// this is the cost of claiming and completing alone.
//
// Usage: node --expose-gc bench/ab/postgres-batched-floor.mjs [--n 10000] [--reps 5] [--workers 4]
//        [--only floor-delete,floor-keep,graphile-worker,pg-boss,timeslice]
// Prints each implementation's median jobs/s (min-max) and CPU per job
// (process + backends), and the floor's ratio to the better peer.
import '../../scripts/current-dist.mjs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { interleaveAsync } from '../lib/interleave-async.mjs';
import { availableImpls } from '../suites/postgres/impls.mjs';
import { throughputRepetition } from '../suites/postgres/throughput.mjs';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '10000' },
    reps: { type: 'string', default: '5' },
    only: { type: 'string', default: 'floor-delete,floor-keep,graphile-worker,pg-boss' },
  },
});
const n = Number(values.n);
const reps = Number(values.reps);
const CLAIM = 100;
const CHUNK = 1000;

const SCHEMA = `
  CREATE TABLE jobs (
    id bigserial PRIMARY KEY,
    task text NOT NULL,
    payload jsonb NOT NULL,
    run_at timestamptz NOT NULL DEFAULT now(),
    attempts int NOT NULL DEFAULT 0,
    status text NOT NULL DEFAULT 'due',
    locked_by text,
    locked_at timestamptz
  );
  CREATE INDEX jobs_due ON jobs (run_at, id) WHERE locked_at IS NULL AND status = 'due';`;

const CLAIM_SQL = `
  UPDATE jobs SET locked_by = $1, locked_at = now(), attempts = attempts + 1
  WHERE id IN (
    SELECT id FROM jobs WHERE locked_at IS NULL AND status = 'due' AND run_at <= now()
    ORDER BY run_at, id LIMIT ${CLAIM} FOR UPDATE SKIP LOCKED)
  RETURNING id, payload`;

const COMPLETE_SQL = {
  delete: 'DELETE FROM jobs WHERE id = ANY($1::bigint[]) AND locked_by = $2',
  keep: "UPDATE jobs SET status = 'completed', locked_at = NULL WHERE id = ANY($1::bigint[]) AND locked_by = $2",
};

function floorImpl(completion) {
  return {
    name: `floor-${completion}`,
    modes: ['batched'],
    remainingSql: "SELECT count(*)::int AS n FROM jobs WHERE status <> 'completed'",
    async prepare(connectionString, count) {
      const client = new pg.Client({ connectionString });
      await client.connect();
      try {
        await client.query(SCHEMA);
        for (let i = 0; i < count; i += CHUNK) {
          const k = Math.min(CHUNK, count - i);
          const payloads = Array.from({ length: k }, (_, j) => JSON.stringify({ i: i + j }));
          await client.query("INSERT INTO jobs (task, payload) SELECT 'noop', p::jsonb FROM unnest($1::text[]) AS p", [payloads]);
        }
      } finally {
        await client.end();
      }
    },
    async open({ connectionString, workers, onRun }) {
      const pool = new pg.Pool({ connectionString, max: workers + 2 });
      pool.on('error', () => {});
      const owner = `floor-${process.pid}-${Math.random().toString(36).slice(2)}`;
      const queue = [];
      let claiming = false;
      let running = 0;
      let stopped = false;
      let ended = [];
      let flushing = false;
      let failure;
      const fail = (error) => {
        failure ??= error;
        process.stderr.write(`${owner}: ${error.message}\n`);
      };
      const flush = () => {
        if (flushing || ended.length === 0) return;
        flushing = true;
        const ids = ended;
        ended = [];
        pool
          .query(COMPLETE_SQL[completion], [ids, owner])
          .catch(fail)
          .finally(() => {
            flushing = false;
            if (ended.length > 0) setImmediate(flush);
          });
      };
      const pump = () => {
        while (!stopped && running < workers && queue.length > 0) {
          const job = queue.shift();
          running++;
          Promise.resolve()
            .then(() => onRun(job.payload.i))
            .then(() => {
              running--;
              ended.push(job.id);
              setImmediate(flush);
              pump();
            }, fail);
        }
        if (!stopped && !claiming && queue.length <= workers) claim();
      };
      let idleTimer;
      const claim = () => {
        claiming = true;
        pool.query(CLAIM_SQL, [owner]).then(
          ({ rows }) => {
            claiming = false;
            queue.push(...rows);
            if (rows.length === 0) idleTimer = setTimeout(pump, 50); // nothing due: poll (no job is added during the timed region)
            else pump();
          },
          (error) => {
            claiming = false;
            fail(error);
          },
        );
      };
      return {
        async start() {
          pump();
        },
        async add() {
          throw new Error('the floor runs the throughput case only');
        },
        async stop() {
          stopped = true;
          clearTimeout(idleTimer);
          while (claiming || flushing || running > 0) await new Promise((resolve) => setTimeout(resolve, 5));
          await pool.end();
          if (failure) throw failure;
        },
      };
    },
  };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const wanted = values.only.split(',');
const { impls: suiteImpls } = await availableImpls();
const impls = [floorImpl('delete'), floorImpl('keep'), ...suiteImpls].filter((impl) => wanted.includes(impl.name));
const loadBefore = loadavg()[0];
const samples = await interleaveAsync(
  impls,
  reps,
  (impl, _rep, stopwatch) => throughputRepetition(impl, { n, mode: 'batched', topology: 'w4', timeoutMs: 600_000, caseName: 'w4-batched-floor' }, stopwatch),
  { rotate: true },
);
const rows = new Map();
for (const impl of impls) {
  const s = samples.get(impl.name);
  const get = (key) => s[key].map((x) => x.value ?? x);
  const jobsPerSec = get('jobsPerSec');
  rows.set(impl.name, {
    jobsPerSec: median(jobsPerSec),
    min: Math.min(...jobsPerSec),
    max: Math.max(...jobsPerSec),
    clientUs: median(get('clientCpuNsPerJob')) / 1000,
    serverUs: median(get('serverCpuNsPerJob')) / 1000,
    totalUs: median(get('totalCpuNsPerJob')) / 1000,
    duplicates: get('duplicateRuns').reduce((a, b) => a + b, 0),
  });
}
process.stdout.write(`w4 batched, n=${n}, ${reps} interleaved reps, fresh database each (load ${loadBefore.toFixed(1)} -> ${loadavg()[0].toFixed(1)})\n`);
for (const [name, r] of rows) {
  process.stdout.write(
    `  ${name.padEnd(16)} ${Math.round(r.jobsPerSec).toString().padStart(6)} jobs/s (${Math.round(r.min)}-${Math.round(r.max)}), CPU/job ${r.totalUs.toFixed(0)} us (process ${r.clientUs.toFixed(0)} + backends ${r.serverUs.toFixed(0)}), duplicate runs ${r.duplicates}\n`,
  );
}
const peers = [...rows.entries()].filter(([name]) => !name.startsWith('floor-') && name !== 'timeslice').map(([, r]) => r.jobsPerSec);
if (peers.length > 0) {
  const better = Math.max(...peers);
  for (const [name, r] of rows) {
    if (!peers.includes(r.jobsPerSec)) process.stdout.write(`  ${name} / better peer: ${(r.jobsPerSec / better).toFixed(2)}x (the 2x target needs ${Math.round(2 * better)} jobs/s)\n`);
  }
}
