// docs/performance.md's "How fast" section is generated from
// the committed bench/results/*.json: this fails as soon as it says
// something the measurements do not (run `npm run bench:readme` after a bench
// run), and when a document shows a chart that does not exist.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../bench/lib/charts/suite-charts.mjs';
import { howFastSection, replaceSection } from '../../bench/lib/how-fast.mjs';
import type { Row } from '../../bench/lib/rows.mjs';
import { howFastFiles } from '../../scripts/how-fast.mjs';

const rootDir = fileURLToPath(new URL('../..', import.meta.url));

describe('the generated How fast sections', () => {
  it.each(howFastFiles(rootDir).map((f) => [f.file, f] as const))('%s matches bench/results (npm run bench:readme)', (_file, { current, expected }) => {
    expect(current).toBe(expected);
  });

  it.each(['README.md', 'docs/performance.md', 'bench/README.md'])('%s shows only charts that exist', (file) => {
    const text = readFileSync(path.join(rootDir, file), 'utf8');
    const images = [...text.matchAll(/!\[[^\]]*\]\(([^)]+\.svg)\)/g)].map((m) => m[1]!);
    for (const image of images) expect(existsSync(path.join(rootDir, path.dirname(file), image)), image).toBe(true);
  });
});

describe('howFastSection', () => {
  const row = (impl: string, metric: string, unit: string, samples: number[], extra: Partial<Row> = {}): Row => ({
    case: 'throughput',
    n: 1e5,
    impl,
    metric,
    unit,
    median: [...samples].sort((a, b) => a - b)[samples.length >> 1]!,
    min: Math.min(...samples),
    max: Math.max(...samples),
    reps: samples.length,
    samples,
    ...extra,
  });
  const report: Report = {
    meta: { suite: 'demo', date: '2026-12-06T10:00:00.000Z', commit: 'abc1234', node: 'v20.20.2', cpuCount: 2, loadAverage: { start: [1.5, 1, 1], end: [2.25, 1, 1] } },
    results: [
      row('timeslice', 'tasksPerSec', 'tasks/s', [300, 200, 400]),
      row('react', 'tasksPerSec', 'tasks/s', [100, 100, 100]),
      row('timeslice', 'tasksPerCpuSec', 'tasks/cpu-s', [600, 600, 600]),
      row('react', 'tasksPerCpuSec', 'tasks/cpu-s', [200, 300, 100]),
    ],
    headline: [{ case: 'throughput', n: 1e5, metric: 'tasksPerSec', cpuMetric: 'tasksPerCpuSec', what: 'n tasks, timed to the last.' }],
  };

  it('gives the wall and CPU leads over each peer with their ranges, the run, and what the row measures', () => {
    const text = howFastSection([report], { results: 'bench/results/', charts: false });
    expect(text).toContain('| throughput, tasksPerSec | 1e5 | react | 3.00x (2.00-4.00) | 3.00x (2.00-6.00) |');
    expect(text).toContain('on 2026-12-06, commit abc1234, Node v20.20.2, 2 cores, load average 1.5 at start, 2.25 at end (1 min)');
    expect(text).toContain('- **throughput**: n tasks, timed to the last.');
    expect(text).not.toContain('![');
  });

  it('labels a headline on internals rows and lists suites without a headline', () => {
    const internals: Report = {
      ...report,
      results: report.results.map((r) => (r.impl === 'timeslice' ? { ...r, impl: 'timeslice-core', scope: 'internals' as const } : r)),
      headline: [{ case: 'throughput', n: 1e5, metric: 'tasksPerSec', subject: 'timeslice-core', what: 'the raw exports.' }],
    };
    const quiet: Report = { ...report, meta: { ...report.meta, suite: 'quiet' }, headline: [] };
    const text = howFastSection([quiet, internals], { results: '../bench/results/', charts: true });
    expect(text).toContain('| throughput, tasksPerSec, timeslice-core [core (internals)] | 1e5 | react |');
    expect(text).toContain('No headline rows chosen yet: [`quiet`](../bench/results/quiet.md).');
    expect(text).toContain('![demo: throughput](../bench/results/demo-throughput.svg)');
  });

  it('replaces only the text between the markers, and needs them', () => {
    expect(replaceSection('a <!-- how-fast:start -->old<!-- how-fast:end --> b', 'new', 'x')).toBe('a <!-- how-fast:start -->new<!-- how-fast:end --> b');
    expect(() => replaceSection('no markers', 'new', 'README.md')).toThrow(/README.md: no <!-- how-fast:start -->/);
  });
});
