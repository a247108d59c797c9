// scheduler.onIdle(): a promise that resolves once the scheduler has nothing
// left that will end by itself.
//
// What counts (as p-queue's onIdle: the queue is empty and nothing runs):
// every one-shot task (run, after, at, with the retries of a failing run),
// every task with maxRuns (it ends after its last run), paused ones
// included; every run in progress, whatever its task (async runs in flight,
// parked in ctx.yield() or in ctx.sleep(), durable slots); every task ready
// to run. What does not: a periodic or cron task without maxRuns that waits
// for its next tick (it never ends, so waiting for it would never resolve),
// and a durable task waiting for its next slot. A stopped scheduler runs
// nothing more, so stop() resolves every waiter.
//
// What must be cheap: nothing when nobody waits. The engine asks check()
// only where the answer can change (a run loop going idle, a task ended
// outside a run) and only while a waiter exists.

import type { CoreInstance } from '../../bindings/core-instance.js';

/** No task ready in the core, none running (sync, in flight, asleep, held across the host's turn). */
export function noRunReadyOrRunning(core: CoreInstance): boolean {
  const counters = core.counters();
  return counters.ready === 0 && counters.running === 0;
}

export class IdleWaiters {
  #waiters: Array<() => void> | undefined;
  readonly #isIdle: () => boolean;

  constructor(isIdle: () => boolean) {
    this.#isIdle = isIdle;
  }

  /** True while someone waits (the engine checks only then). */
  get waiting(): boolean {
    return this.#waiters !== undefined;
  }

  wait(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise<void>((resolve) => {
      (this.#waiters ??= []).push(resolve);
    });
  }

  /** Resolves the waiters if the scheduler is idle now. */
  check(): void {
    if (this.#waiters !== undefined && this.#isIdle()) this.resolveAll();
  }

  /** Resolves every waiter (idle, or stopped). */
  resolveAll(): void {
    const waiters = this.#waiters;
    this.#waiters = undefined;
    if (waiters !== undefined) for (const resolve of waiters) resolve();
  }
}
