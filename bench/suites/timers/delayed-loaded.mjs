// The delayed tasks on a loaded machine (`delayed-loaded`): the workload of
// delayed.mjs while busy-loop processes keep every core busy, timeslice
// against setTimeout, each sample in a fresh process.
//
// Why fresh processes and many rounds: with every core taken, a task's
// lateness is mostly how long the OS keeps the woken process waiting for a
// core, and that moves with whatever else the machine runs. In one process
// with 5 interleaved repetitions the p99 of one implementation moved from 3
// to 32 ms between repetitions, and the ratio of the two p99s was 0.81x in
// one run and 2.18x in another (bench/README.md). So each sample is a
// `node bench/ab/delayed-run.mjs` of its own (an untimed warm-up round, then
// one timed round, as ab/delayed-cpu.mjs does), the two implementations
// alternate with the order rotated every round (A B, B A, ...), and the
// figure is the median over rounds of the paired ratio (timeslice's p99 over
// the setTimeout p99 of the same round) with its 95% interval
// (lib/fresh-process.mjs medianInterval): whether the target is met, missed
// or not resolved by this many rounds.
//
// Warmth: a sample's process has run one warm-up round, a long-lived
// application far more. Four warm-up rounds instead of one
// (ab/delayed-trace.mjs 3 1e4 4, load 16-19) left timeslice's main-thread
// CPU per wake-up over the window as it was (0.10-0.16 ms; 0.10-0.19 with one).
//
// The load, the same for both: one busy-loop process per core
// (busy-loops.mjs, as scripts/with-load.mjs starts for the tests), running
// from before the first round until after the last, plus whatever else the
// machine runs: the 1-minute load average is read before every sample and
// kept in the results (info.delayedLoaded). Where Linux groups processes by
// session (sched_autogroup_enabled), the loops and the samples share the
// suite's group: a sample competes with the loops inside it, and the group
// with the rest of the machine.
import { fileURLToPath } from 'node:url';
import { alternate, sampleInFreshProcess } from '../../lib/fresh-process.mjs';
import { loadAverage } from '../../lib/machine.mjs';
import { cpuRows, toRows } from '../../lib/rows.mjs';
import { startBusyLoops } from './busy-loops.mjs';

const RUN_SCRIPT = fileURLToPath(new URL('../../ab/delayed-run.mjs', import.meta.url));

/** The implementations of the loaded case: the target is against setTimeout's p99. */
export const LOADED_IMPLS = ['timeslice', 'setTimeout'];

const UNITS = { p50Ms: 'ms', p99Ms: 'ms', maxMs: 'ms', cpuMs: 'ms' };

/** Rows of `delayed-loaded`; records the load it ran under in ctx.info.delayedLoaded. */
export async function delayedLoadedCase(plan, ctx, caseName = 'delayed-loaded') {
  const { tasks, windowMs, loadedLeadMs, loadedRounds, requireLead } = plan.delayed;
  ctx.log(`${caseName}: ${tasks} tasks over ${windowMs} ms, ${LOADED_IMPLS.join(' and ')}, ${loadedRounds} rounds of fresh processes`);
  const stopLoops = await startBusyLoops();
  const loads = [];
  let samples;
  try {
    samples = alternate(LOADED_IMPLS, loadedRounds, (impl, round) => {
      loads.push(loadAverage()[0]);
      const args = [...(requireLead ? ['--require-lead'] : []), impl, String(tasks), String(windowMs), String(loadedLeadMs), '1'];
      const [sample] = sampleInFreshProcess(RUN_SCRIPT, args).rounds;
      ctx.log(`  round ${round + 1}/${loadedRounds} ${impl}: p99 ${sample.p99Ms.toFixed(2)} ms, load ${loads.at(-1)}`);
      return sample;
    });
  } finally {
    await stopLoops();
  }
  ctx.info.delayedLoaded = {
    busyLoops: 'one per core (bench/suites/timers/busy-loops.mjs)',
    processes: 'fresh per sample (bench/ab/delayed-run.mjs, one warm-up round)',
    rounds: loadedRounds,
    loadAverage1m: { min: Math.min(...loads), max: Math.max(...loads), perSample: loads },
  };
  const byImpl = new Map(LOADED_IMPLS.map((impl) => [impl, Object.fromEntries(Object.keys(UNITS).map((metric) => [metric, samples.get(impl).map((s) => s[metric])]))]));
  return [...toRows(caseName, tasks, byImpl, UNITS), ...cpuRows(caseName, tasks, byImpl, { per: 'task' })];
}
