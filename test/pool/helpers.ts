// The pool as shipped (dist/: its worker entry must be JavaScript), with the fixture tasks.
import { fileURLToPath } from 'node:url';
import type { PoolOptions, WorkerPool as WorkerPoolType } from '../../src/pool/index.js';

export const FIXTURES = fileURLToPath(new URL('./fixtures/tasks.mjs', import.meta.url));

type PoolModule = typeof import('../../src/pool/index.js');

export async function poolModule(): Promise<PoolModule> {
  return (await import(new URL('../../dist/pool.js', import.meta.url).href)) as PoolModule;
}

/** A pool of 2 threads (unless told), started; close it with `await pool.close({ drain: false })`. */
export async function startPool(options: PoolOptions = {}): Promise<WorkerPoolType> {
  const { WorkerPool } = await poolModule();
  const pool = new WorkerPool({ threads: 2, ...options });
  await pool.ready;
  return pool;
}

/** Resolves after ms (real time: the pool's threads run in real time). */
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves once the pool counts at least `n` tasks running (taken by a worker). */
export async function untilRunning(pool: WorkerPoolType, n: number): Promise<void> {
  for (let i = 0; i < 10_000 && pool.stats().running < n; i++) await sleep(2);
  if (pool.stats().running < n) throw new Error(`never saw ${n} tasks running`);
}
