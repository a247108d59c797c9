// Tasks that do some work: ~20 us of CPU each (a calibrated integer loop),
// n of them in random classes, scheduled and run to completion as in the
// throughput case. Here the scheduler's own cost per task is small next to
// the task's, so this shows whether dispatch slows useful work down: what
// decides the rate is how the scheduler runs tasks back to back (and yields
// to the host every 5 ms, as timeslice, React's scheduler and the floor do).
import { interleaveAsync } from '../../lib/interleave-async.mjs';
import { PEERS } from './throughput-impls.mjs';
import { runOnce, throughputRows, warmUp } from './throughput.mjs';
import { marksFor, prioritySequence } from './workload.mjs';

let sink = 0;

/** `iterations` steps of a linear congruential generator: work the optimiser cannot drop (the result is kept). */
function spin(iterations) {
  let x = sink | 1;
  for (let i = 0; i < iterations; i++) x = (Math.imul(x, 1103515245) + 12345) | 0;
  sink = x;
}

/** Iterations of spin() that take targetUs of CPU here (median of five measurements of 2,000 calls). */
export function calibrate(targetUs) {
  let iterations = 1000;
  for (let round = 0; round < 4; round++) {
    const perCallUs = [];
    for (let m = 0; m < 5; m++) {
      const before = process.cpuUsage();
      for (let k = 0; k < 2000; k++) spin(iterations);
      const used = process.cpuUsage(before);
      perCallUs.push((used.user + used.system) / 2000);
    }
    perCallUs.sort((a, b) => a - b);
    iterations = Math.max(1, Math.round((iterations * targetUs) / perCallUs[2]));
  }
  return iterations;
}

export async function workTasksCase(plan, ctx) {
  const { tasks: n, workUs, reps } = plan.work;
  const iterations = calibrate(workUs);
  ctx.info.work = { workUs, iterations };
  ctx.log(`work-${workUs}us: ${iterations} loop iterations per task; ${PEERS.length} implementations x ${reps} reps of ${n} tasks`);
  const classes = prioritySequence(plan.seed + 7, n);
  const marks = marksFor(n);
  const workThenMark = (i) => {
    spin(iterations);
    marks.mark(i);
  };
  await warmUp(PEERS, plan.seed);
  const samples = await interleaveAsync(PEERS, reps, (impl, _rep, stopwatch) => runOnce(impl, marks, classes, n, stopwatch, workThenMark), { rotate: true });
  return throughputRows(`work-${workUs}us`, n, samples);
}
