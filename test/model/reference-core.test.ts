// The reference model on its own, against numbers worked out by hand from the
// documented semantics: if these fail, the model is wrong, not the core.
import { describe, expect, it } from 'vitest';
import { ModelRefusal, ReferenceCore } from './reference-core.js';

describe('the reference model', () => {
  it('orders by ready time plus class deadline under the deadline policy, arrival breaking ties', () => {
    const model = new ReferenceCore();
    const background = model.register(0, 4, 0, 'once', 0, 0); // key 60000
    const normal = model.register(59_000, 2, 0, 'once', 0, 0); // key 60000, later arrival
    const critical = model.register(60_001, 0, 0, 'once', 0, 0); // key 60001
    expect([model.pop(60_001), model.pop(60_001), model.pop(60_001)]).toEqual([background, normal, critical]);
  });

  it('charges vruntime by 1024 / weight and places a waking task at most half a quantum below the minimum', () => {
    const model = new ReferenceCore();
    model.setPolicy('fair');
    const heavy = model.register(0, 2, -5, 'once', 0, 0); // weight 3121
    const light = model.register(0, 2, 0, 'once', 0, 0);
    expect(model.pop(0)).toBe(heavy);
    model.charge(heavy, 3121);
    expect(model.snapshot(heavy).vruntime).toBe(1024);
    model.requeue(heavy, 1, { keepPlace: false, preempted: false });
    expect(model.pop(1)).toBe(light);
    model.charge(light, 20); // minVruntime: min(20, 1024) = 20
    model.retry(light, 21, 5);
    model.advance(26);
    expect(model.snapshot(light).vruntime).toBe(20); // max(20, 20 - 10 / 2)
    expect(model.pop(26)).toBe(light);
  });

  it('skips the missed ticks of a late fixed-rate run and counts one overrun', () => {
    const model = new ReferenceCore();
    const h = model.register(0, 2, 0, 'fixed-rate', 10, 10);
    model.advance(10);
    model.pop(10);
    model.complete(h, 45, false); // the ticks at 20, 30 and 40 passed unrun: next 50
    expect(model.snapshot(h)).toMatchObject({ dueMs: 50, missedTicks: 3, overruns: 1, state: 'waiting' });
    expect(model.nextDueMs()).toBe(50);
  });

  it('refuses an ended task as stale and a running-only operation on a ready task as the wrong state', () => {
    const model = new ReferenceCore();
    const h = model.register(0, 2, 0, 'once', 0, 0);
    expect(() => model.charge(h, 1)).toThrow(ModelRefusal);
    model.cancel(h);
    expect(() => model.state(h)).toThrow(expect.objectContaining({ reason: 'stale' }));
  });
});
