// Why the timers suite's insert-cancel figures differ from fresh processes
// (bench/ab/timers-floors.mjs): the suite's case exactly (its implementations,
// interleave() with a settle() before each sample, the shared long-lived
// Scheduler, the 1e4 warm-up), in one process, run with all implementations
// or with only some of them (--impls), so a process's own heap history is
// the only thing that changes. Prints, per implementation and size, the
// median CPU and wall ns per timer over the repetitions after the first
// (run it under --trace-gc to see the collections).
//
//   node --expose-gc bench/ab/timers-suite-heap.mjs [--impls timeslice,setTimeout,timer-floor] [--pattern random] [--sizes 1e5,1e6] [--reps 5]
import { parseArgs } from 'node:util';
import { interleave } from '../lib/measure.mjs';
import { delaysFor, INSERT_CANCEL_IMPLS, releaseInsertCancel } from '../suites/timers/insert-cancel.mjs';

const { values } = parseArgs({
  options: {
    impls: { type: 'string', default: INSERT_CANCEL_IMPLS.map((impl) => impl.name).join(',') },
    pattern: { type: 'string', default: 'random' },
    sizes: { type: 'string', default: '1e5,1e6' },
    reps: { type: 'string', default: '5' },
  },
});
const SEED = 0x7153;
const impls = values.impls.split(',').map((name) => {
  const impl = INSERT_CANCEL_IMPLS.find((i) => i.name === name);
  if (impl === undefined) throw new Error(`no implementation ${name}`);
  return impl;
});
const warm = delaysFor(values.pattern, SEED, 1e4);
for (const impl of impls) impl.run(warm, warm.length, { start() {}, stop() {} });
const median = (list) => [...list].sort((a, b) => a - b)[list.length >> 1];
for (const n of values.sizes.split(',').map(Number)) {
  const delays = delaysFor(values.pattern, SEED + 1, n);
  const samples = interleave(impls, Number(values.reps), (impl, _rep, stopwatch) => {
    impl.run(delays, n, stopwatch);
    return {};
  }, { rotate: true });
  for (const impl of impls) {
    const s = samples.get(impl.name);
    const perTimer = (key) => median(s[key].slice(1).map((ms) => (ms * 1e6) / n)).toFixed(0);
    console.log(`${values.pattern} n=${n} ${impl.name.padEnd(11)} CPU ns/timer ${perTimer('cpuMs')}, wall ${perTimer('wallMs')} (in a process with ${values.impls})`);
  }
}
await releaseInsertCancel();
