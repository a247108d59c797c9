// Async runs and the slice: how many async runs a slice may start.
//
// Why: the run loop yields to the host once its slice is spent, but an async
// run goes on in microtasks (the code after each `await` of something
// already settled), and microtasks all run before the host's next turn. A
// slice that starts 2,000 runs that each await five times and then compute
// 20 µs leaves 40 ms of continuations behind it: the host waited 100 ms and
// more between turns (C7 in RELIABILITY.md: it must get a turn every slice
// plus a small margin). Those continuations cannot be cut short, so the loop
// starts fewer: the continuations count against the slice.
//
// How: nothing can see a run's microtasks one by one, but the loop can see
// how long the host waited. When a slice that started async runs ends, the
// loop notes the time and yields; at its next turn the gap since then is the
// continuations' time (and the host's own, which only errs on the safe side:
// a busy host gets more turns). That gives a cost per async start, and the
// next slices start async runs only while `time spent + starts x cost` stays
// within the slice. The count may at most double from one slice to the next
// (a slow start, as TCP's: the first slice starts one, then 2, 4, ...), so a
// new workload never floods the host; one whose continuations suddenly grow
// k times heavier overshoots once, by about k slices, and is back within the
// slice from the next. Synchronous runs cost nothing here: the loop times
// them itself, and a slice that starts no async run measures nothing.

/** The most async starts a slice may make, however cheap they look. */
const MAX_STARTS_PER_SLICE = 4096;

export class AsyncBudget {
  /** Async runs started (or continuations resumed) in the current slice. */
  starts = 0;
  /** Host-blocking time per async start, as last measured (ms). */
  #costMs = 0;
  /** Most async starts the current slice may make (slow start). */
  #limit = 1;
  readonly #sliceMs: number;
  /** When the last slice that started async runs yielded to the host, or -1. */
  #yieldedAtMs = -1;
  /** How many async runs that slice started. */
  #yieldedStarts = 0;

  constructor(sliceMs: number) {
    this.#sliceMs = sliceMs;
  }

  /** The loop may not start another async run in this slice (it yields to the host first). */
  spent(elapsedMs: number): boolean {
    return this.starts >= this.#limit || elapsedMs + this.starts * this.#costMs >= this.#sliceMs;
  }

  /** The slice ends, the loop yielding to the host at nowMs: the gap to its next turn is measured. */
  yielded(nowMs: number): void {
    if (this.starts === 0) return;
    this.#yieldedAtMs = nowMs;
    this.#yieldedStarts = this.starts;
  }

  /** The slice ends with the loop idle: the next turn comes when work does, not a measure. */
  idled(): void {
    this.#yieldedAtMs = -1;
  }

  /** A new slice starts at nowMs: learn from the gap since the last yield, and count afresh. */
  sliceStarted(nowMs: number): void {
    const starts = this.#yieldedStarts;
    if (this.#yieldedAtMs >= 0 && starts > 0) {
      const gapMs = nowMs - this.#yieldedAtMs;
      this.#costMs = gapMs / starts;
      // What would have filled the slice, at most twice what fitted last time.
      const fit = this.#costMs > 0 ? Math.floor(this.#sliceMs / this.#costMs) : MAX_STARTS_PER_SLICE;
      const grown = gapMs < this.#sliceMs ? starts * 2 : starts;
      this.#limit = Math.max(1, Math.min(fit, grown, MAX_STARTS_PER_SLICE));
    }
    this.#yieldedAtMs = -1;
    this.#yieldedStarts = 0;
    this.starts = 0;
  }
}
