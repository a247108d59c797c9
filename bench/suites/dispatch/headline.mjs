// The rows of the dispatch suite that the README's "How fast" section quotes
// (bench/README.md, "The headline"): each says what one repetition does.
import { sizesOf } from '../../lib/headline.mjs';

const THROUGHPUT =
  'n no-op tasks in five random priority classes: `scheduler.run(fn, { priority })` on one long-lived Scheduler against each peer, timed from the first schedule call until the n-th task has run. Every implementation gets closures made before the timed region (one per task) and a preset option object per class.';
const MEMORY = 'bytes per pending task: growth of heapUsed + external after n registrations and a full GC, one shared task function (not a closure per task).';
const LATENESS = (busy) =>
  `1e4 one-shot timers at random times over 2 s: p99 of (start time - intended time)${busy ? ', while a setImmediate chain burns 5 ms of CPU per event-loop turn' : ', the process otherwise idle'}.`;

export function dispatchHeadline(results) {
  const entries = [];
  for (const n of sizesOf(results, 'throughput')) {
    entries.push({ case: 'throughput', n, metric: 'tasksPerSec', peers: ['react-scheduler', 'fastq', 'priority-floor'], what: THROUGHPUT });
  }
  for (const n of sizesOf(results, 'memory')) entries.push({ case: 'memory', n, metric: 'bytesPerTask', peers: ['react-scheduler', 'fastq'], what: MEMORY });
  for (const [caseName, busy] of [
    ['lateness-idle', false],
    ['lateness-busy', true],
  ]) {
    for (const n of sizesOf(results, caseName)) entries.push({ case: caseName, n, metric: 'p99Ms', peers: ['setTimeout'], what: LATENESS(busy) });
  }
  return entries;
}
