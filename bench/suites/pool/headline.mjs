// The rows of the pool suite that the README's "How fast" section quotes
// (bench/README.md, "The headline"): each says what one repetition does.
import { sizesOf } from '../../lib/headline.mjs';

const PEERS = ['piscina'];

export function poolHeadline(results) {
  const entries = [];
  for (const n of sizesOf(results, 'tiny')) {
    entries.push({
      case: 'tiny',
      n,
      metric: 'tasksPerSec',
      peers: PEERS,
      what: 'n tasks returning their input on 2 threads, submitted at once, timed to the last result; Piscina gets one run() (one message) per task, with its defaults.',
    });
  }
  for (const [caseName, queued] of [
    ['urgent-idle', 'both threads busy with 200 ms background tasks'],
    ['urgent-backlog', 'both threads busy with 200 ms background tasks and 4 more queued'],
  ]) {
    if (sizesOf(results, caseName).length === 0) continue;
    entries.push({ case: caseName, metric: 'startP99Ms', peers: PEERS, what: `p99 of the time to start a tiny critical task (60 per rep), ${queued}.` });
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
