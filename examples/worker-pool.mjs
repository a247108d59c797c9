// Seed 002 (a Go micro-scheduler's worker pool): UI and background work on
// worker threads, a resource made once per worker, and stateful jobs that are
// interrupted for urgent work and resume where they stopped. One thread is
// reserved for interactive work (the seed's UI workers); background jobs use
// the other and give way at the end of each time slice.
//
//   npm install piscina && npm run build && node examples/worker-pool.mjs
import { WorkerPool } from 'timeslice/pool';

const TASKS = new URL('./pool-tasks.mjs', import.meta.url);
const pool = new WorkerPool({
  threads: 2,
  reserved: { workers: 1, priority: 'high' },
  resource: { module: TASKS, export: 'connect' },
});
const checksum = pool.task(TASKS, 'checksum');
const lookup = pool.task(TASKS, 'lookup');

/** The same checksum on this thread, to check the interrupted jobs' results. */
function expected(size) {
  let sum = 0;
  for (let i = 0; i < size; i++) sum = (Math.imul(sum, 31) + i) >>> 0;
  return sum;
}

await pool.ready; // the threads have started and made their resource
const t0 = performance.now();
const sizes = [4e7, 3e7, 2e7, 1e7];
const jobs = sizes.map((size) => pool.run(checksum, { size }, { priority: 'background' }));
let backgroundDone = 0;
for (const job of jobs) job.then(() => backgroundDone++);

// Interactive requests while the background jobs run.
for (const key of ['profile', 'settings', 'inbox']) {
  const answer = await pool.run(lookup, key, { priority: 'critical' });
  console.log(`${answer} after ${(performance.now() - t0).toFixed(0)} ms (background jobs done: ${backgroundDone} of ${jobs.length})`);
}

const sums = await Promise.all(jobs);
const correct = sums.every((sum, i) => sum === expected(sizes[i]));
const stats = pool.stats();
console.log(`background jobs done after ${(performance.now() - t0).toFixed(0)} ms, results ${correct ? 'match' : 'DO NOT match'} a run on one thread`);
console.log(`they yielded ${stats.yields} times and resumed from their saved state; ${stats.terminations} thread terminations`);
await pool.close();
