// The postgres suite (issue 13): timeslice's PostgreSQL store against
// graphile-worker 0.18 and pg-boss 12 on the same server, in the same run,
// a fresh database for every repetition. Parts live in ./postgres/;
// bench/README.md ("The postgres suite") explains each case.
//
// Cases, for mode perjob (each completion its own commit) and batched (the
// implementation's batched fetch and completion):
//   w1-<mode>, w4-<mode>, p4-<mode>   n no-op jobs added, then 1 worker, 4 workers
//                                     in one process, or 4 processes of 1:
//                                     jobs/s until the last completion is
//                                     committed; CPU per job of every process
//                                     involved and of the PostgreSQL backends
//   snapshot-w4-<mode>                the same at w4 while a REPEATABLE READ
//                                     transaction holds one snapshot
//   add-to-start-<mode>               a job added into idle workers: p50/p99 to its start
//   failover-p2                       a process killed (SIGKILL) holding k slow jobs:
//                                     ms until the other process starts them
//                                     (timeslice, lease FAILOVER_LEASE; the
//                                     peers' defaults stated, not measured)
// Duplicate runs are counted from the handlers, by job id, in every case.
import { loadavg } from 'node:os';
import { summarize } from '../lib/stats.mjs';
import { postgresCases } from './postgres/cases.mjs';
import { serverFacts } from './postgres/database.mjs';
import { derivePostgresFigures } from './postgres/derive.mjs';
import { FAILOVER_LEASE, FAILOVER_PEERS } from './postgres/failover.mjs';
import { postgresHeadline } from './postgres/headline.mjs';
import { availableImpls } from './postgres/impls.mjs';
import { canReadProcCpu } from './postgres/process-cpu.mjs';
import { TOPOLOGIES } from './postgres/workers.mjs';

const LOAD_SAMPLE_MS = 10_000;
const COMMON = { topologies: ['w1', 'w4', 'p4'], modes: ['perjob', 'batched'], snapshot: true, failover: { k: 4, reps: 3 } };
const FULL = {
  ...COMMON,
  sizes: [
    { n: 10_000, reps: 3, repsOf: { 'w4-perjob': 5 } },
    { n: 100_000, reps: 2 },
  ],
  warmN: 2000,
  latency: { samples: 500, reps: 3, seed: 13 },
  timeoutMs: 1_800_000,
};
// One repetition of everything at 10,000 jobs, but for the two figures issue 13's targets read: w4-perjob (the
// per-job ratio) in 5 interleaved repetitions, add-to-start in 3 of 200 samples each (p99 the 2nd largest of a
// repetition's, not its maximum). Minutes, not the hours of FULL.
const QUICK = { ...COMMON, sizes: [{ n: 10_000, reps: 1, repsOf: { 'w4-perjob': 5 } }], warmN: 500, latency: { samples: 200, reps: 3, seed: 13 }, timeoutMs: 600_000 };

export default {
  name: 'postgres',
  description: 'Durable jobs on PostgreSQL: timeslice (PostgreSQL store) vs graphile-worker and pg-boss, fresh database per run: jobs/s and CPU per job at 1 and 4 workers and 4 processes, per-job and batched, under a held snapshot, add-to-start latency, duplicate runs',
  async run(ctx) {
    if (!canReadProcCpu()) throw new Error('postgres suite: needs /proc/<pid>/stat (Linux) for the CPU of worker processes and PostgreSQL backends');
    const plan = ctx.quick ? QUICK : FULL;
    const { impls, notices } = await availableImpls();
    for (const notice of notices) ctx.log(notice);
    ctx.info.plan = { ...plan, topologies: plan.topologies.map((t) => `${t}: ${TOPOLOGIES[t].what}`), failoverLease: FAILOVER_LEASE };
    ctx.info.failoverPeersNotMeasured = FAILOVER_PEERS;
    ctx.info.server = await serverFacts();
    ctx.info.configurations = Object.fromEntries(impls.map((impl) => [impl.name, Object.fromEntries(plan.modes.map((m) => [m, impl.describe(m)]))]));
    ctx.info.peerDefaults = { 'pg-boss': impls.find((i) => i.name === 'pg-boss')?.defaults };
    ctx.info.notices = [...notices]; // cases.mjs adds one per implementation that cannot run a topology
    // The machine's load through the whole run, not only at its ends: the runs are minutes long on a shared machine.
    const load = [loadavg()[0]];
    const sampler = setInterval(() => load.push(loadavg()[0]), LOAD_SAMPLE_MS);
    try {
      return await postgresCases(ctx, impls, plan);
    } finally {
      clearInterval(sampler);
      load.push(loadavg()[0]);
      const { median, min, max } = summarize(load);
      ctx.info.loadAverage1mDuringRun = { median, min, max, samples: load.length, everySec: LOAD_SAMPLE_MS / 1000 };
    }
  },
  derive: derivePostgresFigures,
  headline: postgresHeadline,
};
