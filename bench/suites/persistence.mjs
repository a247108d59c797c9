// The persistence suite: what durability costs in SQLite (the embedded
// default store), against the targets of issue 4 (>= 50,000 durable
// registrations/s batched; 1e5 stored tasks loaded well under 1 s). Parts live
// in ./persistence/; bench/README.md ("The persistence suite") explains each.
//
// Cases:
//   register-durable-full    registrations/s with synchronous=FULL (the default):
//                            through WriteBatcher, in one putTasks call, one at a time
//   register-durable-normal  the same with synchronous=NORMAL, for comparison
//   load-tasks               open + loadTasks() full scan of 1e3, 1e5, 1e6 stored tasks
//   scheduler-register-full  the same registrations through the Scheduler: schedule() in one
//                            tick, scheduleMany(), schedule() one at a time
//   recovery-on-start        Scheduler start() until `ready` over 1e3, 1e5, 1e6 stored tasks
import { loadCase } from './persistence/load.mjs';
import { recoveryCase } from './persistence/recovery.mjs';
import { registrationCase } from './persistence/registration.mjs';
import { schedulerRegistrationCase } from './persistence/scheduler-registration.mjs';

const FULL = {
  batchedN: 1e5,
  oneAtATimeN: 2000,
  registrationReps: 5,
  synchronousLevels: ['full', 'normal'],
  loadSizes: [1e3, 1e5, 1e6],
  loadRepsFor: (n) => (n >= 1e6 ? 3 : 5),
};

// Only checks that every case runs and verifies its work (npm test runs it).
const QUICK = {
  ...FULL,
  batchedN: 2e3,
  oneAtATimeN: 30,
  registrationReps: 1,
  synchronousLevels: ['full'],
  loadSizes: [1e3],
  loadRepsFor: () => 1,
};

function median(results, caseName, impl, metric, n) {
  return results.find((r) => r.case === caseName && r.impl === impl && r.metric === metric && (n === undefined || r.n === n))?.median;
}

export default {
  name: 'persistence',
  description: 'SqliteStore: durable registrations/s (group commit, one transaction, one at a time) and loading 1e3-1e6 stored tasks',
  async run(ctx) {
    const plan = ctx.quick ? QUICK : FULL;
    ctx.info.plan = { ...plan, loadRepsFor: undefined };
    return [
      ...(await registrationCase(plan, ctx)),
      ...(await schedulerRegistrationCase(plan, ctx)),
      ...(await loadCase(plan, ctx)),
      ...(await recoveryCase(plan, ctx)),
    ];
  },
  derive(results) {
    const derived = [];
    const batched = median(results, 'register-durable-full', 'write-batcher', 'registrationsPerSec');
    const single = median(results, 'register-durable-full', 'one-at-a-time', 'registrationsPerSec');
    const oneCall = median(results, 'register-durable-full', 'one-call', 'registrationsPerSec');
    if (batched !== undefined && single !== undefined) derived.push({ name: 'group commit vs one transaction per registration (synchronous=FULL)', value: batched / single, unit: 'x' });
    if (batched !== undefined && oneCall !== undefined) derived.push({ name: 'WriteBatcher vs a single putTasks call (synchronous=FULL)', value: batched / oneCall, unit: 'x', note: '1 = no overhead' });
    if (batched !== undefined) derived.push({ name: 'durable registrations/s batched, target >= 50,000', value: batched, unit: 'registrations/s', note: batched >= 5e4 ? 'met' : 'missed' });
    const viaScheduler = median(results, 'scheduler-register-full', 'schedule-batched', 'registrationsPerSec');
    const viaSchedulerOne = median(results, 'scheduler-register-full', 'schedule-one-at-a-time', 'registrationsPerSec');
    if (viaScheduler !== undefined) {
      derived.push({ name: 'durable registrations/s through scheduler.schedule() in one tick, target >= 50,000', value: viaScheduler, unit: 'registrations/s', note: viaScheduler >= 5e4 ? 'met' : 'missed' });
    }
    if (viaScheduler !== undefined && viaSchedulerOne !== undefined) {
      derived.push({ name: 'scheduler.schedule(): one tick vs one at a time', value: viaScheduler / viaSchedulerOne, unit: 'x' });
    }
    for (const n of [1e3, 1e5, 1e6]) {
      const recovery = median(results, 'recovery-on-start', 'scheduler-start', 'totalMs', n);
      if (recovery === undefined) continue;
      const target = n === 1e5 ? (recovery < 1000 ? ' (target < 1 s: met)' : ' (target < 1 s: missed)') : '';
      derived.push({ name: `recovery on start() of ${n.toExponential(0).replace('+', '')} stored tasks${target}`, value: recovery, unit: 'ms' });
    }
    const load1e5 = median(results, 'load-tasks', 'sqlite', 'totalMs', 1e5);
    if (load1e5 !== undefined) derived.push({ name: 'open + load 1e5 tasks, target well under 1 s', value: load1e5, unit: 'ms', note: load1e5 < 1000 ? 'met' : 'missed' });
    return derived;
  },
};
