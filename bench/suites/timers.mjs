// The timers suite: timeslice's timers through the public API a user calls
// (`scheduler.after(ms, fn)`, `handle.cancel()`) against setTimeout and React's
// scheduler. Parts live in ./timers/; bench/README.md ("The timers suite")
// explains each case. The core's raw timer exports are timed in the core
// suite, as internals.
//
// Cases:
//   insert-cancel-random     n timers with random delays set, then all cancelled in the order set (timers/s, wall and CPU)
//   insert-cancel-one-delay  the same with one delay for all: request timeouts
//   memory-random            bytes per pending timer (heapUsed + external growth), one shared function
//   memory-one-delay         the same with one delay for all
//   delayed-quiet            1e4 delayed tasks over 1 s: process CPU, lateness p50/p99/max
//   delayed-busy-turns       the same while a setImmediate chain in this process burns 5 ms per event-loop turn (lateness only)
//   delayed-loaded           the same with every core kept busy by other processes: timeslice and setTimeout,
//                            a fresh process per sample, 21 rounds (timers/delayed-loaded.mjs)
import { formatSize } from '../lib/format.mjs';
import { formatSpread, medianInterval, pairedRatios, spread } from '../lib/fresh-process.mjs';
import { findRow, leadOver, sizesOf } from '../lib/headline.mjs';
import { delayedCases } from './timers/delayed.mjs';
import { insertCancelCase, releaseInsertCancel } from './timers/insert-cancel.mjs';
import { memoryCase } from './timers/memory.mjs';

// Seven repetitions (five at 1e6) for insert-cancel, three for memory (it
// barely varies), five for the quiet and busy-turns delayed tasks (1.5 s
// each), and 21 rounds of the loaded case, each sample a fresh process of
// ~4.6 s (start, a warm-up round, then 2 s of lead and the 1 s window):
// 193 s for the loaded case at load 14-19, about 8 minutes for the suite on
// a 2-core machine. 21 rounds: the median's 95% interval is then the 6th
// to 16th of the 21 ratios, which resolved 2x (0.64-1.87, load 14-19)
// where 15 rounds did not (0.82-2.70, load 11-25).
const FULL = {
  sizes: [1e5, 1e6],
  repsFor: (n) => (n >= 1e6 ? 5 : 7),
  memorySizes: [1e5, 1e6],
  memoryReps: 3,
  delayed: { tasks: 1e4, windowMs: 1000, leadMs: 500, loadedLeadMs: 2000, busyMs: 5, reps: 5, loadedRounds: 21, requireLead: true },
  seed: 0x7153,
};

const QUICK = {
  ...FULL,
  sizes: [1e4],
  repsFor: () => 2,
  memorySizes: [1e4],
  memoryReps: 1,
  delayed: { tasks: 1e3, windowMs: 200, leadMs: 50, loadedLeadMs: 50, busyMs: 5, reps: 1, loadedRounds: 1, requireLead: false },
};

const INSERT_CANCEL = (pattern) =>
  `n timers ${pattern === 'random' ? 'with random delays (~28 h to ~23 days)' : 'with one delay for all (request timeouts)'}: \`scheduler.after(delayMs, () => fire(i))\` then \`handle.cancel()\` in the order set, on one long-lived started Scheduler, against \`setTimeout\` + \`clearTimeout\`; a closure per timer made inside the timed region; timers per second (insert + cancel).`;
const MEMORY = (pattern) =>
  `bytes per pending timer (${pattern === 'random' ? 'random delays' : 'one delay'}): growth of heapUsed + external after n timers and a full GC, every timer calling one shared function (no closure counted), the handles dropped (what the scheduler keeps; Node keeps its Timeouts either way).`;
const DELAYED_BESIDE = {
  'delayed-quiet': '',
  'delayed-busy-turns': ', while a setImmediate chain in the same process burns 5 ms of CPU per event-loop turn',
  'delayed-loaded': ', with every core kept busy by busy-loop processes, each sample a fresh process (median of the paired ratios over the rounds)',
};
/** The peers of each delayed case: the loaded one runs fresh processes of timeslice and setTimeout only. */
const DELAYED_PEERS = (caseName) => (caseName === 'delayed-loaded' ? ['setTimeout'] : ['setTimeout', 'react-scheduler']);
const DELAYED = (caseName) =>
  `1e4 \`after()\` at random times over 1 s${DELAYED_BESIDE[caseName]}, against ${DELAYED_PEERS(caseName).length === 1 ? 'setTimeout' : "setTimeout and React's scheduler `{ delay }`"}: lateness p99 (start time - intended time; above 1: timeslice less late)${caseName === 'delayed-busy-turns' ? '' : ' and process CPU from the first registration to the last run'}.`;

function timersHeadline(results) {
  const entries = [];
  for (const pattern of ['random', 'one-delay']) {
    const caseName = `insert-cancel-${pattern}`;
    for (const n of sizesOf(results, caseName)) {
      entries.push({ case: caseName, n, metric: 'timersPerSec', cpuMetric: 'timersPerCpuSec', peers: ['setTimeout'], what: INSERT_CANCEL(pattern) });
    }
  }
  for (const pattern of ['random', 'one-delay']) {
    const caseName = `memory-${pattern}`;
    for (const n of sizesOf(results, caseName)) entries.push({ case: caseName, n, metric: 'bytesPerTimer', peers: ['setTimeout'], what: MEMORY(pattern) });
  }
  for (const caseName of Object.keys(DELAYED_BESIDE)) {
    // The busy-turns case has no CPU rows: the chain keeps the process busy throughout.
    const cpu = caseName === 'delayed-busy-turns' ? {} : { cpuMetric: 'cpuNsPerTask' };
    for (const n of sizesOf(results, caseName)) {
      entries.push({ case: caseName, n, metric: 'p99Ms', ...cpu, peers: DELAYED_PEERS(caseName), what: DELAYED(caseName) });
    }
  }
  return entries;
}

const median = (row) => row?.median;

/** The busy-turns case's target, kept from the dispatch suite where the case began: the 5 ms burn in progress, plus 1 ms. */
const BUSY_TURNS_P99_TARGET_MS = 6;

/** Delayed tasks: CPU against setTimeout's, and lateness p99 against setTimeout's under each condition. */
function delayedFigures(results) {
  const out = [];
  const met = (ok) => (ok ? 'met' : 'missed');
  for (const caseName of ['delayed-quiet', 'delayed-busy-turns', 'delayed-loaded']) {
    for (const n of sizesOf(results, caseName)) {
      const at = (impl, metric) => findRow(results, { case: caseName, n, impl, metric });
      const oursP99 = median(at('timeslice', 'p99Ms'));
      const theirsP99 = median(at('setTimeout', 'p99Ms'));
      if (oursP99 === undefined || theirsP99 === undefined) continue;
      if (caseName !== 'delayed-busy-turns') {
        const cpu = leadOver(at('timeslice', 'cpuNsPerTask'), at('setTimeout', 'cpuNsPerTask'), 'higher');
        const target = caseName === 'delayed-quiet' ? `target <= 1.2x: ${met(cpu.median <= 1.2)}` : 'no target';
        out.push({ name: `${caseName}: timeslice CPU / setTimeout's`, value: cpu.median, unit: 'x', note: `paired reps ${cpu.min.toFixed(2)}-${cpu.max.toFixed(2)}; ${target}` });
      }
      if (caseName === 'delayed-quiet') {
        out.push({ name: `${caseName}: timeslice lateness p99 - setTimeout's`, value: oursP99 - theirsP99, unit: 'ms', note: `target <= 1 ms: ${met(oursP99 - theirsP99 <= 1)}` });
      } else if (caseName === 'delayed-busy-turns') {
        out.push({ name: `${caseName}: timeslice lateness p99`, value: oursP99, unit: 'ms', note: `target <= ${BUSY_TURNS_P99_TARGET_MS} ms (the 5 ms burn + 1 ms): ${met(oursP99 <= BUSY_TURNS_P99_TARGET_MS)}` });
        out.push({ name: `${caseName}: timeslice lateness p99 - setTimeout's`, value: oursP99 - theirsP99, unit: 'ms', note: 'no target' });
      } else {
        out.push(loadedP99Figure(caseName, at('timeslice', 'p99Ms'), at('setTimeout', 'p99Ms')));
      }
    }
  }
  return out;
}

/** delayed-loaded's target: timeslice's lateness p99 at most 2x setTimeout's under the same load. */
const LOADED_P99_TARGET = 2;

/**
 * delayed-loaded: timeslice's p99 over setTimeout's, round by round (each a
 * fresh process of each, the same busy loops), the median with its spread
 * and 95% interval. Results without samples (older ones) give the ratio of
 * the medians.
 */
function loadedP99Figure(caseName, ours, theirs) {
  const name = `${caseName}: timeslice lateness p99 / setTimeout's`;
  if (!ours.samples || !theirs.samples || ours.samples.length !== theirs.samples.length) {
    const value = ours.median / theirs.median;
    return { name, value, unit: 'x', note: `ratio of the medians (no paired samples); target <= ${LOADED_P99_TARGET}x: ${value <= LOADED_P99_TARGET ? 'met' : 'missed'}` };
  }
  const ratios = pairedRatios(ours.samples, theirs.samples);
  const s = spread(ratios);
  const interval = medianInterval(ratios);
  const verdict =
    interval === undefined
      ? `${s.median <= LOADED_P99_TARGET ? 'met' : 'missed'} (too few rounds for an interval)`
      : interval.high <= LOADED_P99_TARGET
        ? 'met'
        : interval.low > LOADED_P99_TARGET
          ? 'missed'
          : `not resolved (the median's 95% interval holds ${LOADED_P99_TARGET}x)`;
  const ofMedians = (ours.median / theirs.median).toFixed(2);
  return { name, value: s.median, unit: 'x', note: `paired by round: ${formatSpread(s, 2, interval)}; ratio of the medians ${ofMedians}x; target <= ${LOADED_P99_TARGET}x: ${verdict}` };
}

/** The figures issue 11 sets targets for, each with its target and whether it was met. */
function deriveTimersFigures(results) {
  const out = [];
  const met = (ok) => (ok ? 'met' : 'missed');
  for (const [pattern, target] of [
    ['random', 5],
    ['one-delay', 3],
  ]) {
    const caseName = `insert-cancel-${pattern}`;
    for (const n of sizesOf(results, caseName)) {
      for (const [metric, what] of [
        ['timersPerSec', 'wall'],
        ['timersPerCpuSec', 'CPU'],
      ]) {
        const ours = findRow(results, { case: caseName, n, impl: 'timeslice', metric });
        const theirs = findRow(results, { case: caseName, n, impl: 'setTimeout', metric });
        if (!ours || !theirs) continue;
        const lead = leadOver(ours, theirs);
        out.push({
          name: `${caseName} n=${formatSize(n)}: timeslice / setTimeout (${what})`,
          value: lead.median,
          unit: 'x',
          note: `paired reps ${lead.min.toFixed(2)}-${lead.max.toFixed(2)}; target >= ${target}x: ${met(lead.median >= target)}`,
        });
        const floor = findRow(results, { case: caseName, n, impl: 'timer-floor', metric });
        if (floor) {
          const room = leadOver(floor, theirs);
          out.push({
            name: `${caseName} n=${formatSize(n)}: timer-floor / setTimeout (${what})`,
            value: room.median,
            unit: 'x',
            note: 'the lead of the least any timer API does (the closure and a clock read kept until cancelled): no implementation can lead setTimeout by more',
          });
        }
      }
    }
  }
  for (const pattern of ['random', 'one-delay']) {
    for (const n of sizesOf(results, `memory-${pattern}`)) {
      const bytes = median(findRow(results, { case: `memory-${pattern}`, n, impl: 'timeslice', metric: 'bytesPerTimer' }));
      if (bytes === undefined) continue;
      out.push({ name: `memory-${pattern} n=${formatSize(n)}: bytes per pending timer`, value: bytes, unit: 'bytes', note: `target <= 96: ${met(bytes <= 96)}` });
    }
  }
  out.push(...delayedFigures(results));
  return out;
}

export default {
  name: 'timers',
  description: 'timers through the public API (after + cancel) vs setTimeout and React scheduler {delay}: insert + cancel, bytes per pending timer, delayed-task CPU and lateness, quiet, behind busy event-loop turns and loaded',
  async run(ctx) {
    const plan = ctx.quick ? QUICK : FULL;
    ctx.info.sizes = plan.sizes;
    ctx.info.memorySizes = plan.memorySizes;
    ctx.info.delayed = plan.delayed;
    ctx.info.seed = plan.seed;
    const rows = [...insertCancelCase(plan, ctx, 'random'), ...insertCancelCase(plan, ctx, 'one-delay')];
    await releaseInsertCancel();
    rows.push(...(await memoryCase(plan, ctx, 'random')), ...(await memoryCase(plan, ctx, 'one-delay')));
    rows.push(...(await delayedCases(plan, ctx)));
    return rows;
  },
  derive: deriveTimersFigures,
  headline: timersHeadline,
};
