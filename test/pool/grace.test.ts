// The grace a flagged task gets is counted in its thread's own time: its CPU
// time while runnable, its sleep while blocked, never its wait for a CPU
// (src/pool/grace.ts). So a loaded machine does not kill cooperative tasks, and
// a blocked task is still terminated.
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { chargeTick, GraceMeter, sleepAllowanceMs } from '../../src/pool/grace.js';
import { ThreadClock, type ThreadSample } from '../../src/pool/thread-clock.js';
import { sleep } from './helpers.js';

const sample = (cpuMs: number, waitMs: number, runnable: boolean, slices = 100): ThreadSample => ({ cpuMs, waitMs, runnable, slices });
const fresh = () => ({ usedMs: 0, sleptMs: 0, sleepChargedMs: 0 });

describe('the grace meter', () => {
  it('a thread that ran is charged only its CPU time: a tick it spent waiting for a CPU costs it nothing', () => {
    // 40 ms of wall time, of which the thread ran 1 ms and waited 39 ms.
    const r = fresh();
    chargeTick(r, 40, sample(10, 0, true), sample(11, 39, true), 10);
    expect(r.usedMs).toBe(1);
  });

  it('a thread asleep is charged its sleep past an allowance, in one stretch; running ends the stretch', () => {
    // Mean wait per slice 0.05 ms: the allowance is the 10 ms floor.
    const r = fresh();
    chargeTick(r, 6, sample(10, 5, false), sample(10, 5, false), 10);
    expect(r.usedMs).toBe(0);
    chargeTick(r, 6, sample(10, 5, false), sample(10, 5, false), 10);
    expect(r.usedMs).toBe(2);
    chargeTick(r, 6, sample(10, 5, false), sample(10, 6, false), 10);
    expect(r.usedMs).toBe(7); // 5 ms more asleep: 1 ms of the 6 was a wait for a CPU
    chargeTick(r, 6, sample(10, 6, false), sample(10.5, 6, true), 10);
    expect([r.usedMs, r.sleptMs]).toEqual([7.5, 0]);
    chargeTick(r, 6, sample(10.5, 6, true), sample(10.5, 6, false), 10);
    expect(r.usedMs).toBe(7.5); // a new stretch, within its allowance
  });

  it('the sleep allowance grows with the waits for a CPU the thread has had', () => {
    expect(sleepAllowanceMs(sample(0, 1, false, 1000))).toBe(10);
    expect(sleepAllowanceMs(sample(0, 600, false, 40))).toBe(60); // 15 ms mean wait per slice
  });

  it('the charge stays within [0, the tick] whatever the counters say', () => {
    const r = fresh();
    chargeTick(r, 5, sample(0, 0, true), sample(9, 0, true), 10);
    expect(r.usedMs).toBe(5);
  });

  it('without the thread clocks, a late tick is charged at most maxStepMs', () => {
    const r = fresh();
    chargeTick(r, 300, undefined, undefined, 10);
    chargeTick(r, 4, undefined, undefined, 10);
    expect(r.usedMs).toBe(14);
  });

  it('a descheduled cooperative thread keeps its grace for as long as it waits; a blocked one uses it up', () => {
    const meter = new GraceMeter(50, 10);
    // Seat 0: runnable, waiting for a CPU for 10 s of watchdog ticks, having run 0.2 ms.
    let spent = meter.spent(0, 7, 100, 100, sample(1, 0, true));
    for (let t = 105; t <= 10_100; t += 5) spent ||= meter.spent(0, 7, 100, t, sample(1 + (t - 100) / 50_000, t - 100, true));
    expect(spent).toBe(false);
    // Seat 1: asleep (no wait for a CPU): spent after its 10 ms allowance and 50 ms more.
    const ticks: boolean[] = [];
    for (let t = 100; t <= 170; t += 5) ticks.push(meter.spent(1, 9, 100, t, sample(3, 2, false)));
    expect(ticks.indexOf(true)).toBe(12); // t = 160
  });

  it('a new flag, or another task on the seat, starts the grace again', () => {
    const meter = new GraceMeter(10, 10);
    for (let t = 0; t <= 8; t += 4) meter.spent(0, 1, 0, t, undefined);
    expect(meter.usedMs(0)).toBe(8);
    expect(meter.spent(0, 1, 9, 12, undefined)).toBe(false);
    expect(meter.usedMs(0)).toBe(0);
    meter.spent(0, 2, 9, 16, undefined);
    expect(meter.usedMs(0)).toBe(0);
  });
});

const linux = process.platform === 'linux';

describe.runIf(linux)("a thread's clocks (Linux)", () => {
  it('reads a spinning thread as runnable with CPU time advancing, and a blocked one as not runnable', async () => {
    const flag = new Int32Array(new SharedArrayBuffer(8));
    const worker = new Worker(
      `const { workerData } = require('node:worker_threads');
       const fs = require('node:fs');
       const f = workerData;
       Atomics.store(f, 1, Number(fs.readlinkSync('/proc/thread-self').split('/').pop()));
       const end = Date.now() + 150; while (Date.now() < end);
       Atomics.store(f, 0, 1);
       Atomics.wait(f, 0, 1);`,
      { eval: true, workerData: flag },
    );
    try {
      for (let i = 0; i < 1000 && Atomics.load(flag, 1) === 0; i++) await sleep(2);
      const clock = ThreadClock.open(Atomics.load(flag, 1));
      expect(clock).toBeDefined();
      const first = clock!.sample()!;
      for (let i = 0; i < 1000 && Atomics.load(flag, 0) === 0; i++) await sleep(5);
      // It calls Atomics.wait right after: once it is in it, it is not runnable.
      let blocked = clock!.sample()!;
      for (let i = 0; i < 1000 && blocked.runnable; i++) {
        await sleep(5);
        blocked = clock!.sample()!;
      }
      expect(blocked.runnable).toBe(false);
      expect(blocked.cpuMs).toBeGreaterThan(first.cpuMs);
      clock!.close();
    } finally {
      Atomics.store(flag, 0, 2);
      Atomics.notify(flag, 0);
      await worker.terminate();
    }
  });

  it('answers undefined for a thread that is not there', () => {
    expect(ThreadClock.open(0)).toBeUndefined();
    expect(ThreadClock.open(2 ** 30)).toBeUndefined();
  });
});

const hasTaskset = linux && spawnSync('taskset', ['-c', '0', 'true']).status === 0;

describe.runIf(hasTaskset)('cooperative tasks on a CPU shared with busy threads', () => {
  it('are asked to yield for urgent work many times, then cancelled, and never terminated, though their thread waits for the CPU far longer than graceMs', () => {
    // A child process pinned to one CPU with two busy threads beside the pool's:
    // the task's thread waits several ms at a time for the CPU, with the flag
    // set. Counted in wall time (before), the 5 ms grace ran out while it waited.
    const script = fileURLToPath(new URL('./fixtures/pinned-cooperative.mjs', import.meta.url));
    const out = execFileSync('taskset', ['-c', '0', process.execPath, script], { encoding: 'utf8', timeout: 60_000 });
    const result = JSON.parse(out.trim().split('\n').pop() as string) as { urgent: number; yields: number; terminations: number; error: string };
    expect(result.urgent).toBe(40);
    expect(result.error).toBe('ERR_TASK_CANCELLED');
    expect(result.yields).toBeGreaterThan(0);
    expect(result.terminations).toBe(0);
  });
});
