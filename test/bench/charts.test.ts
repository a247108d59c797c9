// The SVG charts beside each suite's JSON: which charts a report gets, how
// timeslice, its internals rows and peers are told apart, text escaped, and
// no stale chart left behind when a case disappears.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { percentileFamilies, type Report, suiteCharts } from '../../bench/lib/charts/suite-charts.mjs';
import type { Row } from '../../bench/lib/rows.mjs';
import { writeReport } from '../../bench/lib/write-report.mjs';

const row = (caseName: string, impl: string, metric: string, unit: string, median: number, extra: Partial<Row> = {}): Row => ({
  case: caseName,
  impl,
  metric,
  unit,
  median,
  min: median * 0.9,
  max: median * 1.1,
  reps: 3,
  ...extra,
});

const report = (results: Row[], extra: Partial<Report> = {}): Report => ({
  meta: { suite: 'demo', date: '2026-12-06T00:00:00.000Z', commit: 'abc1234', loadAverage: { start: [1.5, 1, 1], end: [2, 1, 1] } },
  results,
  ...extra,
});

describe('suiteCharts', () => {
  it("draws one bar chart per case, of the headline's metric when the suite chose one", () => {
    const charts = suiteCharts(
      report(
        [
          row('throughput', 'timeslice', 'tasksPerSec', 'tasks/s', 5e5, { n: 1e5 }),
          row('throughput', 'fastq', 'tasksPerSec', 'tasks/s', 4e5, { n: 1e5 }),
          row('throughput', 'timeslice', 'tasksPerCpuSec', 'tasks/cpu-s', 7e5, { n: 1e5 }),
          row('throughput', 'fastq', 'tasksPerCpuSec', 'tasks/cpu-s', 3e5, { n: 1e5 }),
        ],
        { headline: [{ case: 'throughput', n: 1e5, metric: 'tasksPerCpuSec', what: 'n tasks' }] },
      ),
    );
    expect(charts.map((c) => c.file)).toEqual(['demo-throughput.svg']);
    const svg = charts[0]!.svg;
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" viewBox="0 0 760 \d+"/);
    expect(svg).toContain('tasksPerCpuSec (tasks/cpu-s), higher is better');
    expect(svg).toContain('n = 1e5');
    expect(svg).toContain('700k');
  });

  it('hatches internals rows and names them so, and sets timeslice apart from its peers', () => {
    const [chart] = suiteCharts(
      report([
        row('hold', 'timeslice-core', 'nsPerOp', 'ns/op', 100, { scope: 'internals' }),
        row('hold', 'timeslice', 'nsPerOp', 'ns/op', 300),
        row('hold', 'flatqueue', 'nsPerOp', 'ns/op', 90),
      ]),
    );
    expect(chart!.svg).toContain('timeslice-core (internals)');
    expect(chart!.svg).toContain('fill="url(#internals)"');
    expect(chart!.svg).toContain('core (internals)</text>');
    expect(chart!.svg).toContain('lower is better');
    expect(chart!.svg.match(/fill="#e8590c"/g)).toHaveLength(2); // timeslice's bar and its legend swatch
  });

  it('draws a percentile chart per p50/p99 family, and escapes every name', () => {
    const charts = suiteCharts(
      report([
        row('urgent <&>', 'timeslice', 'startP50Ms', 'ms', 0.3),
        row('urgent <&>', 'timeslice', 'startP99Ms', 'ms', 1),
        row('urgent <&>', 'piscina "x"', 'startP50Ms', 'ms', 130),
        row('urgent <&>', 'piscina "x"', 'startP99Ms', 'ms', 190),
      ]),
    );
    expect(charts.map((c) => c.file)).toEqual(['demo-urgent-start-ms-percentiles.svg']);
    const svg = charts[0]!.svg;
    expect(svg).toContain('urgent &lt;&amp;&gt;, percentiles');
    expect(svg).toContain('piscina &quot;x&quot;');
    expect(svg).not.toContain('<&>');
    expect(svg).toContain('>p99</text>');
  });

  it('tells percentile metrics from others', () => {
    const families = percentileFamilies(['startP50Ms', 'startP99Ms', 'finishP50Ms', 'finishP99Ms', 'p50Ms', 'share1Pct', 'cpuNsPerTask']);
    expect([...families.keys()]).toEqual(['start|Ms', 'finish|Ms']);
  });

  it('draws a line chart per time series, with its guides', () => {
    const charts = suiteCharts(
      report([row('fairness', 'timeslice', 'jain', 'index', 1)], {
        series: [
          {
            name: 'fairness-shares',
            title: 'CPU share per tenant',
            x: { label: 'time', unit: 's' },
            y: { label: 'share', unit: '%' },
            lines: [
              { label: 'weight 1', impl: 'timeslice', points: [[1, 14], [2, 15]] },
              { label: 'weight 1', impl: 'piscina', points: [[1, 33], [2, 34]] },
            ],
            guides: [{ label: 'target 14.3%', y: 14.29 }],
          },
        ],
      }),
    );
    const lines = charts.find((c) => c.file === 'demo-fairness-shares.svg')!;
    expect(lines.svg).toContain('target 14.3%');
    expect(lines.svg).toContain('piscina: weight 1');
    expect(lines.svg).toContain('stroke-dasharray="6 4"'); // the peer's line
  });
});

describe('writeReport', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('writes the JSON, the markdown with its charts, and removes the charts of cases that are gone', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bench-results-'));
    dirs.push(dir);
    writeFileSync(path.join(dir, 'demo-other-suite-file.svg'), 'not ours');
    const both = report([row('a', 'timeslice', 'x', 'ms', 1), row('b', 'timeslice', 'x', 'ms', 1)]);
    expect(await writeReport(dir, both)).toEqual(['demo.json', 'demo.md', 'demo-a.svg', 'demo-b.svg']);
    await writeReport(dir, report([row('a', 'timeslice', 'x', 'ms', 1)]));
    expect(existsSync(path.join(dir, 'demo-a.svg'))).toBe(true);
    expect(existsSync(path.join(dir, 'demo-b.svg'))).toBe(false);
    expect(existsSync(path.join(dir, 'demo-other-suite-file.svg'))).toBe(true);
  });
});
