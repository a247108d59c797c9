// The rows of the dispatch suite that the "How fast" section of docs/performance.md quotes
// (bench/README.md, "The headline"): each says what one repetition does.
import { sizesOf } from '../../lib/headline.mjs';

const THROUGHPUT =
  'n no-op tasks in five random priority classes: `scheduler.run(() => mark(i), { priority })` on one long-lived Scheduler against each peer, timed from the first schedule call until the n-th task has run. Every implementation makes a closure and an options object per task inside the timed region; floor-scheduler is the least JavaScript priority scheduler (bench/lib/floor-scheduler.mjs).';
const LISTENER =
  'the throughput workload on timeslice with no listener against the same with one `taskfail` listener attached (no task fails): above 1 is what the listener costs.';
const WORK = 'n tasks of ~20 us of CPU each (a calibrated loop), random classes, closures made per task: how fast useful work gets done.';
const MEMORY = 'bytes per pending task: growth of heapUsed + external after n registrations and a full GC, a closure and an options object per task (the closure counted for every implementation).';
const RETAINED = 'heapUsed + external kept 2 s after a burst of n tasks ran out, above the same process with the fresh scheduler made.';

export function dispatchHeadline(results) {
  const entries = [];
  const rate = { metric: 'tasksPerSec', cpuMetric: 'tasksPerCpuSec' };
  for (const n of sizesOf(results, 'throughput')) {
    entries.push({ case: 'throughput', n, ...rate, peers: ['react-scheduler', 'fastq', 'floor-scheduler'], what: THROUGHPUT });
  }
  for (const n of sizesOf(results, 'listener')) entries.push({ case: 'listener', n, ...rate, peers: ['timeslice-taskfail'], what: LISTENER });
  for (const caseName of new Set(results.filter((r) => r.case.startsWith('work-')).map((r) => r.case))) {
    for (const n of sizesOf(results, caseName)) entries.push({ case: caseName, n, ...rate, peers: ['react-scheduler', 'fastq'], what: WORK });
  }
  for (const n of sizesOf(results, 'memory')) entries.push({ case: 'memory', n, metric: 'bytesPerTask', peers: ['react-scheduler', 'fastq'], what: MEMORY });
  for (const n of sizesOf(results, 'retained')) entries.push({ case: 'retained', n, metric: 'retainedMB', peers: [], what: RETAINED });
  return entries;
}
