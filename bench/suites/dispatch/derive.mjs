// The figures issue 11 sets targets for, from the medians: timeslice's
// throughput over each peer's by wall time and by CPU time (> 1: timeslice
// is faster), the floor-scheduler's over timeslice's (<= 1.25 is the
// target), what a taskfail listener costs, ~20 us tasks against React's
// scheduler, bytes per pending task against React's (< 1: timeslice holds
// less) and memory kept after a burst.
import { formatSize } from '../../lib/format.mjs';
import { findRow, leadOver } from '../../lib/headline.mjs';

const SPEEDUP_TARGETS = { 'react-scheduler': 3, fastq: 3 };
const FLOOR_TARGET = 1.25;
const LISTENER_COST_TARGET = 0.05;
const WORK_TARGETS = { 'react-scheduler': 1 };
const RETAINED_TARGET_MB = 16;
const RATES = [
  ['wall', 'tasksPerSec'],
  ['CPU', 'tasksPerCpuSec'],
];

function medianOf(results, caseName, n, impl, metric) {
  return results.find((r) => r.case === caseName && r.n === n && r.impl === impl && r.metric === metric)?.median;
}

function sizesOf(results, caseName) {
  return [...new Set(results.filter((r) => r.case === caseName).map((r) => r.n))];
}

function implsOf(results, caseName) {
  return [...new Set(results.filter((r) => r.case === caseName).map((r) => r.impl))];
}

const verdict = (met) => (met ? 'met' : 'missed');

/** timeslice's rate over each peer's, wall and CPU, in one case. */
function speedups(results, caseName, targets) {
  const out = [];
  for (const n of sizesOf(results, caseName)) {
    for (const [clock, metric] of RATES) {
      const ours = medianOf(results, caseName, n, 'timeslice', metric);
      if (ours === undefined) continue;
      for (const peer of implsOf(results, caseName)) {
        const theirs = medianOf(results, caseName, n, peer, metric);
        if (peer === 'timeslice' || theirs === undefined) continue;
        const target = targets[peer];
        const ratio = ours / theirs;
        const note = target === undefined ? `${clock}; no target` : `${clock}; target >= ${target}x: ${verdict(ratio >= target)}`;
        out.push({ name: `${caseName} n=${formatSize(n)}: timeslice / ${peer} (${clock})`, value: ratio, unit: 'x', note });
      }
      const floor = medianOf(results, caseName, n, 'floor-scheduler', metric);
      if (caseName === 'throughput' && floor !== undefined) {
        out.push({
          name: `throughput n=${formatSize(n)}: floor-scheduler / timeslice (${clock})`,
          value: floor / ours,
          unit: 'x',
          note: `${clock}; how much faster the floor is; target <= ${FLOOR_TARGET}x: ${verdict(floor / ours <= FLOOR_TARGET)}`,
        });
      }
    }
  }
  return out;
}

/** The listener's cost, from the pairs of fresh processes (listener.mjs): 1 - rate with / rate without, pair by pair. */
function listenerFigures(results) {
  const out = [];
  for (const n of sizesOf(results, 'listener')) {
    for (const [clock, metric] of RATES) {
      const none = findRow(results, { case: 'listener', n, impl: 'timeslice', metric });
      const one = findRow(results, { case: 'listener', n, impl: 'timeslice-taskfail', metric });
      if (none === undefined || one === undefined) continue;
      // leadOver(one, none): rate with over rate without, paired when both rows kept their samples.
      const kept = leadOver(one, none, 'higher');
      const cost = 1 - kept.median;
      const pct = (x) => `${(x * 100).toFixed(1)}%`;
      out.push({
        name: `listener n=${formatSize(n)}: cost of one taskfail listener (${clock})`,
        value: cost * 100,
        unit: '%',
        note: `1 - rate with / rate without, ${kept.paired ? 'paired' : 'of medians'} (${pct(1 - kept.max)} to ${pct(1 - kept.min)}); target <= ${LISTENER_COST_TARGET * 100}%: ${verdict(cost <= LISTENER_COST_TARGET)}`,
      });
    }
  }
  return out;
}

function memoryFigures(results) {
  const out = [];
  for (const n of sizesOf(results, 'memory')) {
    const ours = medianOf(results, 'memory', n, 'timeslice', 'bytesPerTask');
    const react = medianOf(results, 'memory', n, 'react-scheduler', 'bytesPerTask');
    for (const impl of implsOf(results, 'memory')) {
      const bytes = medianOf(results, 'memory', n, impl, 'bytesPerTask');
      if (bytes !== undefined) out.push({ name: `bytes per pending task n=${formatSize(n)}: ${impl}`, value: bytes, unit: 'bytes' });
    }
    if (ours !== undefined && react !== undefined) {
      out.push({
        name: `bytes per pending task n=${formatSize(n)}: timeslice / react-scheduler`,
        value: ours / react,
        unit: 'x',
        note: `target < 1x: ${verdict(ours < react)}`,
      });
    }
  }
  return out;
}

function retainedFigures(results) {
  const out = [];
  for (const n of sizesOf(results, 'retained')) {
    for (const impl of implsOf(results, 'retained')) {
      const mb = medianOf(results, 'retained', n, impl, 'retainedMB');
      if (mb === undefined) continue;
      const note = impl === 'timeslice' ? `target <= ${RETAINED_TARGET_MB} MB: ${verdict(mb <= RETAINED_TARGET_MB)}` : 'reference';
      out.push({ name: `retained after a burst of ${formatSize(n)}: ${impl}`, value: mb, unit: 'MB', note });
    }
  }
  return out;
}

export function deriveDispatchFigures(results) {
  const workCases = [...new Set(results.filter((r) => r.case.startsWith('work-')).map((r) => r.case))];
  return [
    ...speedups(results, 'throughput', SPEEDUP_TARGETS),
    ...listenerFigures(results),
    ...workCases.flatMap((caseName) => speedups(results, caseName, WORK_TARGETS)),
    ...memoryFigures(results),
    ...retainedFigures(results),
  ];
}
