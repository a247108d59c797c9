// What one event listener costs: the throughput workload on timeslice with
// no listener, and with one `taskfail` listener attached (a common thing to
// have: log every failure). No task fails, so the listener never runs: the
// row measures what its presence costs every task.
//
// Each sample is a process of its own (listener-run.mjs: a started Scheduler,
// the listener added or not, a warm-up, then rounds of n tasks, a full GC
// before each; the sample is the median of its rounds), the two variants
// alternating A B B A (lib/fresh-process.mjs). Measured instead in this
// process, on the long-lived Scheduler the other cases share, the two
// variants took turns inheriting each other's heap and feedback, and the
// ratio spread 0.57-1.38 around a difference of a few percent. The rows keep
// their samples in pair order, so the derived cost is the paired ratio.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { alternate, sampleInFreshProcess } from '../../lib/fresh-process.mjs';
import { summarize } from '../../lib/stats.mjs';
import { throughputRows } from './throughput.mjs';

const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'listener-run.mjs');
const IMPL_OF = { without: 'timeslice', with: 'timeslice-taskfail' };

/** One fresh process's sample: the median of its rounds, in the throughput case's metrics. */
function freshSample(variant, n, rounds, seed) {
  const { rounds: timed } = sampleInFreshProcess(script, [variant, String(n), String(rounds), String(seed)]);
  const median = (metric) => summarize(timed.map((round) => round[metric])).median;
  return {
    wallMs: median('wallMs'),
    cpuMs: median('cpuMs'),
    tasksPerSec: summarize(timed.map((round) => n / (round.wallMs / 1000))).median,
    scheduleNsPerTask: (median('scheduleMs') * 1e6) / n,
    runNsPerTask: (median('runMs') * 1e6) / n,
  };
}

export async function listenerCase(plan, ctx) {
  const rows = [];
  for (const n of plan.listenerSizes) {
    ctx.log(`listener n=${n}: ${plan.listenerPairs} pairs of fresh processes, ${plan.listenerRounds} rounds each`);
    const byVariant = alternate(['without', 'with'], plan.listenerPairs, (variant) => freshSample(variant, n, plan.listenerRounds, plan.seed));
    const samples = new Map();
    for (const [variant, list] of byVariant) {
      const byMetric = {};
      for (const sample of list) for (const [metric, value] of Object.entries(sample)) (byMetric[metric] ??= []).push(value);
      samples.set(IMPL_OF[variant], byMetric);
    }
    rows.push(...throughputRows('listener', n, samples));
  }
  return rows;
}
