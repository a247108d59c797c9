// Result rows: the one shape every suite returns (see bench/README.md).
import { summarize } from './stats.mjs';

/** The impl name that speaks for the product: its public API, never its internals. */
export const PRODUCT_IMPL = 'timeslice';

/**
 * Rows for one case at one size from interleave()'s samples. `units` maps
 * each metric to report to its unit; metrics without a unit are not reported.
 * Each row keeps its samples in repetition order, so two implementations'
 * repetitions can be paired (rep i of each ran back to back).
 */
export function toRows(caseName, n, samplesByImpl, units) {
  const rows = [];
  for (const [impl, byMetric] of samplesByImpl) {
    for (const [metric, unit] of Object.entries(units)) {
      const samples = byMetric[metric];
      if (samples === undefined) continue;
      rows.push({ case: caseName, impl, metric, unit, ...summarize(samples), samples: [...samples], ...(n === undefined ? {} : { n }) });
    }
  }
  return rows;
}

/**
 * CPU rows from the `cpuMs` interleave() records in every sample: for `count`
 * units of work (default n) per sample, `cpuNsPer<Unit>` (ns/<unit>) and
 * `<unit>sPerCpuSec` (<unit>s/cpu-s), e.g. cpuNsPerTask and tasksPerCpuSec.
 * The CPU is the timed region's (the run's stopwatch), all threads of the process.
 */
export function cpuRows(caseName, n, samplesByImpl, { per = 'task', count = n } = {}) {
  if (!(count > 0)) throw new TypeError(`cpuRows(${caseName}): count must be a positive number of ${per}s, got ${count}`);
  const unit = per[0].toUpperCase() + per.slice(1);
  const nsMetric = `cpuNsPer${unit}`;
  const rateMetric = `${per}sPerCpuSec`;
  const derived = new Map();
  for (const [impl, byMetric] of samplesByImpl) {
    const cpuMs = byMetric.cpuMs;
    if (cpuMs === undefined) throw new Error(`cpuRows(${caseName}): ${impl} has no cpuMs samples (were they made by interleave()?)`);
    derived.set(impl, {
      [nsMetric]: cpuMs.map((ms) => (ms * 1e6) / count),
      [rateMetric]: cpuMs.map((ms) => count / (ms / 1000)),
    });
  }
  return toRows(caseName, n, derived, { [nsMetric]: `ns/${per}`, [rateMetric]: `${per}s/cpu-s` });
}

/**
 * Marks rows that time the core's internals (raw exports, no public API): the
 * report labels them "core (internals)" and the README never quotes them as
 * the product's speed. `impls` limits it to those implementations (default: all rows).
 */
export function markInternals(rows, impls) {
  return rows.map((row) => (impls === undefined || impls.includes(row.impl) ? { ...row, scope: 'internals' } : row));
}

/** Whether a row times internals (see markInternals). */
export const isInternals = (row) => row.scope === 'internals';

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
      (row.n === undefined || Number.isInteger(row.n)) &&
      (row.scope === undefined || row.scope === 'internals') &&
      (row.samples === undefined || (Array.isArray(row.samples) && row.samples.length === row.reps && row.samples.every(Number.isFinite)));
    if (!ok) throw new TypeError(`suite ${suiteName}: malformed result row ${JSON.stringify(row)}`);
    if (row.impl === PRODUCT_IMPL && isInternals(row)) {
      throw new TypeError(
        `suite ${suiteName}: case ${row.case} has a row named '${PRODUCT_IMPL}' marked internals; '${PRODUCT_IMPL}' is the product through its public API, so name a row that times internals after what it calls (e.g. 'timeslice-core')`,
      );
    }
  }
}
