// Dispatch throughput: n no-op tasks with random priority classes (the same
// sequence for every implementation), scheduled, then started and run to
// completion. The timed region, wall and process CPU (every thread: the GC
// helpers too), runs from the first schedule call to the moment the n-th
// task has run; the schedule and run phases are also reported apart (wall).
// Before start() no task may have run; after, every task must have run
// exactly once (workload.mjs), or the suite stops.
import { interleaveAsync } from '../../lib/interleave-async.mjs';
import { nowMs } from '../../lib/measure.mjs';
import { cpuRows, toRows } from '../../lib/rows.mjs';
import { THROUGHPUT_IMPLS } from './throughput-impls.mjs';
import { marksFor, prioritySequence } from './workload.mjs';

const UNITS = { tasksPerSec: 'tasks/s', scheduleNsPerTask: 'ns/task', runNsPerTask: 'ns/task' };

/** One repetition of `impl` on n tasks, timed by `stopwatch`; `mark` is what each task calls. */
export async function runOnce(impl, marks, classes, n, stopwatch, mark = marks.mark) {
  const done = marks.arm();
  stopwatch.start();
  const t0 = nowMs();
  const { start, finish } = impl.schedule(classes, n, mark);
  const t1 = nowMs();
  if (marks.count !== 0) throw new Error(`dispatch: ${impl.name} ran ${marks.count} tasks before start()`);
  start();
  await done;
  const t2 = nowMs();
  stopwatch.stop();
  marks.verify(impl.name);
  await finish();
  return {
    tasksPerSec: n / ((t2 - t0) / 1000),
    scheduleNsPerTask: ((t1 - t0) * 1e6) / n,
    runNsPerTask: ((t2 - t1) * 1e6) / n,
  };
}

/** One untimed round at a small n, so every implementation's code is compiled before the first timed one. */
export async function warmUp(impls, seed, n = 2e4) {
  const marks = marksFor(n);
  const classes = prioritySequence(seed, n);
  const idle = { start() {}, stop() {} };
  for (const impl of impls) await runOnce(impl, marks, classes, n, idle);
}

/** Wall rows (UNITS) and CPU rows (cpuNsPerTask, tasksPerCpuSec) of one case at one size. */
export function throughputRows(caseName, n, samples) {
  return [...toRows(caseName, n, samples, UNITS), ...cpuRows(caseName, n, samples)];
}

export async function throughputCase(plan, ctx) {
  await warmUp(THROUGHPUT_IMPLS, plan.seed);
  const rows = [];
  for (const n of plan.sizes) {
    const impls = THROUGHPUT_IMPLS.filter((impl) => impl.maxN === undefined || n <= impl.maxN);
    const skipped = THROUGHPUT_IMPLS.filter((impl) => !impls.includes(impl)).map((impl) => impl.name);
    if (skipped.length > 0) ctx.log(`throughput n=${n}: skipping ${skipped.join(', ')} (O(n) insertion)`);
    const classes = prioritySequence(plan.seed + n, n);
    const marks = marksFor(n);
    const reps = plan.throughputRepsFor(n);
    ctx.log(`throughput n=${n}: ${impls.length} implementations x ${reps} reps`);
    const samples = await interleaveAsync(impls, reps, (impl, _rep, stopwatch) => runOnce(impl, marks, classes, n, stopwatch), { rotate: true });
    rows.push(...throughputRows('throughput', n, samples));
  }
  return rows;
}
