// Turns result rows into the markdown printed to stdout and written next to
// the JSON: one table per (case, metric), sizes down, implementations across,
// each cell "median (min-max)".
import { formatSize, formatValue } from './format.mjs';
import { isInternals } from './rows.mjs';
import { groupBy } from './stats.mjs';

function cell(row) {
  const { unit } = row;
  if (row.reps === 1) return formatValue(row.median, unit);
  return `${formatValue(row.median, unit)} (${formatValue(row.min, unit)}-${formatValue(row.max, unit)})`;
}

/** The column header: internals rows say so where the figure is read. */
export function implLabel(impl, rows) {
  return rows.some((r) => r.impl === impl && isInternals(r)) ? `${impl} [core (internals)]` : impl;
}

function table(rows) {
  const impls = [...new Set(rows.map((r) => r.impl))];
  const sizes = [...new Set(rows.map((r) => r.n ?? null))];
  const reps = [...new Set(rows.map((r) => r.reps))].join('/');
  const lines = [`| n | ${impls.map((impl) => implLabel(impl, rows)).join(' | ')} |`, `|---|${impls.map(() => '---|').join('')}`];
  for (const n of sizes) {
    const cells = impls.map((impl) => {
      const row = rows.find((r) => r.impl === impl && (r.n ?? null) === n);
      return row ? cell(row) : '-';
    });
    lines.push(`| ${n === null ? '-' : formatSize(n)} | ${cells.join(' | ')} |`);
  }
  return { lines, reps };
}

/** "3.1x" for a ratio, "80 bytes" otherwise. */
export function formatDerived({ value, unit }) {
  return unit === 'x' ? `${formatValue(value)}x` : `${formatValue(value, unit)} ${unit}`;
}

/** "load average 1.8 at start, 2.4 at end (1 min)" from meta, old results included. */
export function describeLoad(meta) {
  const start = meta.loadAverage?.start?.[0] ?? meta.loadAverage1m;
  const end = meta.loadAverage?.end?.[0];
  if (start === undefined) return 'load average not recorded';
  return end === undefined ? `load average ${start} at start` : `load average ${start} at start, ${end} at end (1 min)`;
}

const INTERNALS_NOTE =
  'Columns marked [core (internals)] time the core\'s raw exports, not the public API a user calls: they explain where time goes and are never the product\'s speed.';

/** Markdown for one suite's results and derived figures, then its charts ([{file, title}], beside the file). */
export function renderMarkdown({ meta, results, derived = [] }, charts = []) {
  const out = [
    `# Benchmark suite \`${meta.suite}\``,
    '',
    `${meta.date}, node ${meta.node}, ${meta.cpuModel} (${meta.cpuCount} cores), ${meta.platform}, commit ${meta.commit}, ${describeLoad(meta)}.`,
    'Cells: median (min-max) over repetitions.',
    ...(results.some(isInternals) ? ['', INTERNALS_NOTE] : []),
    '',
  ];
  for (const rows of groupBy(results, (r) => `${r.case}\u0000${r.metric}`).values()) {
    const { case: name, metric, unit } = rows[0];
    const { lines, reps } = table(rows);
    out.push(`## ${name}: ${metric} (${unit}), ${reps} reps`, '', ...lines, '');
  }
  if (derived.length > 0) {
    out.push('## Derived', '');
    for (const d of derived) out.push(`- ${d.name}: **${formatDerived(d)}**${d.note ? ` (${d.note})` : ''}`);
    out.push('');
  }
  if (charts.length > 0) {
    out.push('## Charts', '');
    for (const chart of charts) out.push(`![${chart.title}](${chart.file})`, '');
  }
  return out.join('\n');
}
