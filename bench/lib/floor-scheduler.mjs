// The floor: the least JavaScript that is still a priority scheduler, as a
// user could write it in an afternoon. Five FIFO lanes (0 most urgent), a
// numeric handle per task that cancel() takes, a 5 ms slice then a
// setImmediate yield to the host, one clock read per 64 tasks. No timers,
// no fairness, no async tasks, no counters: what the dispatch suite's
// timeslice rows are held against (within 1.25x of it).
const LANES = 5;
const SLICE_MS = 5;
const CLOCK_EVERY = 64;

export class FloorScheduler {
  // Per lane: its functions, the index of the next to run, and how many were dropped before index 0.
  #lanes = Array.from({ length: LANES }, () => ({ fns: [], head: 0, base: 0 }));
  #urgent = LANES; // the most urgent lane that may hold a task
  #armed = false;
  #sliceMs;

  /** sliceMs: how long a turn runs before yielding (5; longer only to count instructions, bench/ab/dispatch-count.mjs). */
  constructor({ sliceMs = SLICE_MS } = {}) {
    this.#sliceMs = sliceMs;
  }

  /** Queues fn in lane options.priority (0..4); answers a handle for cancel(). */
  run(fn, options) {
    const cls = options.priority;
    const lane = this.#lanes[cls];
    const handle = (lane.base + lane.fns.length) * LANES + cls;
    lane.fns.push(fn);
    if (cls < this.#urgent) this.#urgent = cls;
    if (!this.#armed) {
      this.#armed = true;
      setImmediate(this.#loop);
    }
    return handle;
  }

  /** True if the task was pending and will not run. */
  cancel(handle) {
    const lane = this.#lanes[handle % LANES];
    const i = Math.floor(handle / LANES) - lane.base;
    if (i < lane.head || i >= lane.fns.length || lane.fns[i] === undefined) return false;
    lane.fns[i] = undefined;
    return true;
  }

  #loop = () => {
    const startMs = performance.now();
    let runs = 0;
    while (this.#urgent < LANES) {
      const lane = this.#lanes[this.#urgent];
      if (lane.head === lane.fns.length) {
        // Drained: start the lane over (its handles stay unique through base).
        lane.base += lane.fns.length;
        lane.fns = [];
        lane.head = 0;
        this.#urgent++;
        continue;
      }
      const fn = lane.fns[lane.head];
      lane.fns[lane.head++] = undefined;
      if (fn === undefined) continue; // cancelled
      try {
        fn();
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
      if (++runs % CLOCK_EVERY === 0 && performance.now() - startMs >= this.#sliceMs) {
        setImmediate(this.#loop); // still armed
        return;
      }
    }
    this.#armed = false;
  };
}
