// interleave() (measure.mjs) for runs that must yield to the event loop: a
// scheduler under test runs its tasks from host macrotasks, so one repetition
// is a promise. Same order (rep 1 of each implementation, then rep 2 of each,
// ...), the same settle() before every run, the same `wallMs` and `cpuMs` in
// every sample (sample.mjs).
//
// rotate: repetition r starts with implementation r mod k, so that each one
// runs after every other equally often. Why: what ran before a sample moves
// it. In the dispatch suite at 1e5 tasks, with the same code, timeslice took
// 1.08x the floor-scheduler's CPU when the two alternated alone, 1.5x when it
// ran first after p-queue and the core row, 2.8x when it ran second (V8 sizes
// its young generation from what survived the runs before, and how often a
// run with many live closures gets scavenged follows from that).
import { repetitionOrder, settle } from './measure.mjs';
import { openSample, recordSample } from './sample.mjs';

/** Like interleave(), with `run(impl, rep, stopwatch)` resolving to the object of named samples. */
export async function interleaveAsync(impls, reps, run, { rotate = false } = {}) {
  const samples = new Map(impls.map((impl) => [impl.name, {}]));
  for (let rep = 0; rep < reps; rep++) {
    for (const impl of repetitionOrder(impls, rep, rotate)) {
      settle();
      const open = openSample();
      const returned = await run(impl, rep, open.region);
      recordSample(samples.get(impl.name), open, returned, impl.name);
    }
  }
  return samples;
}
