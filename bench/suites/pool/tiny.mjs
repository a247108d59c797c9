// Tiny tasks: n tasks that return their input, submitted at once on 2
// threads, every result checked. Timed (wall and process CPU, every thread)
// from the first submission to the last result. Each implementation keeps one
// long-lived pool for every repetition (as a server would).
//
//   timeslice         pool.run(echo, i, { priority: 'normal' }): one call, one
//                     promise and one options object per task, made in the timed region
//   piscina           piscina.run(i, { name: 'echo' }): one message per task,
//                     at its best concurrentTasksPerWorker (calibrated first)
//   piscina-batch100  the Piscina user who batches by hand: 100 inputs per
//                     run(), a function that maps them, the answers flattened;
//                     at its best concurrentTasksPerWorker
//   promise-floor     no pool, no thread: one promise per task, resolved 64 at
//                     a time from a macrotask, as results arrive. The least
//                     the API's shape, a promise per task, costs by itself
import { Piscina } from 'piscina';
import { interleaveAsync } from '../../lib/interleave-async.mjs';
import { cpuRows, toRows } from '../../lib/rows.mjs';
import { TASKS, timeslicePool } from './impls.mjs';

const BATCH = 100;
/** Piscina's concurrentTasksPerWorker candidates: its default (1) and larger. */
const CONCURRENCY = [1, 4, 16, 64];

function check(name, results, n) {
  if (results.length !== n) throw new Error(`tiny: ${name} answered ${results.length} results for ${n} tasks`);
  for (let i = 0; i < n; i++) if (results[i] !== i) throw new Error(`tiny: ${name} answered ${results[i]} for ${i}`);
}

async function piscinaPool(threads, concurrentTasksPerWorker) {
  const piscina = new Piscina({ filename: TASKS, minThreads: threads, maxThreads: threads, idleTimeout: Number.POSITIVE_INFINITY, concurrentTasksPerWorker });
  await Promise.all(Array.from({ length: threads * 4 }, () => piscina.run(0, { name: 'echo' })));
  return piscina;
}

/** Runs of n tasks per implementation: each resolves to the n answers, in order. */
const runners = {
  timeslice: (pool, echo) => (n) => {
    const promises = new Array(n);
    for (let i = 0; i < n; i++) promises[i] = pool.run(echo, i, { priority: 'normal' });
    return Promise.all(promises);
  },
  piscina: (piscina) => (n) => {
    const promises = new Array(n);
    for (let i = 0; i < n; i++) promises[i] = piscina.run(i, { name: 'echo' });
    return Promise.all(promises);
  },
  'piscina-batch100': (piscina) => async (n) => {
    const promises = [];
    for (let from = 0; from < n; from += BATCH) {
      const inputs = [];
      for (let i = from; i < Math.min(n, from + BATCH); i++) inputs.push(i);
      promises.push(piscina.run(inputs, { name: 'echoEach' }));
    }
    return (await Promise.all(promises)).flat();
  },
  'promise-floor': () => (n) => {
    const settle = new Array(n);
    const promises = new Array(n);
    for (let i = 0; i < n; i++) {
      promises[i] = new Promise((resolve) => {
        settle[i] = resolve;
      });
    }
    let next = 0;
    const answer = () => {
      for (const end = Math.min(n, next + 64); next < end; next++) settle[next](next);
      if (next < n) setImmediate(answer);
    };
    setImmediate(answer);
    return Promise.all(promises);
  },
};

/** The candidate with the highest median rate over `rounds` interleaved runs of `n` tasks. */
async function fastest(candidates, n, rounds) {
  const rates = candidates.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (const [k, c] of candidates.entries()) {
      const t0 = performance.now();
      check(c.label, await c.runAll(n), n);
      rates[k].push(n / (performance.now() - t0));
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  let best = 0;
  for (let k = 1; k < candidates.length; k++) if (median(rates[k]) > median(rates[best])) best = k;
  return { best: candidates[best], rates: candidates.map((c, k) => ({ concurrentTasksPerWorker: c.concurrency, tasksPerMs: median(rates[k]) })) };
}

export async function tinyCase(plan, threads, ctx) {
  const { n, reps, calibrateN, calibrateRounds } = plan.tiny;
  const ts = await timeslicePool(threads);
  const pools = new Map();
  for (const c of plan.tiny.concurrency ?? CONCURRENCY) pools.set(c, await piscinaPool(threads, c));
  try {
    // Piscina's best concurrentTasksPerWorker for each way of using it, measured here; the others are closed.
    const chosen = {};
    for (const way of ['piscina', 'piscina-batch100']) {
      const candidates = [...pools].map(([concurrency, piscina]) => ({ label: `${way} c${concurrency}`, concurrency, runAll: runners[way](piscina) }));
      const { best, rates } = await fastest(candidates, calibrateN, calibrateRounds);
      chosen[way] = best;
      ctx.info[`tiny ${way} concurrentTasksPerWorker`] = { chosen: best.concurrency, calibration: rates };
      ctx.log(`tiny: ${way} calibrated, concurrentTasksPerWorker ${best.concurrency}`);
    }
    const impls = [
      { name: 'timeslice', runAll: runners.timeslice(ts.pool, ts.pool.task(TASKS, 'echo')) },
      { name: 'piscina', runAll: chosen.piscina.runAll },
      { name: 'piscina-batch100', runAll: chosen['piscina-batch100'].runAll },
      { name: 'promise-floor', runAll: runners['promise-floor']() },
    ];
    for (const impl of impls) check(impl.name, await impl.runAll(Math.min(n, 2e4)), Math.min(n, 2e4));
    ctx.log(`tiny: n=${n} x ${reps} reps`);
    const samples = await interleaveAsync(impls, reps, async (impl, _rep, stopwatch) => {
      stopwatch.start();
      const results = await impl.runAll(n);
      stopwatch.stop();
      check(impl.name, results, n);
      return { tasksPerSec: n / (stopwatch.wallMs / 1000) };
    });
    return [...toRows('tiny', n, samples, { tasksPerSec: 'tasks/s' }), ...cpuRows('tiny', n, samples, { per: 'task' })];
  } finally {
    await ts.close();
    for (const piscina of pools.values()) await piscina.destroy();
  }
}
