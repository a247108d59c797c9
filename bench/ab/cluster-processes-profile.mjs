// Where the time and CPU of the "4 processes of 1" topology go: n no-op
// one-offs (added before any worker starts, as in the postgres suite) run by
// `--processes` cluster-mode worker processes of `--workers` each. Each child
// counts its pg clients' round trips by statement (count, summed wait) and
// its store calls, and reports its own CPU and how long start() (ready) took;
// the parent reports wall time, jobs/s, the children's and the database
// backends' CPU, per job.
// Usage: npm run build && node bench/ab/cluster-processes-profile.mjs [--n 2000] [--processes 4] [--workers 1]
import '../../scripts/current-dist.mjs';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createDatabase } from '../suites/postgres/database.mjs';
import { backendPids, startCpuMeter } from '../suites/postgres/process-cpu.mjs';
import { timeslice } from '../suites/postgres/timeslice.mjs';
import { untilNoneRemain } from '../suites/postgres/throughput.mjs';
import { countPgQueries } from './pg-query-counter.mjs';

/** After every handler ran, how long the store may take to show every job completed. */
const DRAIN_TIMEOUT_MS = 60_000;

const SELF = fileURLToPath(import.meta.url);

if (process.env.PROFILE_CHILD === '1') await child();
else await parent();

async function parent() {
  const { values } = parseArgs({ options: { n: { type: 'string', default: '2000' }, processes: { type: 'string', default: '4' }, workers: { type: 'string', default: '1' } } });
  const n = Number(values.n);
  const processes = Number(values.processes);
  const db = await createDatabase('cluster_processes_profile');
  const admin = new pg.Client({ connectionString: db.connectionString });
  await admin.connect();
  const children = [];
  try {
    await timeslice.prepare(db.connectionString, n);
    const seen = new Set();
    let runs = 0;
    let allRan;
    const done = new Promise((resolve) => (allRan = resolve));
    for (let k = 0; k < processes; k++) {
      const env = { ...process.env, PROFILE_CHILD: '1', PROFILE_CONN: db.connectionString, PROFILE_WORKERS: values.workers };
      const c = fork(SELF, [], { env, execArgv: process.env.PROFILE_CPU ? ['--cpu-prof', `--cpu-prof-dir=${process.env.PROFILE_CPU}`] : [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      c.on('message', (m) => {
        if (m.type !== 'ran') return;
        for (const i of m.ids) {
          runs++;
          seen.add(i);
        }
        if (seen.size === n) allRan();
      });
      children.push(c);
    }
    const message = (c, type) => new Promise((resolve) => c.on('message', (m) => m.type === type && resolve(m)));
    await Promise.all(children.map((c) => message(c, 'ready')));
    const server = await startCpuMeter(() => backendPids(admin, db.name));
    const startMs = performance.now();
    const started = children.map((c) => message(c, 'started'));
    for (const c of children) c.send({ type: 'start' });
    const readyMs = (await Promise.all(started)).map((m) => Math.round(m.readyMs));
    await done;
    await untilNoneRemain(admin, timeslice.remainingSql, performance.now() + DRAIN_TIMEOUT_MS, 'cluster-processes-profile');
    const wallMs = performance.now() - startMs;
    const serverCpu = await server.stop();
    const reports = await Promise.all(children.map((c) => {
      const r = message(c, 'report');
      c.send({ type: 'report' });
      return r;
    }));
    const perJob = (x) => (x / n).toFixed(2);
    const childCpuMs = reports.reduce((s, r) => s + r.cpuMs, 0);
    process.stdout.write(`n=${n} processes=${processes} workers=${values.workers}: ${Math.round(n / (wallMs / 1000))} jobs/s, ${Math.round(wallMs)} ms wall, runs ${runs} (duplicates ${runs - n})\n`);
    process.stdout.write(`ready after start(): ${readyMs.join(', ')} ms; time inside finishAndClaim: ${reports.map((r) => Math.round(r.inStoreMs)).join(', ')} ms\n`);
    process.stdout.write(`CPU per job: children ${perJob(childCpuMs)} ms (${reports.map((r) => Math.round(r.cpuMs)).join(' + ')}), database backends ${perJob(serverCpu.cpuMs)} ms\n`);
    const merged = new Map();
    for (const r of reports) for (const [key, e] of r.calls) {
      const m = merged.get(key) ?? { count: 0, waitMs: 0 };
      m.count += e.count;
      m.waitMs += e.waitMs;
      merged.set(key, m);
    }
    const total = [...merged.values()].reduce((s, e) => s + e.count, 0);
    process.stdout.write(`round trips per job: ${perJob(total)}\n`);
    for (const [key, e] of [...merged.entries()].sort((a, b) => b[1].waitMs - a[1].waitMs).slice(0, 25)) {
      process.stdout.write(`${perJob(e.count).padStart(8)}/job ${(e.waitMs / e.count).toFixed(2).padStart(8)} ms avg ${(e.waitMs / 1000).toFixed(1).padStart(7)} s sum  ${key}\n`);
    }
    const stores = new Map();
    for (const r of reports) for (const [key, count] of r.storeCalls) stores.set(key, (stores.get(key) ?? 0) + count);
    process.stdout.write(`store calls: ${[...stores.entries()].sort((a, b) => b[1] - a[1]).map(([k, c]) => `${k} ${c}`).join(', ')}\n`);
    const batches = new Map();
    for (const r of reports) for (const [key, count] of r.batches) batches.set(key, (batches.get(key) ?? 0) + count);
    process.stdout.write('finishAndClaim shapes:\n');
    for (const [key, count] of [...batches.entries()].sort((a, b) => b[1] - a[1]).slice(0, 10)) process.stdout.write(`${String(count).padStart(7)}  ${key}\n`);
    await Promise.all(children.map((c) => {
      const r = message(c, 'stopped');
      c.send({ type: 'stop' });
      return r;
    }));
    await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((resolve) => c.once('exit', resolve)) : undefined)));
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await admin.end();
    await db.drop();
  }
}

async function child() {
  const { PostgresStore } = await import('../../dist/store/postgres.js');
  const queries = countPgQueries(120);
  const calls = queries.calls;
  const storeCalls = new Map();
  for (const name of ['offerSlots', 'putTasks', 'finishAndClaim', 'claimDue', 'heartbeat', 'rescueExpired', 'registerProcess', 'pendingSlots', 'getTask', 'processes']) {
    const fn = PostgresStore.prototype[name];
    if (typeof fn !== 'function') continue;
    PostgresStore.prototype[name] = function counted(...args) {
      if (queries.counting) storeCalls.set(name, (storeCalls.get(name) ?? 0) + 1);
      return fn.apply(this, args);
    };
  }
  const batches = new Map();
  let inStoreMs = 0;
  const finishAndClaim = PostgresStore.prototype.finishAndClaim;
  PostgresStore.prototype.finishAndClaim = async function batch(finishes, claim) {
    const t0 = performance.now();
    const result = await finishAndClaim.call(this, finishes, claim);
    if (queries.counting) {
      inStoreMs += performance.now() - t0;
      const key = `${finishes.length} ends + ${claim === undefined ? 'no claim' : `claim ${claim.limit} -> ${result.claimed.claimed?.length ?? result.claimed.status}`}`;
      batches.set(key, (batches.get(key) ?? 0) + 1);
    }
    return result;
  };
  const ran = [];
  const flush = () => ran.length > 0 && process.send({ type: 'ran', ids: ran.splice(0) });
  const timer = setInterval(flush, 5);
  const handle = await timeslice.open({ connectionString: process.env.PROFILE_CONN, workers: Number(process.env.PROFILE_WORKERS), onRun: (i) => ran.push(i) });
  let cpuStart;
  process.on('message', async (m) => {
    if (m.type === 'start') {
      queries.counting = true;
      cpuStart = process.cpuUsage();
      const t0 = performance.now();
      await handle.start();
      process.send({ type: 'started', readyMs: performance.now() - t0 });
    } else if (m.type === 'report') {
      queries.counting = false;
      const cpu = process.cpuUsage(cpuStart);
      flush();
      process.send({ type: 'report', inStoreMs, cpuMs: (cpu.user + cpu.system) / 1000, calls: [...calls.entries()], storeCalls: [...storeCalls.entries()], batches: [...batches.entries()] });
    } else if (m.type === 'stop') {
      await handle.stop();
      clearInterval(timer);
      process.send({ type: 'stopped' }, () => process.disconnect());
    }
  });
  process.send({ type: 'ready' });
}
