// The implementations the cases run, on the same fixtures (tasks.mjs) and
// the same thread count: timeslice's WorkerPool (built package), raw Piscina 5
// (one run() per task, its defaults otherwise), and, for urgent work, two
// Piscina pools splitting the threads: one kept for urgent tasks, the rest for
// everything else (the static split a Piscina user would make instead of
// preemption). The tiny case makes its own (tiny.mjs).
import '../../../scripts/current-dist.mjs';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { WorkerPool } from '../../../dist/pool.js';

export const TASKS = fileURLToPath(new URL('./tasks.mjs', import.meta.url));

export async function timeslicePool(threads, options = {}) {
  const pool = new WorkerPool({ threads, ...options });
  await pool.ready;
  const fns = {};
  for (const name of ['echo', 'critical', 'background', 'tenant', 'work']) fns[name] = pool.task(TASKS, name);
  return {
    name: 'timeslice',
    pool,
    run: (name, arg, options) => pool.run(fns[name], arg, options),
    stats: () => pool.stats(),
    close: () => pool.close({ drain: false }),
  };
}

export async function rawPiscina(threads) {
  const piscina = new Piscina({ filename: TASKS, minThreads: threads, maxThreads: threads, idleTimeout: Number.POSITIVE_INFINITY });
  // Start every thread before timing.
  await Promise.all(Array.from({ length: threads * 4 }, () => piscina.run(0, { name: 'echo' })));
  return {
    name: 'piscina',
    run: (name, arg) => piscina.run(arg, { name }),
    stats: () => ({}),
    close: () => piscina.destroy(),
  };
}

/**
 * Two Piscina pools: `urgentThreads` threads that only run critical tasks,
 * the rest for every other task. An urgent task never waits behind background
 * work; background work never uses the urgent threads, even while they idle.
 */
export async function twoPiscinaPools(threads, urgentThreads = 1) {
  const make = async (n) => {
    const piscina = new Piscina({ filename: TASKS, minThreads: n, maxThreads: n, idleTimeout: Number.POSITIVE_INFINITY });
    await Promise.all(Array.from({ length: n * 4 }, () => piscina.run(0, { name: 'echo' })));
    return piscina;
  };
  const urgent = await make(urgentThreads);
  const rest = await make(threads - urgentThreads);
  return {
    name: 'piscina-2pools',
    run: (name, arg, options) => (options?.priority === 'critical' ? urgent : rest).run(arg, { name }),
    stats: () => ({}),
    close: async () => {
      await urgent.destroy();
      await rest.destroy();
    },
  };
}
