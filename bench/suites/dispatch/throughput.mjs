// Dispatch throughput: n no-op tasks with random priority classes (the same
// sequence for every implementation), scheduled, then started and run to
// completion. The clock runs from the first schedule call to the moment the
// n-th task has run; the schedule and run phases are also reported apart.
// Before start() no task may have run; after, every task must have run
// exactly once (workload.mjs), or the suite stops.
import { nowMs } from '../../lib/measure.mjs';
import { interleaveAsync } from '../../lib/interleave-async.mjs';
import { toRows } from '../../lib/rows.mjs';
import { THROUGHPUT_IMPLS } from './throughput-impls.mjs';
import { prioritySequence, taskSet } from './workload.mjs';

const UNITS = { tasksPerSec: 'tasks/s', scheduleNsPerTask: 'ns/task', runNsPerTask: 'ns/task' };

async function runOnce(impl, set, classes, n) {
  const done = set.arm();
  const t0 = nowMs();
  const { start, finish } = impl.schedule(set.tasks, classes, n);
  const t1 = nowMs();
  if (set.count !== 0) throw new Error(`dispatch: ${impl.name} ran ${set.count} tasks before start()`);
  start();
  await done;
  const t2 = nowMs();
  set.verify(impl.name);
  await finish();
  return {
    tasksPerSec: n / ((t2 - t0) / 1000),
    scheduleNsPerTask: ((t1 - t0) * 1e6) / n,
    runNsPerTask: ((t2 - t1) * 1e6) / n,
  };
}

export async function throughputCase(plan, ctx) {
  // One small untimed round so every implementation's code is compiled before the first timed one.
  const warmN = 2e4;
  const warmSet = taskSet(warmN);
  const warmClasses = prioritySequence(plan.seed, warmN);
  for (const impl of THROUGHPUT_IMPLS) await runOnce(impl, warmSet, warmClasses, warmN);

  const rows = [];
  for (const n of plan.sizes) {
    // p-queue inserts into a sorted array (O(n) per insert): at 1e6 one repetition takes minutes.
    const impls = THROUGHPUT_IMPLS.filter((impl) => impl.maxN === undefined || n <= impl.maxN);
    const skipped = THROUGHPUT_IMPLS.filter((impl) => !impls.includes(impl)).map((impl) => impl.name);
    if (skipped.length > 0) ctx.log(`throughput n=${n}: skipping ${skipped.join(', ')} (O(n) insertion)`);
    const classes = prioritySequence(plan.seed + n, n);
    const set = taskSet(n);
    const reps = plan.throughputRepsFor(n);
    ctx.log(`throughput n=${n}: ${impls.length} implementations x ${reps} reps`);
    const samples = await interleaveAsync(impls, reps, (impl) => runOnce(impl, set, classes, n));
    rows.push(...toRows('throughput', n, samples, UNITS));
  }
  return rows;
}
