// The same promise on the real clock (C7): a host timer ticking every 1 ms
// gets about as many turns while async tasks run as while synchronous tasks
// of the same work run. Compared with each other in the same test, so a
// loaded machine slows both alike: no absolute time is asserted.
import { describe, expect, it } from 'vitest';
import { Scheduler } from '../../src/index.js';

function busyUs(us: number): void {
  const end = performance.now() + us / 1000;
  while (performance.now() < end) {
    // CPU-bound work
  }
}

interface Probe {
  ticks: number;
  p50GapMs: number;
}

/** Runs n tasks of 20 µs of work (after five awaits of settled promises if async) while a 1 ms interval ticks. */
async function probe(kind: 'sync' | 'async', n: number): Promise<Probe> {
  const scheduler = new Scheduler({ sliceMs: 5, onError: false });
  let left = n;
  let allDone!: () => void;
  const all = new Promise<void>((resolve) => {
    allDone = resolve;
  });
  const finish = () => {
    if (--left === 0) allDone();
  };
  for (let i = 0; i < n; i++) {
    if (kind === 'async') {
      scheduler.run(async () => {
        for (let k = 0; k < 5; k++) await null;
        busyUs(20);
        finish();
      });
    } else {
      scheduler.run(() => {
        busyUs(20);
        finish();
      });
    }
  }
  const gaps: number[] = [];
  let last = performance.now();
  const interval = setInterval(() => {
    const now = performance.now();
    gaps.push(now - last);
    last = now;
  }, 1);
  scheduler.start();
  await all;
  clearInterval(interval);
  await scheduler.stop();
  gaps.sort((a, b) => a - b);
  return { ticks: gaps.length, p50GapMs: gaps[gaps.length >> 1] ?? Number.POSITIVE_INFINITY };
}

describe('async tasks and the host on the real clock', () => {
  it('lets a 1 ms host timer tick about as often as with synchronous tasks of the same work', async () => {
    const sync = await probe('sync', 15_000);
    const async = await probe('async', 15_000);
    // Before continuations counted against the slice: 3 ticks against 60, gaps of 130 ms against 5.
    expect(async.ticks).toBeGreaterThanOrEqual(sync.ticks / 3);
    expect(async.p50GapMs).toBeLessThanOrEqual(3 * sync.p50GapMs);
  }, 60_000);
});
