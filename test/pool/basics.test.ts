import { afterEach, describe, expect, it } from 'vitest';
import type { TaskError, WorkerPool } from '../../src/pool/index.js';
import { FIXTURES, startPool } from './helpers.js';

let pool: WorkerPool | undefined;
afterEach(async () => {
  await pool?.close({ drain: false });
  pool = undefined;
});

describe('the worker pool', () => {
  it('runs tasks named by module and export, with structured-cloned arguments and results', async () => {
    pool = await startPool();
    const echo = pool.task(FIXTURES, 'echo');
    const add = pool.task<{ a: number; b: number }, number>(FIXTURES, 'add');
    expect(await pool.run(echo, 7)).toBe(7);
    expect(await pool.run(echo, { nested: [1, 'two', new Map([[3, 4]])] })).toEqual({ nested: [1, 'two', new Map([[3, 4]])] });
    expect(await pool.run(echo)).toBeUndefined();
    expect(await pool.run(add, { a: 2, b: 3 })).toBe(5);
    expect(await pool.run({ module: FIXTURES, export: 'echo' }, 'by reference')).toBe('by reference');
  });

  it('runs many tiny tasks on both threads and settles every promise', async () => {
    pool = await startPool();
    const echo = pool.task(FIXTURES, 'echo');
    const n = 20_000;
    const results = await Promise.all(Array.from({ length: n }, (_, i) => pool!.run(echo, i)));
    expect(results.every((v, i) => v === i)).toBe(true);
    const stats = pool.stats();
    expect(stats.completed).toBe(n);
    expect(stats.live).toBe(0);
    expect(stats.running).toBe(0);
  });

  it('rejects with a TaskError carrying the name, message and code a task threw', async () => {
    pool = await startPool();
    const error = await pool.run(pool.task(FIXTURES, 'fail'), 'nope').catch((e: TaskError) => e);
    expect((error as TaskError).code).toBe('ERR_TASK_FAILED');
    expect((error as TaskError).message).toBe('nope');
    expect((error as TaskError).originalCode).toBe('E_FIXTURE');
  });

  it('gives each worker the resource its factory made, in that thread', async () => {
    pool = await startPool({ resource: { module: FIXTURES, export: 'makeResource' } });
    const who = pool.task(FIXTURES, 'whoAmI');
    const seen = await Promise.all(Array.from({ length: 50 }, () => pool!.run(who)));
    for (const s of seen as Array<{ worker: number; resource: { worker: number } }>) expect(s.resource).toEqual({ made: 'in the worker', worker: s.worker });
  });
});
