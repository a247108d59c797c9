// Time until a killed process's slots run elsewhere (issue 13): process A
// claims k slow jobs and holds them (its handler marks the job, then waits
// HOLD_MS), process B starts with room for all k and finds none free, then
// A is killed with SIGKILL while it holds them. The figures: from the kill to
// the first and to the last of the k jobs starting again in B. The starts
// are those B reports over IPC every 5 ms (worker-process.mjs), so each is
// late by up to that.
//
// Also in the database's clock, which decides: from A's lease running out
// (its registration's expiry, the latest seen while polling it every 5 ms
// until B has taken every job) to B's first claim of them. That may not be
// negative, however late A's heartbeats were (a loaded machine delays them,
// so B may start sooner after the kill than ttlMs - heartbeatMs).
//
// timeslice only, with a short lease: with the default lease (ttl 30 s) the
// same wait is that much longer. The peers are not killed here: with their
// defaults their jobs come back after hours or minutes (FAILOVER_PEERS: from
// their settings, not measured).
import { fork } from 'node:child_process';
import pg from 'pg';
import { createDatabase } from './database.mjs';
import { CHILD, nextMessage } from './workers.mjs';

/** A lease short enough to wait for in a benchmark; heartbeatMs at most ttlMs / 2. */
export const FAILOVER_LEASE = { ttlMs: 2000, heartbeatMs: 500 };
const HOLD_MS = 600_000; // longer than the case: A holds its jobs until it is killed
const RESTART_TIMEOUT_MS = 60_000;

/** What the peers would take with their defaults, from their code and documentation (not measured). */
export const FAILOVER_PEERS = {
  'graphile-worker':
    'no heartbeat: a locked job counts as abandoned once locked_at is 4 hours old (get_job job_expiry / resetLockedAt: interval 4 hours), so a killed worker’s jobs run elsewhere after about 4 h',
  'pg-boss':
    'a job active past expireInSeconds (queue default 15 min) is failed by the supervisor (superviseIntervalSeconds default 60 s) and retried if retries remain, so about 15-16 min; heartbeatSeconds is off by default',
};

async function startChild(impl, connectionString, workers, options, onRan) {
  const env = { ...process.env, PGBENCH_IMPL: impl.name, PGBENCH_MODE: 'perjob', PGBENCH_CONN: connectionString, PGBENCH_WORKERS: String(workers), PGBENCH_FAILOVER: JSON.stringify(options) };
  const child = fork(CHILD, [], { env, execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  child.on('message', (message) => {
    if (message.type === 'ran') onRan(message.ids);
  });
  try {
    await nextMessage(child, 'ready');
    const started = nextMessage(child, 'started');
    child.send({ type: 'start' });
    await started;
    return child;
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
}

/** Resolves when `done()` is true, checking every 5 ms; rejects after timeoutMs. */
async function until(done, timeoutMs, what) {
  const deadlineMs = performance.now() + timeoutMs;
  while (!done()) {
    if (performance.now() > deadlineMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * Polls the latest lease expiry the database holds for process `pid` (impl.failoverSql) every 5 ms
 * until stop(); stop() resolves to the largest seen, or undefined if none was.
 */
function watchLease(client, sql, pid) {
  let latestMs;
  let stopped = false;
  const polling = (async () => {
    while (!stopped) {
      const row = (await client.query(sql.leaseExpiresAtMs, [pid])).rows[0];
      if (row !== undefined) latestMs = Math.max(latestMs ?? row.expiresAtMs, row.expiresAtMs);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await polling;
      return latestMs;
    },
  };
}

/** One repetition with k jobs; resolves to {restartFirstMs, restartLastMs, restartAfterLeaseMs}. */
export async function failoverRepetition(impl, { k, caseName }) {
  const what = `${impl.name} ${caseName}`;
  const db = await createDatabase(`${impl.name}_${caseName}`);
  const children = [];
  const client = new pg.Client({ connectionString: db.connectionString });
  try {
    await impl.prepare(db.connectionString, k);
    const inA = new Set();
    const inB = new Map(); // job id -> when B reported its start
    children.push(await startChild(impl, db.connectionString, k, { holdMs: HOLD_MS, lease: FAILOVER_LEASE }, (ids) => {
      for (const i of ids) inA.add(i);
    }));
    await until(() => inA.size === k, RESTART_TIMEOUT_MS, `${what}: process A starting its ${k} jobs`);
    await client.connect();
    const lease = watchLease(client, impl.failoverSql, children[0].pid);
    children.push(await startChild(impl, db.connectionString, k, { lease: FAILOVER_LEASE }, (ids) => {
      for (const i of ids) if (!inB.has(i)) inB.set(i, performance.now());
    }));
    if (inB.size > 0) throw new Error(`${what}: process B started ${inB.size} jobs that A held, before A was killed`);
    const killedMs = performance.now();
    children[0].kill('SIGKILL');
    await until(() => inB.size === k, RESTART_TIMEOUT_MS, `${what}: process B starting A's ${k} jobs after the kill`);
    const sinceKillMs = [...inB.values()].map((t) => t - killedMs).sort((a, b) => a - b);
    const leaseExpiresAtMs = await lease.stop();
    if (leaseExpiresAtMs === undefined) throw new Error(`${what}: process A's registration was never seen`);
    const attempts = (await client.query(impl.failoverSql.attemptsStartedAtMs)).rows;
    const firstClaimMs = Math.min(...attempts.map((a) => a.startedAtMs));
    const stopped = nextMessage(children[1], 'stopped');
    children[1].send({ type: 'stop' });
    await stopped;
    return { restartFirstMs: sinceKillMs[0], restartLastMs: sinceKillMs[k - 1], restartAfterLeaseMs: firstClaimMs - leaseExpiresAtMs };
  } finally {
    await client.end();
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await db.drop();
  }
}
