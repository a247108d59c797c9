// interleave() (measure.mjs) for runs that must yield to the event loop: a
// scheduler under test runs its tasks from host macrotasks, so one repetition
// is a promise. Same order (rep 1 of each implementation, then rep 2 of each,
// ...), the same settle() before every run, the same `wallMs` and `cpuMs` in
// every sample (sample.mjs).
import { settle } from './measure.mjs';
import { openSample, recordSample } from './sample.mjs';

/** Like interleave(), with `run(impl, rep, stopwatch)` resolving to the object of named samples. */
export async function interleaveAsync(impls, reps, run) {
  const samples = new Map(impls.map((impl) => [impl.name, {}]));
  for (let rep = 0; rep < reps; rep++) {
    for (const impl of impls) {
      settle();
      const open = openSample();
      const returned = await run(impl, rep, open.region);
      recordSample(samples.get(impl.name), open, returned, impl.name);
    }
  }
  return samples;
}
