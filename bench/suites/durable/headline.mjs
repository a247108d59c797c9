// The rows of the durable suite that the "How fast" section of docs/performance.md quotes
// (bench/README.md, "The headline"): each says what one repetition does.
import { sizesOf } from '../../lib/headline.mjs';

const LEVEL = {
  full: 'SQLite synchronous=FULL for timeslice and plainjob, Redis AOF with appendfsync always for BullMQ (each write on disk before it is acknowledged)',
  normal: 'SQLite synchronous=NORMAL for timeslice and plainjob (a process crash loses nothing; power loss may lose the last commits)',
};

export function durableHeadline(results) {
  const entries = [];
  for (const level of ['full', 'normal']) {
    for (const n of sizesOf(results, `enqueue-${level}`)) {
      entries.push({
        case: `enqueue-${level}`,
        n,
        metric: 'jobsPerSec',
        cpuMetric: 'totalCpuNsPerJob',
        what: `one batched enqueue of n no-op jobs, an options object per job made in the timed region (timeslice scheduleMany, plainjob addMany, BullMQ addBulk); ${LEVEL[level]}. CPU: this process, plus Redis's for BullMQ.`,
      });
    }
    for (const concurrency of [1, 8]) {
      const caseName = `end-to-end-c${concurrency}-${level}`;
      for (const n of sizesOf(results, caseName)) {
        entries.push({
          case: caseName,
          n,
          metric: 'jobsPerSec',
          cpuMetric: 'totalCpuNsPerJob',
          what: `the same enqueue, then processing ${concurrency === 1 ? 'one job at a time' : `${concurrency} jobs at a time`}, timed until the n-th completion is durable; ${LEVEL[level]}. CPU: this process, plus Redis's for BullMQ.`,
        });
      }
    }
  }
  return entries;
}
