// The figures the dispatch issue sets targets for, from the medians:
// throughput speedups (timeslice tasks/s over a peer's: > 1 means timeslice
// is faster), bytes per pending task against React's scheduler (< 1 means
// timeslice holds less), and timer lateness p99 against setTimeout.
import { formatSize } from '../../lib/format.mjs';

const THROUGHPUT_TARGETS = { 'react-scheduler': 2, fastq: 4, 'p-queue': 20, 'p-queue-serial': 20 };
const NO_TARGET = {
  queueMicrotask: 'the floor: a host queue, no priorities, no yielding',
  'timeslice-fresh': 'a new Scheduler per repetition: wasm instantiation and first-touch page faults included',
  'priority-floor': 'closures called class by class from five arrays: no scheduler does less in priority order',
  'timeslice-core': 'the same core with no engine: what the engine and facade cost',
};
const SLICE_MS = 5;

function medianOf(results, caseName, n, impl, metric) {
  return results.find((r) => r.case === caseName && r.n === n && r.impl === impl && r.metric === metric)?.median;
}

function sizesOf(results, caseName) {
  return [...new Set(results.filter((r) => r.case === caseName).map((r) => r.n))];
}

function implsOf(results, caseName) {
  return [...new Set(results.filter((r) => r.case === caseName).map((r) => r.impl))];
}

function throughputFigures(results) {
  const out = [];
  for (const n of sizesOf(results, 'throughput')) {
    const ours = medianOf(results, 'throughput', n, 'timeslice', 'tasksPerSec');
    for (const peer of implsOf(results, 'throughput')) {
      const theirs = medianOf(results, 'throughput', n, peer, 'tasksPerSec');
      if (peer === 'timeslice' || ours === undefined || theirs === undefined) continue;
      const target = THROUGHPUT_TARGETS[peer];
      const note =
        target === undefined
          ? `throughput speedup; ${NO_TARGET[peer] ?? 'no target'}`
          : `throughput speedup; target >= ${target}x: ${ours / theirs >= target ? 'met' : 'missed'}`;
      out.push({ name: `throughput n=${formatSize(n)}: timeslice / ${peer}`, value: ours / theirs, unit: 'x', note });
    }
    // The same ratios for a Scheduler made per repetition, and for the floor of
    // priority-order dispatch: how far the targets are from what any priority
    // scheduler could reach on this workload.
    for (const reference of ['timeslice-fresh', 'priority-floor']) {
      const theirsRef = medianOf(results, 'throughput', n, reference, 'tasksPerSec');
      if (theirsRef === undefined) continue;
      for (const [peer, target] of Object.entries(THROUGHPUT_TARGETS)) {
        const theirs = medianOf(results, 'throughput', n, peer, 'tasksPerSec');
        if (theirs === undefined) continue;
        out.push({
          name: `throughput n=${formatSize(n)}: ${reference} / ${peer}`,
          value: theirsRef / theirs,
          unit: 'x',
          note: `reference for the ${target}x target`,
        });
      }
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
        note: `target < 1x: ${ours < react ? 'met' : 'missed'}`,
      });
    }
  }
  return out;
}

function latenessFigures(results) {
  const out = [];
  for (const [caseName, label] of [['lateness-idle', 'idle'], ['lateness-busy', 'busy']]) {
    for (const n of sizesOf(results, caseName)) {
      const ours = medianOf(results, caseName, n, 'timeslice', 'p99Ms');
      const node = medianOf(results, caseName, n, 'setTimeout', 'p99Ms');
      if (ours === undefined || node === undefined) continue;
      const target = label === 'idle' ? ours <= node : ours <= SLICE_MS + 1;
      const goal = label === 'idle' ? "<= setTimeout's p99" : `<= ${SLICE_MS + 1} ms (slice + 1 ms)`;
      out.push({ name: `lateness p99 ${label}: timeslice`, value: ours, unit: 'ms', note: `target ${goal}: ${target ? 'met' : 'missed'}` });
      out.push({ name: `lateness p99 ${label}: setTimeout`, value: node, unit: 'ms' });
      out.push({ name: `lateness p99 ${label}: timeslice - setTimeout`, value: ours - node, unit: 'ms' });
    }
  }
  return out;
}

export function deriveDispatchFigures(results) {
  return [...throughputFigures(results), ...memoryFigures(results), ...latenessFigures(results)];
}
