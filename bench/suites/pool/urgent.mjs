// Urgent work on a pool saturated with background work. The threads are kept
// busy with CPU-bound background tasks (`backgroundSteps` steps of fixed work
// each, tasks.mjs; a finished one is replaced at once), without and with a
// backlog of 4 more queued; one tiny critical task at a time is submitted at
// random offsets (10-60 ms after the previous one ended).
//
// Two things are measured over the same window (from the first critical
// submission to the last critical result):
//   - the time for a critical task to start (it reads the clock when it
//     starts) and to finish (its promise resolves), from submission;
//   - the background work done: every background run reports its segments
//     [start, end, steps]; a segment's steps are credited to the window in
//     proportion to the part of it inside the window. Background tasks per
//     second = steps credited / steps per task / window seconds.
//
// On timeslice the background tasks check ctx.shouldYield() after every step;
// on Piscina the same code cannot be asked. piscina-2pools keeps one thread
// for critical tasks, so they never wait, and background work gets the rest.
import { mulberry32 } from '../../lib/random.mjs';
import { percentile } from '../../lib/stats.mjs';

const now = () => performance.timeOrigin + performance.now();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Steps done inside [from, to] by runs reported as [start, end, steps, ...] triples. */
export function stepsInWindow(segments, from, to) {
  let steps = 0;
  for (let i = 0; i < segments.length; i += 3) {
    const start = segments[i];
    const end = segments[i + 1];
    const done = segments[i + 2];
    const overlap = Math.min(end, to) - Math.max(start, from);
    if (overlap <= 0) continue;
    steps += end > start ? (done * overlap) / (end - start) : done;
  }
  return steps;
}

export async function urgentOnce(impl, { samples, backlog, seed, backgroundSteps, threads }) {
  const random = mulberry32(seed);
  let stopping = false;
  const outstanding = new Set();
  const finished = [];
  const keep = threads + backlog;
  const refill = () => {
    while (!stopping && outstanding.size < keep) {
      const p = impl.run('background', backgroundSteps, { priority: 'background' }).then((segments) => {
        outstanding.delete(p);
        finished.push(segments);
        refill();
      });
      outstanding.add(p);
    }
  };
  refill();
  await sleep(100);
  const starts = [];
  const finishes = [];
  let windowStart = Number.NaN;
  let windowEnd = Number.NaN;
  for (let i = 0; i < samples; i++) {
    await sleep(10 + random() * 50);
    const submitted = now();
    if (i === 0) windowStart = submitted;
    const startedAt = await impl.run('critical', undefined, { priority: 'critical' });
    const done = now();
    windowEnd = done;
    starts.push(startedAt - submitted);
    finishes.push(done - submitted);
  }
  stopping = true;
  await Promise.all(outstanding);
  let steps = 0;
  for (const segments of finished) steps += stepsInWindow(segments, windowStart, windowEnd);
  starts.sort((a, b) => a - b);
  finishes.sort((a, b) => a - b);
  return {
    startP50Ms: percentile(starts, 0.5),
    startP99Ms: percentile(starts, 0.99),
    finishP50Ms: percentile(finishes, 0.5),
    finishP99Ms: percentile(finishes, 0.99),
    backgroundTasksPerSec: steps / backgroundSteps / ((windowEnd - windowStart) / 1000),
  };
}
