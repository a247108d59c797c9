// Result rows: the one shape every suite returns (see bench/README.md).
import { summarize } from './stats.mjs';

/**
 * Rows for one case at one size from interleave()'s samples. `units` maps
 * each metric to report to its unit; metrics without a unit are not reported.
 */
export function toRows(caseName, n, samplesByImpl, units) {
  const rows = [];
  for (const [impl, byMetric] of samplesByImpl) {
    for (const [metric, unit] of Object.entries(units)) {
      const samples = byMetric[metric];
      if (samples === undefined) continue;
      rows.push({ case: caseName, impl, metric, unit, ...summarize(samples), ...(n === undefined ? {} : { n }) });
    }
  }
  return rows;
}

/** Checks a suite's rows have the documented shape; throws naming the first bad one. */
export function validateRows(rows, suiteName) {
  if (!Array.isArray(rows)) throw new TypeError(`suite ${suiteName}: run() must resolve to an array of rows`);
  for (const row of rows) {
    const ok =
      typeof row.case === 'string' &&
      typeof row.impl === 'string' &&
      typeof row.metric === 'string' &&
      typeof row.unit === 'string' &&
      [row.median, row.min, row.max].every(Number.isFinite) &&
      Number.isInteger(row.reps) &&
      row.reps >= 1 &&
      (row.n === undefined || Number.isInteger(row.n));
    if (!ok) throw new TypeError(`suite ${suiteName}: malformed result row ${JSON.stringify(row)}`);
  }
}
