// The pool as shipped (dist/: its worker entry must be JavaScript), with the fixture tasks.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PoolOptions, WorkerPool as WorkerPoolType } from '../../src/pool/index.js';
import { requireCurrentDistOnce } from '../helpers/current-dist.js';

export const FIXTURES = fileURLToPath(new URL('./fixtures/tasks.mjs', import.meta.url));

type PoolModule = typeof import('../../src/pool/index.js');

export async function poolModule(): Promise<PoolModule> {
  requireCurrentDistOnce();
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

const MARKERS = mkdtempSync(join(tmpdir(), 'timeslice-pool-'));
process.once('exit', () => rmSync(MARKERS, { recursive: true, force: true }));
let markers = 0;

/** Arguments for the `marked` fixture: runs fixture `task` with `args`, and says when it started (untilStarted). */
export function marked(task: string, args?: unknown): { started: string; task: string; args: unknown } {
  return { started: join(MARKERS, `started-${++markers}`), task, args };
}

/** Resolves once a task run with marked() has started its `attempt` (its module imported, its function called). */
export async function untilStarted(m: { started: string }, attempt = 1): Promise<void> {
  const file = `${m.started}.${attempt}`;
  for (let i = 0; i < 10_000 && !existsSync(file); i++) await sleep(2);
  if (!existsSync(file)) throw new Error(`attempt ${attempt} of ${m.started} never started`);
}
