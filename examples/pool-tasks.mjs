// The tasks of examples/worker-pool.mjs. They run in the pool's worker
// threads: every task is an export of a module, named by file and export.

/** Made once per worker thread (the pool's `resource` option): a stand-in for a connection. */
export function connect(worker) {
  return { name: `connection-${worker}` };
}

/** A CPU-bound job that can be interrupted: it saves where it was and resumes there, on any thread. */
export function checksum({ size }, ctx) {
  let { i, sum } = ctx.state ?? { i: 0, sum: 0 };
  for (; i < size; i++) {
    sum = (Math.imul(sum, 31) + i) >>> 0;
    if (i % 100_000 === 0 && ctx.shouldYield()) {
      ctx.saveState({ i: i + 1, sum });
      return undefined;
    }
  }
  return sum;
}

/** A tiny interactive request: served at once, whatever the background is doing. */
export function lookup(key, ctx) {
  return `${key} via ${ctx.resource.name}`;
}
