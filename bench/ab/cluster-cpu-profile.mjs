// Where a cluster-mode job's CPU goes (internals, not a product row): the
// postgres suite's timeslice worker (bench/suites/postgres/timeslice.mjs) at
// `--workers` in this process runs n no-op one-offs, added beforehand
// (untimed); over the run alone (from start() until the database shows every
// job completed) this process is profiled with the inspector (V8's sampling
// profiler) and the CPU of this process and of the database's backends is
// read from /proc (process-cpu.mjs). Prints CPU per job (process, backends),
// then the process's self time by function and by source file. With
// --perf FILE, `perf record -a -g` runs over the same region and FILE lists
// the backends' pids (perf report --pid) for the PostgreSQL side.
// Usage: npm run build && node bench/ab/cluster-cpu-profile.mjs [--n 10000] [--workers 4] [--top 40] [--out prof.cpuprofile] [--perf perf.data]
import '../../scripts/current-dist.mjs';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createDatabase } from '../suites/postgres/database.mjs';
import { backendPids, startCpuMeter } from '../suites/postgres/process-cpu.mjs';
import { timeslice } from '../suites/postgres/timeslice.mjs';
import { untilNoneRemain } from '../suites/postgres/throughput.mjs';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '10000' },
    workers: { type: 'string', default: '4' },
    top: { type: 'string', default: '40' },
    out: { type: 'string' },
    perf: { type: 'string' },
  },
});
const n = Number(values.n);
/** This process's I/O counters (/proc/self/io: bytes and calls of read and write, sockets included). */
const readIo = () => Object.fromEntries(readFileSync('/proc/self/io', 'utf8').trim().split('\n').map((line) => { const [k, v] = line.split(': '); return [k, Number(v)]; }));
const workers = Number(values.workers);

const db = await createDatabase('cluster_cpu_profile');
const admin = new pg.Client({ connectionString: db.connectionString });
await admin.connect();
const inspector = new Session();
inspector.connect();
let perf;
try {
  await timeslice.prepare(db.connectionString, n);
  let ran = 0;
  let allRan;
  const done = new Promise((resolve) => (allRan = resolve));
  const worker = await timeslice.open({ connectionString: db.connectionString, workers, onRun: () => ++ran === n && allRan() });
  await inspector.post('Profiler.enable');
  await inspector.post('Profiler.setSamplingInterval', { interval: 100 });
  if (values.perf !== undefined) {
    perf = spawn('perf', ['record', '-a', '-g', '-q', '-o', values.perf], { stdio: 'ignore' });
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const server = await startCpuMeter(() => backendPids(admin, db.name));
  const ioBefore = readIo();
  const self = process.cpuUsage();
  await inspector.post('Profiler.start');
  const startMs = performance.now();
  await worker.start();
  await done;
  await untilNoneRemain(admin, timeslice.remainingSql, performance.now() + 60_000, 'cluster-cpu-profile');
  const wallMs = performance.now() - startMs;
  const { profile } = await inspector.post('Profiler.stop');
  const cpu = process.cpuUsage(self);
  const ioAfter = readIo();
  const pids = await backendPids(admin, db.name);
  const serverCpu = await server.stop();
  if (perf !== undefined) {
    perf.kill('SIGINT');
    await new Promise((resolve) => perf.once('exit', resolve));
    writeFileSync(`${values.perf}.pids`, pids.join(','));
  }
  await worker.stop();
  if (values.out !== undefined) writeFileSync(values.out, JSON.stringify(profile));

  const processUs = (cpu.user + cpu.system) / n;
  process.stdout.write(
    `n=${n} workers=${workers}: ${Math.round(n / (wallMs / 1000))} jobs/s, CPU/job: process ${processUs.toFixed(0)} us (user ${(cpu.user / n).toFixed(0)}, system ${(cpu.system / n).toFixed(0)}), backends ${((serverCpu.cpuMs * 1000) / n).toFixed(0)} us (${serverCpu.processes} backends)\n`,
  );
  process.stdout.write(
    `bytes/job (this process's reads and writes, its sockets' included): written ${((ioAfter.wchar - ioBefore.wchar) / n).toFixed(0)}, read ${((ioAfter.rchar - ioBefore.rchar) / n).toFixed(0)}; write calls/job ${((ioAfter.syscw - ioBefore.syscw) / n).toFixed(2)}\n`,
  );
  // Self time per node from the samples.
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i + 1] ?? 0;
    selfUs.set(profile.samples[i], (selfUs.get(profile.samples[i]) ?? 0) + dt);
  }
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const fnTotals = new Map();
  const fileTotals = new Map();
  for (const [id, us] of selfUs) {
    const { callFrame: f } = byId.get(id);
    const file = f.url.replace(/^.*\/(dist|node_modules)\//, '$1/') || `(${f.functionName || 'native'})`;
    const key = `${f.functionName || '(anonymous)'} ${file}:${f.lineNumber + 1}`;
    fnTotals.set(key, (fnTotals.get(key) ?? 0) + us);
    fileTotals.set(file, (fileTotals.get(file) ?? 0) + us);
  }
  const show = (title, map, top) => {
    process.stdout.write(`${title} (share of ${(total / 1000).toFixed(0)} ms sampled; us/job)\n`);
    for (const [key, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      process.stdout.write(`  ${((100 * us) / total).toFixed(1).padStart(5)}%  ${(us / n).toFixed(1).padStart(6)}  ${key}\n`);
    }
  };
  show('self time by file', fileTotals, 25);
  show('self time by function', fnTotals, Number(values.top));
} finally {
  perf?.kill('SIGINT');
  inspector.disconnect();
  await admin.end();
  await db.drop();
}
