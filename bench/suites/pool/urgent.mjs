// Urgent-task latency: both threads busy with 200 ms (backgroundMs) CPU-bound background
// tasks (kept busy: a finished one is replaced at once), without and with a
// backlog of 4 more queued; a tiny critical task is submitted at random
// offsets (one at a time, 10-60 ms after the previous one ended). Time to
// start (the task reads the clock when it starts) and to finish (its promise
// resolves), from submission. On timeslice the background tasks check
// ctx.shouldYield() every 0.25 ms; on Piscina the same code cannot be asked.
import { mulberry32 } from '../../lib/random.mjs';

const now = () => performance.timeOrigin + performance.now();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export async function urgentOnce(impl, { samples, backlog, seed, backgroundMs }) {
  const random = mulberry32(seed);
  let stopping = false;
  const outstanding = new Set();
  const keep = 2 + backlog;
  const refill = () => {
    while (!stopping && outstanding.size < keep) {
      const p = impl.run('background', backgroundMs, { priority: 'background' }).finally(() => {
        outstanding.delete(p);
        refill();
      });
      outstanding.add(p);
    }
  };
  refill();
  await sleep(100);
  const starts = [];
  const finishes = [];
  for (let i = 0; i < samples; i++) {
    await sleep(10 + random() * 50);
    const submitted = now();
    const startedAt = await impl.run('critical', undefined, { priority: 'critical' });
    const finished = now();
    starts.push(startedAt - submitted);
    finishes.push(finished - submitted);
  }
  stopping = true;
  await Promise.all(outstanding);
  starts.sort((a, b) => a - b);
  finishes.sort((a, b) => a - b);
  return {
    startP50Ms: percentile(starts, 50),
    startP99Ms: percentile(starts, 99),
    finishP50Ms: percentile(finishes, 50),
    finishP99Ms: percentile(finishes, 99),
  };
}
