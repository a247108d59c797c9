// The durable suite's two cases, for each durability level and peer set:
//   enqueue-<level>              one batched enqueue of n no-op jobs (nothing runs)
//   end-to-end-c<k>-<level>      the same enqueue, then processing with k jobs at a time,
//                                timed until the n-th completion is durable
// Every repetition starts from an empty store (a new SQLite file, a new
// Redis key prefix); each implementation checks what it stored and that every
// job ran exactly once, or the suite stops.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { interleaveAsync } from '../../lib/interleave-async.mjs';
import { cpuRows, toRows } from '../../lib/rows.mjs';
import { Stopwatch } from '../../lib/stopwatch.mjs';

const UNITS = { jobsPerSec: 'jobs/s', serverCpuNsPerJob: 'ns/job', totalCpuNsPerJob: 'ns/job' };

/** One repetition: a fresh file, the implementation's own timing of its region, the per-job figures. */
async function repetition(impl, kind, args, rep, stopwatch) {
  const file = path.join(args.dir, `${impl.name}-${args.caseName}-${rep}.db`);
  try {
    const returned = await impl[kind]({ ...args, file, stopwatch });
    const serverCpuMs = returned.serverCpuMs;
    return {
      jobsPerSec: args.n / (stopwatch.wallMs / 1000),
      ...(serverCpuMs === undefined ? {} : { serverCpuNsPerJob: (serverCpuMs * 1e6) / args.n }),
      totalCpuNsPerJob: ((stopwatch.cpuMs + (serverCpuMs ?? 0)) * 1e6) / args.n,
    };
  } finally {
    for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(file + suffix, { force: true });
  }
}

async function measure(ctx, impls, kind, caseName, args, reps, warmN) {
  const dir = mkdtempSync(path.join(tmpdir(), 'timeslice-bench-durable-'));
  try {
    // An untimed small round first, so each implementation's code is compiled before the timed ones.
    for (const impl of impls) await repetition(impl, kind, { ...args, caseName: `${caseName}-warm`, dir, n: warmN }, 0, new Stopwatch());
    ctx.log(`${caseName}: n=${args.n}, ${impls.map((i) => i.name).join(', ')} x ${reps} reps`);
    const samples = await interleaveAsync(impls, reps, (impl, rep, stopwatch) => repetition(impl, kind, { ...args, caseName, dir }, rep, stopwatch));
    return [...toRows(caseName, args.n, samples, UNITS), ...cpuRows(caseName, args.n, samples, { per: 'job' })];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Every case at one durability level: `impls` are the implementations that run at it. */
export async function durableCases(plan, ctx, { level, impls, redisPort }) {
  const rows = [];
  const args = { n: plan.n, sync: level, redisPort };
  rows.push(...(await measure(ctx, impls, 'enqueue', `enqueue-${level}`, args, plan.enqueueReps, plan.warmN)));
  for (const concurrency of plan.concurrencies) {
    const caseName = `end-to-end-c${concurrency}-${level}`;
    rows.push(...(await measure(ctx, impls, 'endToEnd', caseName, { ...args, concurrency }, plan.endToEndReps, plan.warmN)));
  }
  return rows;
}
