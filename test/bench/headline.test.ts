// Rows that time internals are marked and can never speak as 'timeslice'; the
// headline ratios are oriented (> 1: timeslice ahead) and paired by repetition.
import { describe, expect, it } from 'vitest';
import { cpuMetricOf, headlineLines, leadOver, validateHeadline } from '../../bench/lib/headline.mjs';
import { markInternals, type Row, validateRows } from '../../bench/lib/rows.mjs';
import { validateSeries } from '../../bench/lib/series.mjs';

const row = (impl: string, metric: string, unit: string, samples: number[], extra: Partial<Row> = {}): Row => {
  const sorted = [...samples].sort((a, b) => a - b);
  return { case: 'c', impl, metric, unit, median: sorted[sorted.length >> 1]!, min: sorted[0]!, max: sorted.at(-1)!, reps: samples.length, samples, ...extra };
};

describe('internals rows', () => {
  it('are refused under the name timeslice, which is the product through its public API', () => {
    const rows = markInternals([row('timeslice', 'nsPerOp', 'ns/op', [1])]);
    expect(() => validateRows(rows, 'core')).toThrow(/named 'timeslice' marked internals/);
  });

  it('are accepted under a name that says what they call', () => {
    const rows = markInternals([row('timeslice-core', 'nsPerOp', 'ns/op', [1]), row('flatqueue', 'nsPerOp', 'ns/op', [1])], ['timeslice-core']);
    expect(rows.map((r) => r.scope)).toEqual(['internals', undefined]);
    expect(() => validateRows(rows, 'core')).not.toThrow();
  });
});

describe('leads', () => {
  it('pair repetition i with repetition i, and orient a rate so above 1 means timeslice is faster', () => {
    const lead = leadOver(row('timeslice', 'r', 'tasks/s', [30, 10, 20]), row('peer', 'r', 'tasks/s', [10, 10, 10]));
    expect(lead).toEqual({ median: 2, min: 1, max: 3, paired: true });
  });

  it('orient a cost so above 1 means timeslice is cheaper', () => {
    const lead = leadOver(row('timeslice', 'ns', 'ns/task', [50, 50]), row('peer', 'ns', 'ns/task', [100, 200]));
    expect(lead).toMatchObject({ min: 2, max: 4, paired: true });
  });

  it('fall back to the ratio of medians and the widest range when samples were not kept', () => {
    const plain = (impl: string, median: number, min: number, max: number): Row => ({ case: 'c', impl, metric: 'r', unit: 'ops/s', median, min, max, reps: 3 });
    expect(leadOver(plain('timeslice', 20, 10, 30), plain('peer', 10, 5, 20))).toEqual({ median: 2, min: 0.5, max: 6, paired: false });
  });

  it('come in one line per peer with wall and CPU, siblings and internals rows left out', () => {
    const results = [
      row('timeslice', 'tasksPerSec', 'tasks/s', [4]),
      row('timeslice', 'tasksPerCpuSec', 'tasks/cpu-s', [8]),
      row('timeslice-batch', 'tasksPerSec', 'tasks/s', [9]),
      row('timeslice-core', 'tasksPerSec', 'tasks/s', [9], { scope: 'internals' }),
      row('react', 'tasksPerSec', 'tasks/s', [2]),
      row('react', 'tasksPerCpuSec', 'tasks/cpu-s', [2]),
    ];
    const entries = [{ case: 'c', metric: 'tasksPerSec', cpuMetric: 'tasksPerCpuSec', what: 'n tasks' }];
    expect(() => validateHeadline(entries, results, 's')).not.toThrow();
    const lines = headlineLines(results, entries);
    expect(lines.map((l) => [l.peer, l.wall?.median, l.cpu?.median])).toEqual([['react', 2, 4]]);
  });

  it("find a wall metric's CPU twin by the names cpuRows() gives", () => {
    const results = [
      row('timeslice', 'tasksPerSec', 'tasks/s', [4]),
      row('timeslice', 'tasksPerCpuSec', 'tasks/cpu-s', [8]),
      row('react', 'tasksPerSec', 'tasks/s', [2]),
      row('react', 'tasksPerCpuSec', 'tasks/cpu-s', [4]),
      row('timeslice', 'nsPerTask', 'ns/task', [10]),
    ];
    expect(cpuMetricOf(results, { case: 'c', metric: 'tasksPerSec', what: 'x' })).toBe('tasksPerCpuSec');
    expect(cpuMetricOf(results, { case: 'c', metric: 'nsPerTask', what: 'x' })).toBeUndefined(); // no cpuNsPerTask row
    const [line] = headlineLines(results, [{ case: 'c', metric: 'tasksPerSec', what: 'x' }]);
    expect(line?.cpu?.median).toBe(2);
  });

  it('are refused when a headline names a row the results lack or does not say what it measures', () => {
    const results = [row('timeslice', 'tasksPerSec', 'tasks/s', [4])];
    expect(() => validateHeadline([{ case: 'c', metric: 'tasksPerCpuSec', what: 'x' }], results, 's')).toThrow(/no row for impl timeslice/);
    expect(() => validateHeadline([{ case: 'c', metric: 'tasksPerSec' }], results, 's')).toThrow(/needs 'what'/);
  });
});

describe('series', () => {
  it('need file-name safe unique names and [x, y] points', () => {
    const good = { name: 'shares', title: 't', x: { label: 'time', unit: 's' }, y: { label: 'share', unit: '%' }, lines: [{ label: 'w1', points: [[0, 1]] }] };
    expect(() => validateSeries([good], 's')).not.toThrow();
    expect(() => validateSeries([good, good], 's')).toThrow(/malformed series/);
    expect(() => validateSeries([{ ...good, name: 'a/b' }], 's')).toThrow(/malformed series/);
    expect(() => validateSeries([{ ...good, lines: [{ label: 'w1', points: [[0]] }] }], 's')).toThrow(/malformed series/);
  });
});
