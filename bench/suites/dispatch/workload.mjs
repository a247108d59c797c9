// The dispatch workload: n tasks, each with a priority class drawn from one
// seeded stream, so every implementation gets the same sequence. Each task is
// its own closure that marks its index and counts; the last one to run
// resolves the run's promise. Afterwards every mark must be exactly 1, so a
// scheduler that dropped, duplicated or never ran a task stops the suite
// instead of reporting a rate.
import { mulberry32 } from '../../lib/random.mjs';

/** Priority classes, most urgent first (timeslice's order: 0 = critical .. 4 = background). */
export const CLASS_COUNT = 5;

/** n classes in [0, CLASS_COUNT), uniformly at random. */
export function prioritySequence(seed, n) {
  const next = mulberry32(seed);
  const classes = new Uint8Array(n);
  for (let i = 0; i < n; i++) classes[i] = Math.floor(next() * CLASS_COUNT);
  return classes;
}

/**
 * n task closures over shared marks. The closures are made once per size and
 * reused by every implementation and repetition, so making them is never
 * timed and they are not counted as memory a scheduler holds.
 */
export function taskSet(n) {
  const marks = new Uint8Array(n);
  let count = 0;
  let finish = () => {};
  const tasks = new Array(n);
  for (let i = 0; i < n; i++) {
    tasks[i] = () => {
      marks[i]++;
      if (++count === n) finish();
    };
  }
  return {
    tasks,
    /** Clears the marks; the promise resolves when the n-th task has run. */
    arm() {
      marks.fill(0);
      count = 0;
      return new Promise((resolve) => {
        finish = resolve;
      });
    },
    get count() {
      return count;
    },
    /** Throws unless every task ran exactly once. */
    verify(impl) {
      if (count !== n) throw new Error(`dispatch: ${impl} ran ${count} of ${n} tasks`);
      for (let i = 0; i < n; i++) {
        if (marks[i] !== 1) throw new Error(`dispatch: ${impl} ran task ${i} ${marks[i]} times`);
      }
    },
  };
}
