// Insert + cancel on a long-lived Scheduler whose task slots have been reused
// many times. A task id is generation * 2^24 + slot and a slot's generation
// grows by one each time it is freed, so once a slot has been reused 128
// times its ids are past V8's small-integer range (2^31) and every handle's
// id is a heap number. A benchmark on a fresh Scheduler never sees this; an
// application that keeps one Scheduler for its life (request timeouts set
// and cancelled all day) soon does.
//
// One process: `--churn` rounds of n after() + cancel() first (the ids'
// generations reach --churn), on the measured Scheduler or, with --elsewhere,
// on another one (the same heap history, the measured ids stay small); then
// `--reps` measured repetitions of n after(1e9, () => fire(i)) + cancel() in
// the order set. Prints whether the last id was a small integer and the CPU
// ns per timer of each repetition (the first compiles).
//
//   node --expose-gc bench/ab/timers-reused-slots.mjs [dist/index.js] [--churn 140] [--elsewhere] [--n 100000] [--reps 6]
import { parseArgs } from 'node:util';
import { churnedTimers } from '../lib/churned-timers.mjs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    churn: { type: 'string', default: '140' },
    elsewhere: { type: 'boolean', default: false },
    n: { type: 'string', default: '100000' },
    reps: { type: 'string', default: '6' },
  },
});
const n = Number(values.n);
const { scheduler, handles, fire, fired, stop } = await churnedTimers({ dist: positionals[0], churn: Number(values.churn), elsewhere: values.elsewhere, n });
const cpuNs = [];
for (let rep = 0; rep < Number(values.reps); rep++) {
  globalThis.gc?.();
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < n; i++) handles[i] = scheduler.after(1e9, () => fire(i));
  for (let i = 0; i < n; i++) handles[i].cancel();
  const cpu = process.cpuUsage(cpu0);
  cpuNs.push((((cpu.user + cpu.system) * 1e3) / n).toFixed(0));
}
if (fired() !== 0) throw new Error('timers reused slots: a timer fired');
const id = handles[n - 1].id;
console.log(`churn ${values.churn}${values.elsewhere ? ' (elsewhere)' : ''}: last id ${id} (${id < 2 ** 31 ? 'small integer' : 'heap number'}); CPU ns per timer ${cpuNs.join(' ')}`);
await stop();
