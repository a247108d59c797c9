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

/** CPU-bound for `ms`, in 0.25 ms steps; yields with its remaining time when asked. */
export function background(ms, ctx) {
  let left = ctx?.state ?? ms;
  while (left > 0) {
    spin(0.25);
    left -= 0.25;
    if (left > 0 && ctx?.shouldYield()) {
      ctx.saveState(left);
      return undefined;
    }
  }
  return ms;
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
