// What one event listener costs: the throughput workload on the long-lived
// Scheduler with no listener, and with one `taskfail` listener attached (a
// common thing to have: log every failure). No task fails, so the listener
// never runs: the row measures what its presence costs every task.
import { interleaveAsync } from '../../lib/interleave-async.mjs';
import { longLived, THROUGHPUT_IMPLS } from './throughput-impls.mjs';
import { runOnce, throughputRows, warmUp } from './throughput.mjs';
import { marksFor, prioritySequence } from './workload.mjs';

const timeslice = THROUGHPUT_IMPLS.find((impl) => impl.name === 'timeslice');
let failures = 0;
const onTaskFail = () => {
  failures++;
};

const WITH_LISTENER = {
  name: 'timeslice-taskfail',
  schedule(classes, n, mark) {
    longLived.events.addEventListener('taskfail', onTaskFail);
    const { start } = timeslice.schedule(classes, n, mark);
    return {
      start,
      finish() {
        longLived.events.removeEventListener('taskfail', onTaskFail);
        if (failures !== 0) throw new Error(`dispatch listener: ${failures} tasks failed`);
      },
    };
  },
};

export async function listenerCase(plan, ctx) {
  const impls = [timeslice, WITH_LISTENER];
  await warmUp(impls, plan.seed);
  const rows = [];
  for (const n of plan.listenerSizes) {
    const classes = prioritySequence(plan.seed + n, n);
    const marks = marksFor(n);
    ctx.log(`listener n=${n}: ${impls.length} implementations x ${plan.listenerReps} reps`);
    const samples = await interleaveAsync(impls, plan.listenerReps, (impl, _rep, stopwatch) => runOnce(impl, marks, classes, n, stopwatch), { rotate: true });
    rows.push(...throughputRows('listener', n, samples));
  }
  return rows;
}
