// interleave() (measure.mjs) for runs that must yield to the event loop: a
// scheduler under test runs its tasks from host macrotasks, so one repetition
// is a promise. Same order (rep 1 of each implementation, then rep 2 of each,
// ...) and the same settle() before every run.
import { settle } from './measure.mjs';

/** Like interleave(), with `run(impl)` resolving to the object of named samples. */
export async function interleaveAsync(impls, reps, run) {
  const samples = new Map(impls.map((impl) => [impl.name, {}]));
  for (let rep = 0; rep < reps; rep++) {
    for (const impl of impls) {
      settle();
      const sample = await run(impl, rep);
      const byMetric = samples.get(impl.name);
      for (const [metric, value] of Object.entries(sample)) (byMetric[metric] ??= []).push(value);
    }
  }
  return samples;
}
