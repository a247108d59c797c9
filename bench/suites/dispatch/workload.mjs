// The dispatch workload: n tasks, each with a priority class drawn from one
// seeded stream, so every implementation gets the same sequence. Each
// implementation makes a closure and an options object per task inside the
// timed region, as a user's code does (`() => mark(i)`): allocating them and
// collecting them is part of what every row pays. mark(i) records that task
// i ran; the last one resolves the run's promise. Afterwards every mark must
// be exactly 1, so a scheduler that dropped, duplicated or never ran a task
// stops the suite instead of reporting a rate.
import { mulberry32 } from '../../lib/random.mjs';

/** Priority classes, most urgent first (timeslice's order: 0 = critical .. 4 = background). */
export const CLASS_COUNT = 5;

/** timeslice's names of the classes, in the workload's order. */
export const TIMESLICE_PRIORITIES = ['critical', 'high', 'normal', 'low', 'background'];

/** n classes in [0, CLASS_COUNT), uniformly at random. */
export function prioritySequence(seed, n) {
  const next = mulberry32(seed);
  const classes = new Uint8Array(n);
  for (let i = 0; i < n; i++) classes[i] = Math.floor(next() * CLASS_COUNT);
  return classes;
}

/** The marks of n tasks: `mark(i)` is what task i does (after its work, if any). */
export function marksFor(n) {
  const marks = new Uint8Array(n);
  let count = 0;
  let finish = () => {};
  return {
    mark(i) {
      marks[i]++;
      if (++count === n) finish();
    },
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
