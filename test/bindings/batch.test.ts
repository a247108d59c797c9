import { describe, expect, it } from 'vitest';
import { BatchError, StaleHandleError } from '../../bindings/index.js';
import { debugCore } from '../helpers/core.js';

describe('batch command buffer', () => {
  it('registers many tasks and answers the ones to run, in one call', () => {
    const core = debugCore();
    const batch = core.batch();
    for (let i = 0; i < 10; i++) batch.register(4 - (i % 5));
    expect(batch.length).toBe(10);
    const popped = batch.run(0, 4);
    expect(popped).toBe(4);
    const handles = Array.from({ length: 10 }, (_, i) => batch.result(i));
    // Two critical (class 0, from i = 4 and 9), then two high: deadline order.
    expect(Array.from({ length: 4 }, (_, i) => batch.output(i))).toEqual([handles[4], handles[9], handles[3], handles[8]]);
    expect(core.counters()).toMatchObject({ registered: 10, running: 4, ready: 6 });
  });

  it('completes, charges, requeues and cancels through the buffer', () => {
    const core = debugCore();
    core.setQuantum(5);
    const batch = core.batch();
    batch.register(2);
    batch.register(2);
    batch.register(2, 0, 'once', 100);
    batch.run(0, 2);
    const [a, b, timer] = [batch.result(0), batch.result(1), batch.result(2)];
    batch.charge(a, 5);
    batch.complete(a);
    batch.charge(b, 2);
    batch.requeue(b, { preempted: true });
    batch.cancel(timer);
    batch.cancel(a); // already ended by the complete above
    expect(batch.run(1, 1)).toBe(1);
    expect(batch.rawResult(0)).toBe(1); // STATUS_SLICE_SPENT
    expect(batch.result(1)).toBe(2); // STATUS_ENDED: a one-shot task ends with its run
    expect(batch.rawResult(2)).toBe(0); // not spent
    expect(() => batch.result(5)).toThrow(StaleHandleError);
    expect(batch.output(0)).toBe(b);
    expect(core.counters()).toMatchObject({ completed: 1, cancelled: 1, preemptions: 1, live: 1, running: 1 });
  });

  it('refuses a write past the buffer capacity with a BatchError', () => {
    const core = debugCore();
    const batch = core.batch();
    while (batch.remaining > 0) batch.register();
    expect(() => batch.register()).toThrow(BatchError);
    batch.run(0);
    expect(batch.remaining).toBe(4096);
  });

  it('releases due timers and pops them in the same call', () => {
    const core = debugCore();
    const batch = core.batch();
    batch.register(2, 0, 'once', 10);
    batch.run(0);
    const h = batch.result(0);
    expect(batch.run(10, 8)).toBe(1);
    expect(batch.output(0)).toBe(h);
  });
});
