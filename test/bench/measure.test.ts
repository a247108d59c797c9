// bench/lib's measuring contract: every interleaved sample carries the wall and
// process CPU time of its timed region (the run's stopwatch, or the whole call),
// CPU rows follow from them, and the rows keep their samples in repetition order.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { beforeAll, describe, expect, it } from 'vitest';
import { interleaveAsync } from '../../bench/lib/interleave-async.mjs';
import { interleave } from '../../bench/lib/measure.mjs';
import { cpuRows, toRows } from '../../bench/lib/rows.mjs';
import { Stopwatch } from '../../bench/lib/stopwatch.mjs';

// interleave() collects garbage before every run, as under `node --expose-gc`.
beforeAll(() => {
  setFlagsFromString('--expose-gc');
  globalThis.gc ??= runInNewContext('gc');
});

/** Spins until this process has spent at least `cpuMs` more CPU, measured independently of the Stopwatch. */
function spendCpu(cpuMs: number): void {
  const start = process.cpuUsage();
  for (;;) {
    const spent = process.cpuUsage(start);
    if ((spent.user + spent.system) / 1000 >= cpuMs) return;
  }
}

describe('Stopwatch', () => {
  it('counts the CPU spent inside its region and adds up several regions', () => {
    const stopwatch = new Stopwatch();
    stopwatch.start();
    spendCpu(3);
    stopwatch.stop();
    stopwatch.start();
    spendCpu(3);
    stopwatch.stop();
    expect(stopwatch.cpuMs).toBeGreaterThanOrEqual(6);
    expect(stopwatch.wallMs).toBeGreaterThan(0);
    expect(stopwatch.used).toBe(true);
  });

  it('refuses a start while running and a stop while stopped', () => {
    const stopwatch = new Stopwatch();
    expect(() => stopwatch.stop()).toThrow(/not running/);
    stopwatch.start();
    expect(() => stopwatch.start()).toThrow(/already running/);
  });
});

describe('interleave', () => {
  const impls = [{ name: 'a' }, { name: 'b' }];

  it('runs rep 1 of every implementation before rep 2, and records wallMs and cpuMs for each sample', () => {
    const order: string[] = [];
    const samples = interleave(impls, 2, (impl, rep) => {
      order.push(`${impl.name}${rep}`);
      return { value: rep };
    });
    expect(order).toEqual(['a0', 'b0', 'a1', 'b1']);
    for (const impl of ['a', 'b']) {
      const byMetric = samples.get(impl)!;
      expect(byMetric.value).toEqual([0, 1]);
      expect(byMetric.wallMs).toHaveLength(2);
      expect(byMetric.cpuMs).toHaveLength(2);
    }
  });

  it('with rotate, starts repetition r with implementation r mod k', () => {
    const order: string[] = [];
    interleave([...impls, { name: 'c' }], 4, (impl, rep) => {
      order.push(`${impl.name}${rep}`);
      return {};
    }, { rotate: true });
    expect(order).toEqual(['a0', 'b0', 'c0', 'b1', 'c1', 'a1', 'c2', 'a2', 'b2', 'a3', 'b3', 'c3']);
  });

  it("times only the stopwatch's region when the run uses it", () => {
    const samples = interleave([{ name: 'a' }], 1, (_impl, _rep, stopwatch) => {
      spendCpu(20); // setup, outside the region
      stopwatch.start();
      spendCpu(2);
      stopwatch.stop();
      return {};
    });
    const cpuMs = samples.get('a')!.cpuMs![0]!;
    expect(cpuMs).toBeGreaterThanOrEqual(2);
    expect(cpuMs).toBeLessThan(20);
  });

  it('times the whole call when the run does not use its stopwatch', () => {
    const samples = interleave([{ name: 'a' }], 1, () => {
      spendCpu(4);
      return {};
    });
    expect(samples.get('a')!.cpuMs![0]).toBeGreaterThanOrEqual(4);
  });

  it("keeps a run's own wallMs", () => {
    const samples = interleave([{ name: 'a' }], 1, () => ({ wallMs: 1234 }));
    expect(samples.get('a')!.wallMs).toEqual([1234]);
  });

  it('refuses a run that returns with its stopwatch running', () => {
    expect(() =>
      interleave([{ name: 'a' }], 1, (_impl, _rep, stopwatch) => {
        stopwatch.start();
        return {};
      }),
    ).toThrow(/stopwatch still running/);
  });

  it('interleaveAsync records the same, across awaits', async () => {
    const samples = await interleaveAsync(impls, 2, async (_impl, _rep, stopwatch) => {
      stopwatch.start();
      await new Promise((resolve) => setImmediate(resolve));
      spendCpu(1);
      stopwatch.stop();
      return { done: 1 };
    });
    expect(samples.get('b')!.cpuMs!.every((ms) => ms >= 1)).toBe(true);
    expect(samples.get('b')!.done).toEqual([1, 1]);
  });
});

describe('rows', () => {
  const samples = new Map([
    ['timeslice', { cpuMs: [10, 20, 40], tasksPerSec: [3, 1, 2] }],
    ['peer', { cpuMs: [20, 20, 20], tasksPerSec: [1, 1, 1] }],
  ]);

  it('keep their samples in repetition order beside median, min and max', () => {
    const [row] = toRows('throughput', 1000, samples, { tasksPerSec: 'tasks/s' });
    expect(row).toMatchObject({ case: 'throughput', n: 1000, impl: 'timeslice', median: 2, min: 1, max: 3, reps: 3, samples: [3, 1, 2] });
  });

  it('cpuRows gives CPU ns per unit and units per CPU second from every sample', () => {
    const rows = cpuRows('throughput', 1000, samples, { per: 'task' });
    const ns = rows.find((r) => r.impl === 'timeslice' && r.metric === 'cpuNsPerTask')!;
    const rate = rows.find((r) => r.impl === 'timeslice' && r.metric === 'tasksPerCpuSec')!;
    expect(ns).toMatchObject({ unit: 'ns/task', samples: [10_000, 20_000, 40_000], median: 20_000 });
    expect(rate).toMatchObject({ unit: 'tasks/cpu-s', samples: [100_000, 50_000, 25_000], median: 50_000 });
  });

  it('cpuRows needs a count when the case has no size', () => {
    expect(() => cpuRows('crossing', undefined, samples)).toThrow(/count must be a positive number of tasks/);
  });
});
