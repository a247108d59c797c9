// Turns result rows into the markdown printed to stdout and written next to
// the JSON: one table per (case, metric), sizes down, implementations across,
// each cell "median (min-max)".
import { formatSize, formatValue } from './format.mjs';

function groupBy(items, keyOf) {
  const groups = new Map();
  for (const item of items) {
    const key = keyOf(item);
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(item);
  }
  return groups;
}

function cell(row) {
  const { unit } = row;
  if (row.reps === 1) return formatValue(row.median, unit);
  return `${formatValue(row.median, unit)} (${formatValue(row.min, unit)}-${formatValue(row.max, unit)})`;
}

function table(rows) {
  const impls = [...new Set(rows.map((r) => r.impl))];
  const sizes = [...new Set(rows.map((r) => r.n ?? null))];
  const reps = [...new Set(rows.map((r) => r.reps))].join('/');
  const lines = [`| n | ${impls.join(' | ')} |`, `|---|${impls.map(() => '---|').join('')}`];
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

/** Markdown for one suite's results and derived figures. */
export function renderMarkdown({ meta, results, derived }) {
  const out = [
    `# Benchmark suite \`${meta.suite}\``,
    '',
    `${meta.date}, node ${meta.node}, ${meta.cpuModel} (${meta.cpuCount} cores), ${meta.platform}, commit ${meta.commit}, load average ${meta.loadAverage1m ?? '?'} at start.`,
    'Cells: median (min-max) over repetitions.',
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
  return out.join('\n');
}
