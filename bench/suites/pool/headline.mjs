// The rows of the pool suite that the "How fast" section of docs/performance.md quotes
// (bench/README.md, "The headline"): each says what one repetition does.
import { sizesOf } from '../../lib/headline.mjs';

const PEERS = ['piscina'];
const URGENT_PEERS = ['piscina-2pools', 'piscina'];

export function poolHeadline(results) {
  const entries = [];
  for (const n of sizesOf(results, 'tiny')) {
    entries.push({
      case: 'tiny',
      n,
      metric: 'tasksPerSec',
      peers: ['piscina', 'piscina-batch100'],
      what: 'n tasks returning their input on 2 threads, submitted at once with a pool.run() and an options object each, timed to the last result; Piscina with one run() (one message) per task, and with the user batching 100 per run(), each at its best concurrentTasksPerWorker.',
    });
  }
  for (const [caseName, queued] of [
    ['urgent-idle', 'both threads busy with background tasks'],
    ['urgent-backlog', 'both threads busy with background tasks and 4 more queued'],
  ]) {
    if (sizesOf(results, caseName).length === 0) continue;
    entries.push({ case: caseName, metric: 'startP99Ms', peers: URGENT_PEERS, what: `p99 of the time to start a tiny critical task (60 per rep), ${queued}; piscina-2pools keeps one of the 2 threads for critical tasks.` });
    entries.push({ case: caseName, metric: 'backgroundTasksPerSec', peers: URGENT_PEERS, what: `background work done meanwhile (tasks of 800 fixed steps, per second), ${queued}.` });
  }
  for (const n of sizesOf(results, 'efficiency')) {
    entries.push({
      case: 'efficiency',
      n,
      metric: 'efficiencyPct',
      better: 'higher',
      peers: PEERS,
      what: 'n tasks of 5 ms CPU submitted at once: useful CPU / (wall time x 2 threads).',
    });
  }
  return entries;
}
