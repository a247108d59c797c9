// The fixtures both implementations run, from this one module: timeslice's
// pool names them by export, raw Piscina by its `name` option. A task gets
// (args, ctx) from timeslice and (args) from Piscina, where ctx is undefined:
// every ctx use is optional, so on Piscina the same code runs to completion
// without yielding (Piscina has no way to ask it to).

/** Pool clock: epoch ms, comparable across threads. */
const now = () => performance.timeOrigin + performance.now();

function spin(ms) {
  const end = performance.now() + ms;
  let x = 0;
  while (performance.now() < end) x++;
  return x;
}

/** Tiny: returns its input. */
export const echo = (x) => x;

/** The urgent task: tiny, answers when it started (epoch ms). */
export const critical = () => now();

/**
 * Iterations of one step of background work: about 0.25 ms of CPU on the
 * machine the results were taken on. A count of iterations, not a wall-time
 * spin, so that work done is work done even when a thread waits for a CPU:
 * the urgent cases compare how much background work each pool gets through.
 */
export const STEP_ITERATIONS = 100_000;

function step(seed) {
  let x = seed | 1;
  for (let i = 0; i < STEP_ITERATIONS; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
  }
  return x;
}

/**
 * Background work: `steps` steps, asking ctx.shouldYield() after each and,
 * when told to, saving what is left and returning. Answers its run segments
 * as [start, end, steps done, ...] epoch-ms triples (one per run). Each step
 * starts from the last one's result (kept in the state), so no step can be
 * skipped by the compiler.
 */
export function background(steps, ctx) {
  const s = ctx?.state ?? { left: steps, x: steps, segments: [] };
  const start = now();
  let done = 0;
  while (s.left > 0) {
    s.x = step(s.x);
    s.left--;
    done++;
    if (s.left > 0 && ctx?.shouldYield()) {
      s.segments.push(start, now(), done);
      ctx.saveState(s);
      return undefined;
    }
  }
  s.segments.push(start, now(), done);
  return s.segments;
}

/**
 * A tenant's task: CPU-bound for `ms` in 0.25 ms steps, yielding when asked;
 * returns the [start, end, start, end, ...] epoch ms of the segments it ran,
 * so CPU shares can be measured over an exact window.
 */
export function tenant(ms, ctx) {
  const s = ctx?.state ?? { left: ms, segments: [] };
  const start = now();
  while (s.left > 0) {
    spin(0.25);
    s.left -= 0.25;
    if (s.left > 0 && ctx?.shouldYield()) {
      s.segments.push(start, now());
      ctx.saveState(s);
      return undefined;
    }
  }
  s.segments.push(start, now());
  return s.segments;
}

/** CPU-bound for `ms`, not yielding: the efficiency fixture. */
export function work(ms) {
  spin(ms);
  return ms;
}

/** Tiny, batched by the caller: returns its inputs (a Piscina user sending 100 tasks per run()). */
export const echoEach = (xs) => xs.map(echo);
