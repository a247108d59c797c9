// Reserved workers: kept for the most urgent classes, idle when there is none.
import { afterEach, describe, expect, it } from 'vitest';
import type { WorkerPool } from '../../src/pool/index.js';
import { FIXTURES, sleep, startPool } from './helpers.js';

let pool: WorkerPool | undefined;
afterEach(async () => {
  await pool?.close({ drain: false });
  pool = undefined;
});

describe('reserved workers', () => {
  it('a reserved worker never takes background work, even with a flood queued', async () => {
    pool = await startPool({ reserved: { workers: 1, priority: 'high' } });
    const who = pool.task<unknown, { worker: number }>(FIXTURES, 'whoAmI');
    const flood = await Promise.all(Array.from({ length: 3000 }, () => pool!.run(who, undefined, { priority: 'background' })));
    expect(new Set(flood.map((r) => r.worker))).toEqual(new Set([1]));
  });

  it('a reserved worker takes urgent work at once while the other worker is busy with a long task', async () => {
    pool = await startPool({ reserved: { workers: 1, priority: 'high' }, quantumMs: 10_000 });
    const who = pool.task<unknown, { worker: number }>(FIXTURES, 'whoAmI');
    const long = pool.run(pool.task(FIXTURES, 'spin'), 300, { priority: 'background' });
    const queued = Array.from({ length: 5 }, () => pool!.run(who, undefined, { priority: 'low' }));
    await sleep(20);
    const order: string[] = [];
    const critical = pool.run(who, undefined, { priority: 'critical' }).then((r) => {
      order.push('critical');
      return r;
    });
    const high = pool.run(who, undefined, { priority: 'high' }).then((r) => {
      order.push('high');
      return r;
    });
    void long.then(() => order.push('long'));
    expect((await critical).worker).toBe(0);
    expect((await high).worker).toBe(0);
    await long;
    expect(order.slice(0, 2)).toEqual(['critical', 'high']);
    expect((await Promise.all(queued)).every((r) => r.worker === 1)).toBe(true);
  });
});
