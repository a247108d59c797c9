// The postgres suite's cases, each over every implementation with
// interleaved, rotated repetitions (repetition r starts with implementation
// r mod k), a fresh database for every repetition:
//   <topology>-<mode>         n jobs added, then workers started: jobs/s to the
//                             last committed completion, CPU per job
//   snapshot-w4-<mode>        the same at w4 while a REPEATABLE READ
//                             transaction holds one snapshot the whole run
//   add-to-start-<mode>       one job at a time into idle workers (w4): each
//                             repetition's p50/p99 over its own samples
//                             (latency.mjs), medians and spread over the
//                             repetitions
//   failover-p2               2 processes, one killed holding its k jobs:
//                             time until the other starts them (timeslice)
import { interleaveAsync } from '../../lib/interleave-async.mjs';
import { toRows } from '../../lib/rows.mjs';
import { Stopwatch } from '../../lib/stopwatch.mjs';
import { failoverRepetition } from './failover.mjs';
import { latencyRepetition } from './latency.mjs';
import { throughputRepetition } from './throughput.mjs';

const THROUGHPUT_UNITS = {
  jobsPerSec: 'jobs/s',
  clientCpuNsPerJob: 'ns/job',
  serverCpuNsPerJob: 'ns/job',
  totalCpuNsPerJob: 'ns/job',
  duplicateRuns: 'runs',
  backendsExited: 'backends', // backends that exited inside the timed region: their CPU is missing from serverCpuNsPerJob
};
const LATENCY_UNITS = { startP50Ms: 'ms', startP99Ms: 'ms', startMaxMs: 'ms', addP50Ms: 'ms', addP99Ms: 'ms', duplicateRuns: 'runs' };
const FAILOVER_UNITS = { restartFirstMs: 'ms', restartLastMs: 'ms', restartAfterLeaseMs: 'ms' };

/** The implementations that can run `topology`; a notice (logged once, kept in meta.info.notices) for each that cannot. */
export function implsFor(ctx, impls, topology) {
  const notices = (ctx.info.notices ??= []);
  for (const impl of impls) {
    const reason = impl.unsupported?.[topology];
    if (reason !== undefined && !notices.includes(reason)) {
      notices.push(reason);
      ctx.log(reason);
    }
  }
  return impls.filter((impl) => impl.unsupported?.[topology] === undefined);
}

/** The repetitions of one throughput case at size n, as rows. */
async function throughputCase(ctx, allImpls, { caseName, n, reps, mode, topology, snapshot, timeoutMs }) {
  const impls = implsFor(ctx, allImpls, topology);
  ctx.log(`${caseName}: n=${n}, ${impls.map((i) => i.name).join(', ')} x ${reps} reps`);
  const samples = await interleaveAsync(
    impls,
    reps,
    async (impl, rep, stopwatch) => {
      const sample = await throughputRepetition(impl, { n, mode, topology, snapshot, timeoutMs, caseName }, stopwatch);
      ctx.log(`  ${impl.name} rep ${rep + 1}: ${Math.round(sample.jobsPerSec)} jobs/s, ${Math.round(sample.totalCpuNsPerJob / 1000)} us CPU/job, ${sample.duplicateRuns} duplicates`);
      return sample;
    },
    { rotate: true },
  );
  return toRows(caseName, n, samples, THROUGHPUT_UNITS);
}

async function latencyCase(ctx, impls, { caseName, reps, mode, samples, seed }) {
  ctx.log(`${caseName}: ${samples} adds, ${impls.map((i) => i.name).join(', ')} x ${reps} reps`);
  const results = await interleaveAsync(
    impls,
    reps,
    async (impl, rep) => {
      const sample = await latencyRepetition(impl, { mode, topology: 'w4', samples, seed: seed + rep, caseName });
      ctx.log(`  ${impl.name} rep ${rep + 1}: start p50 ${sample.startP50Ms.toFixed(1)} ms, p99 ${sample.startP99Ms.toFixed(1)} ms, max ${sample.startMaxMs.toFixed(1)} ms; the add call p50 ${sample.addP50Ms.toFixed(1)} ms`);
      return sample;
    },
    { rotate: true },
  );
  return toRows(caseName, undefined, results, LATENCY_UNITS);
}

/** The failover case: timeslice only (the peers' defaults take minutes to hours: failover.mjs FAILOVER_PEERS). */
async function failoverCase(ctx, impls, { k, reps }) {
  const measured = impls.filter((impl) => impl.name === 'timeslice');
  ctx.log(`failover-p2: ${k} jobs held by a killed process, ${measured.map((i) => i.name).join(', ') || 'nothing'} x ${reps} reps`);
  const results = await interleaveAsync(measured, reps, async (impl, rep) => {
    const sample = await failoverRepetition(impl, { k, caseName: 'failover-p2' });
    ctx.log(`  ${impl.name} rep ${rep + 1}: first ${sample.restartFirstMs.toFixed(0)} ms, last ${sample.restartLastMs.toFixed(0)} ms after the kill, first claim ${sample.restartAfterLeaseMs.toFixed(0)} ms after the lease ran out (database clock)`);
    return sample;
  });
  return toRows('failover-p2', k, results, FAILOVER_UNITS);
}

/** Every case of `plan` (see postgres.mjs) over `impls`; resolves to the rows. */
export async function postgresCases(ctx, impls, plan) {
  const rows = [];
  // Untimed: each implementation's code compiled and its modules loaded before the first timed run.
  if (plan.warmN > 0) {
    for (const impl of impls) {
      await throughputRepetition(impl, { n: plan.warmN, mode: 'perjob', topology: 'w4', timeoutMs: plan.timeoutMs, caseName: 'warm' }, new Stopwatch());
    }
  }
  for (const { n, reps, repsOf = {} } of plan.sizes) {
    for (const topology of plan.topologies) {
      for (const mode of plan.modes) {
        const caseName = `${topology}-${mode}`;
        rows.push(...(await throughputCase(ctx, impls, { caseName, n, reps: repsOf[caseName] ?? reps, mode, topology, timeoutMs: plan.timeoutMs })));
      }
    }
    if (plan.snapshot) {
      for (const mode of plan.modes) {
        rows.push(...(await throughputCase(ctx, impls, { caseName: `snapshot-w4-${mode}`, n, reps, mode, topology: 'w4', snapshot: true, timeoutMs: plan.timeoutMs })));
      }
    }
  }
  for (const mode of plan.modes) {
    if (plan.latency.samples > 0) rows.push(...(await latencyCase(ctx, impls, { caseName: `add-to-start-${mode}`, mode, ...plan.latency })));
  }
  if (plan.failover) rows.push(...(await failoverCase(ctx, impls, plan.failover)));
  return rows;
}
