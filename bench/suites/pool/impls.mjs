// The two implementations every case runs, on the same fixtures (tasks.mjs)
// and the same thread count: timeslice's WorkerPool (built package) and raw
// Piscina 5 (one run() per task, its defaults otherwise).
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
