// The pool suite: timeslice's WorkerPool (built package) against raw Piscina
// on the same fixtures (pool/tasks.mjs), the same 2 threads, interleaved
// repetitions in one run. bench/README.md ("The pool suite") explains each
// case. Cases:
//   tiny            1e5 tasks returning their input: tasks/s and CPU per task, against Piscina with one
//                   message per task, Piscina with the user batching 100 per run(), and a promise per task alone
//   urgent-idle     2 threads busy with background tasks (800 steps of fixed work); a tiny critical task:
//                   p50/p99 to start and finish (ms), and the background work done meanwhile (tasks/s),
//                   against two Piscina pools (one thread kept for urgent work) and one Piscina pool
//   urgent-backlog  the same with 4 more background tasks queued
//   fairness        3 tenants of 50 ms tasks, weights 1:2:4, fair policy: CPU shares, worst deviation, Jain's index
//   efficiency      400 tasks of 5 ms CPU: useful CPU / (wall x threads)
import { interleaveAsync } from '../lib/interleave-async.mjs';
import { toRows } from '../lib/rows.mjs';
import { derivePoolFigures } from './pool/derive.mjs';
import { efficiencyOnce } from './pool/efficiency.mjs';
import { fairnessOnce, WEIGHTS } from './pool/fairness.mjs';
import { poolHeadline } from './pool/headline.mjs';
import { rawPiscina, timeslicePool, twoPiscinaPools } from './pool/impls.mjs';
import { fairnessSeries } from './pool/shares-over-time.mjs';
import { tinyCase } from './pool/tiny.mjs';
import { urgentOnce } from './pool/urgent.mjs';

const THREADS = 2;
const QUANTUM_MS = 10;

const FULL = {
  tiny: { n: 1e5, reps: 5, calibrateN: 2e4, calibrateRounds: 2 },
  urgent: { samples: 60, reps: 3, seed: 0x7e5, backgroundSteps: 800 },
  fairness: { windowMs: 10_000, taskMs: 50, outstanding: 4, reps: 3 },
  efficiency: { n: 400, taskMs: 5, reps: 5 },
};
// Only checks that every case runs and verifies its work (npm test runs it):
// the numbers it prints mean little.
const QUICK = {
  tiny: { n: 2e3, reps: 1, calibrateN: 500, calibrateRounds: 1, concurrency: [1, 16] },
  urgent: { samples: 3, reps: 1, seed: 0x7e5, backgroundSteps: 160 },
  fairness: { windowMs: 300, taskMs: 20, outstanding: 2, reps: 1 },
  efficiency: { n: 20, taskMs: 5, reps: 1 },
};

const URGENT_UNITS = { startP50Ms: 'ms', startP99Ms: 'ms', finishP50Ms: 'ms', finishP99Ms: 'ms', backgroundTasksPerSec: 'tasks/s' };

async function withImpls(options, body, peers = [rawPiscina]) {
  const impls = [await timeslicePool(THREADS, { quantumMs: QUANTUM_MS, ...options })];
  for (const peer of peers) impls.push(await peer(THREADS));
  try {
    return await body(impls);
  } finally {
    for (const impl of impls) await impl.close();
  }
}

let plan = FULL;

export default {
  name: 'pool',
  description: 'WorkerPool vs raw Piscina on 2 threads: tiny-task throughput (one message per task, batched by hand), urgent-task latency and background throughput (against a static split of two pools), weighted fairness, CPU efficiency',
  async run(ctx) {
    plan = ctx.quick ? QUICK : FULL;
    ctx.info.plan = plan;
    ctx.info.threads = THREADS;
    ctx.info.quantumMs = QUANTUM_MS;
    const rows = [];
    rows.push(...(await tinyCase(plan, THREADS, ctx)));
    for (const backlog of [0, 4]) {
      const name = backlog === 0 ? 'urgent-idle' : 'urgent-backlog';
      ctx.log(`${name}: ${plan.urgent.samples} samples x ${plan.urgent.reps} reps`);
      const samples = await withImpls(
        {},
        (impls) => interleaveAsync(impls, plan.urgent.reps, (impl, rep) => urgentOnce(impl, { ...plan.urgent, backlog, threads: THREADS, seed: plan.urgent.seed + rep })),
        [twoPiscinaPools, rawPiscina],
      );
      rows.push(...toRows(name, undefined, samples, URGENT_UNITS));
    }
    ctx.log(`fairness: ${plan.fairness.windowMs} ms x ${plan.fairness.reps} reps`);
    const fair = await withImpls({ policy: 'fair' }, (impls) => interleaveAsync(impls, plan.fairness.reps, (impl) => fairnessOnce(impl, plan.fairness)));
    rows.push(...toRows('fairness', undefined, fair, { share1Pct: '%', share2Pct: '%', share4Pct: '%', maxDeviationPct: '%', maxDeviationPoints: 'points', jain: 'index' }));
    ctx.log(`efficiency: ${plan.efficiency.n} tasks x ${plan.efficiency.reps} reps`);
    const eff = await withImpls({}, (impls) => interleaveAsync(impls, plan.efficiency.reps, (impl) => efficiencyOnce(impl, { ...plan.efficiency, threads: THREADS })));
    rows.push(...toRows('efficiency', plan.efficiency.n, eff, { efficiencyPct: '%', wallMs: 'ms' }));
    return { rows, series: [fairnessSeries(fair, WEIGHTS)] };
  },
  derive: (results) => derivePoolFigures(results, { quantumMs: QUANTUM_MS }),
  headline: poolHeadline,
};
