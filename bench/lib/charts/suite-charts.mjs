// Which charts a suite's results get, and their file names (all under
// bench/results/, beside the JSON):
//   <suite>-<case>.svg                        each case's headline metric (the suite's headline()
//                                             entry for the case, else its first metric), by size
//   <suite>-<case>-<family>-percentiles.svg   a case reporting p50/p90/p99-style metrics
//                                             (startP50Ms, startP99Ms, ...): percentiles per implementation
//   <suite>-<series>.svg                      each time series the suite returned
import { formatSize } from '../format.mjs';
import { higherIsBetter } from '../headline.mjs';
import { isInternals, PRODUCT_IMPL } from '../rows.mjs';
import { groupBy } from '../stats.mjs';
import { barChart } from './bars.mjs';
import { lineChart } from './lines.mjs';

// 'startP99Ms' -> start, 99, Ms; 'p50Ms' -> '', 50, Ms. The prefix ends in a
// lower-case letter (or is empty), so 'share1Pct' is not a percentile.
const PERCENTILE = /^((?:[a-z][A-Za-z0-9]*[a-z])?|[a-z]?)[pP](\d{2,3}(?:\.\d+)?)([A-Z][A-Za-z]*)?$/;

const slug = (name) =>
  name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

export function implKind(row) {
  if (isInternals(row)) return 'internals';
  if (row.impl === PRODUCT_IMPL) return 'product';
  return row.impl.startsWith(`${PRODUCT_IMPL}-`) ? 'variant' : 'peer';
}

const labelOf = (row) => (isInternals(row) ? `${row.impl} (internals)` : row.impl);

function describeReps(rows) {
  return [...new Set(rows.map((r) => r.reps))].join('/');
}

function loadNote(meta) {
  const start = meta.loadAverage?.start?.[0] ?? meta.loadAverage1m;
  return start === undefined ? '' : `, load ${start}`;
}

/** The percentile families of a case: family key -> [{percentile, metric}], only families of two or more. */
export function percentileFamilies(metrics) {
  const families = new Map();
  for (const metric of metrics) {
    const match = PERCENTILE.exec(metric);
    if (!match) continue;
    const key = `${match[1]}|${match[3] ?? ''}`;
    if (!families.has(key)) families.set(key, []);
    families.get(key).push({ percentile: Number(match[2]), metric });
  }
  for (const [key, members] of families) {
    if (members.length < 2) families.delete(key);
    else members.sort((a, b) => a.percentile - b.percentile);
  }
  return families;
}

function caseChart(suite, meta, caseName, rows, metric, headlineEntry) {
  const chosen = rows.filter((r) => r.metric === metric);
  const unit = chosen[0].unit;
  const bySize = groupBy(chosen, (r) => r.n ?? null);
  const groups = [...bySize].map(([n, sized]) => ({
    label: n === null ? undefined : `n = ${formatSize(n)}`,
    bars: sized.map((r) => ({ label: labelOf(r), median: r.median, min: r.min, max: r.max, kind: implKind(r) })),
  }));
  const direction = higherIsBetter(chosen[0], headlineEntry?.better) ? 'higher is better' : 'lower is better';
  const note = `${metric} (${unit}), ${direction}; median of ${describeReps(chosen)} interleaved reps, whiskers min-max; ${meta.date.slice(0, 10)}, ${meta.commit}${loadNote(meta)}`;
  return { file: `${suite}-${slug(caseName)}.svg`, title: `${suite}: ${caseName}`, svg: barChart({ title: `${suite}: ${caseName}`, note, unit, groups }) };
}

function percentileChart(suite, meta, caseName, rows, family) {
  const members = family.map((m) => ({ ...m, rows: rows.filter((r) => r.metric === m.metric) }));
  const unit = members[0].rows[0].unit;
  const keys = [...new Set(members.flatMap((m) => m.rows.map((r) => `${r.impl}\u0000${r.n ?? ''}`)))];
  const groups = keys.map((key) => {
    const [impl, n] = key.split('\u0000');
    const bars = members.flatMap(({ percentile, rows: of }) => {
      const r = of.find((x) => x.impl === impl && String(x.n ?? '') === n);
      return r ? [{ label: `p${percentile}`, median: r.median, min: r.min, max: r.max, kind: implKind(r) }] : [];
    });
    const first = members[0].rows.find((x) => x.impl === impl) ?? { impl };
    return { label: n === '' ? labelOf(first) : `${labelOf(first)}, n = ${formatSize(Number(n))}`, bars };
  });
  const metrics = family.map((m) => m.metric).join(', ');
  const note = `${metrics} (${unit}), lower is better; median of interleaved reps, whiskers min-max; ${meta.date.slice(0, 10)}, ${meta.commit}${loadNote(meta)}`;
  const familyName = family[0].metric.replace(PERCENTILE, (_, prefix, _p, suffix) => `${prefix}${suffix ?? ''}`) || 'latency';
  const title = `${suite}: ${caseName}, percentiles`;
  return { file: `${suite}-${slug(caseName)}-${slug(familyName)}-percentiles.svg`, title, svg: barChart({ title, note, unit, groups }) };
}

/** [{file, title, svg}] for one suite's report ({meta, results, headline?, series?}). */
export function suiteCharts(report) {
  const { meta, results } = report;
  const suite = meta.suite;
  const charts = [];
  for (const [caseName, rows] of groupBy(results, (r) => r.case)) {
    const metrics = [...new Set(rows.map((r) => r.metric))];
    const families = percentileFamilies(metrics);
    const inFamily = new Set([...families.values()].flat().map((m) => m.metric));
    const entry = (report.headline ?? []).find((h) => h.case === caseName);
    const metric = entry?.metric ?? metrics.find((m) => !inFamily.has(m));
    if (metric !== undefined && !inFamily.has(metric)) charts.push(caseChart(suite, meta, caseName, rows, metric, entry));
    for (const family of families.values()) charts.push(percentileChart(suite, meta, caseName, rows, family));
  }
  for (const series of report.series ?? []) charts.push({ file: `${suite}-${series.name}.svg`, title: series.title, svg: lineChart(series) });
  return charts;
}
