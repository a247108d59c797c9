// The rows of the postgres suite that the "How fast" section of
// docs/performance.md quotes: timeslice against both peers at 4 workers, per
// job and batched. None when timeslice was not run (no PostgreSQL store built).
import { sizesOf } from '../../lib/headline.mjs';

const MODE = {
  perjob: 'each completion its own commit (graphile-worker defaults; pg-boss batchSize 1 with burst; timeslice its one mode, ends of one host turn sharing a commit)',
  batched: 'the peers batch fetch and completion (graphile-worker local queue 100 and batched completion; pg-boss batchSize 100 with burst); timeslice its one mode, as in w4-perjob',
};

export function postgresHeadline(results) {
  if (!results.some((r) => r.impl === 'timeslice')) return [];
  const entries = [];
  for (const mode of ['perjob', 'batched']) {
    const caseName = `w4-${mode}`;
    for (const n of sizesOf(results, caseName)) {
      entries.push({
        case: caseName,
        n,
        metric: 'jobsPerSec',
        cpuMetric: 'totalCpuNsPerJob',
        what: `n no-op jobs added beforehand, then 4 workers in one process, timed until the database shows every completion committed; ${MODE[mode]}; fresh PostgreSQL 15 database, fsync on. CPU: this process plus its PostgreSQL backends.`,
      });
    }
  }
  return entries;
}
