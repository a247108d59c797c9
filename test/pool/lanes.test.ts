// Reserved workers: kept for the most urgent classes, idle when there is none.
import { writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { WorkerPool } from '../../src/pool/index.js';
import { FIXTURES, marked, startPool, untilRunning } from './helpers.js';

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
    pool = await startPool({ reserved: { workers: 1, priority: 'high' }, quantumMs: 10_000, graceMs: 10_000 });
    const p = pool;
    const who = p.task<unknown, { worker: number }>(FIXTURES, 'whoAmI');
    // A long task that ends when the test lets it, on worker 1 (the only one that takes background work).
    const release = marked('release');
    const long = p.run(p.task(FIXTURES, 'hogUntil'), { file: release.started }, { priority: 'background' });
    await untilRunning(p, 1);
    const queued = Array.from({ length: 5 }, () => p.run(who, undefined, { priority: 'low' }));
    const order: string[] = [];
    void long.then(() => order.push('long'));
    const critical = await p.run(who, undefined, { priority: 'critical' });
    order.push('critical');
    const high = await p.run(who, undefined, { priority: 'high' });
    order.push('high');
    expect([critical.worker, high.worker]).toEqual([0, 0]);
    writeFileSync(release.started, '');
    await long;
    expect(order).toEqual(['critical', 'high', 'long']);
    expect((await Promise.all(queued)).every((r) => r.worker === 1)).toBe(true);
  });
});
