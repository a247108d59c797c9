// How the VirtualClock runs callbacks: each counted against a step budget
// (what stops an endless loop at one instant, or an endless periodic task),
// and each followed by one real host macrotask, so promise continuations it
// started settle before the next callback runs (virtual-clock.ts's header).
// The host's functions are captured when this module loads, before a test can
// install fake timers over them.
import { createHostYield, type HostPrimitives } from '../time/host-yield.js';
import type { VirtualClockNotIdleError } from './errors.js';

/** A countdown of callbacks; what to throw once spent. */
export interface StepBudget {
  left: number;
  readonly spent: () => VirtualClockNotIdleError;
}

// Taken at load, before a test can install fake timers over them.
const hostSetTimeout = setTimeout;
const HOST: HostPrimitives = {
  setImmediate: typeof setImmediate === 'function' ? setImmediate : undefined,
  MessageChannel: typeof MessageChannel === 'function' ? MessageChannel : undefined,
  setTimeout: (fn, delayMs) => hostSetTimeout(fn, delayMs),
};
let hostYield: ((fn: () => void) => void) | undefined;

/** Resolves in a new real macrotask: every microtask queued before has run. */
export function hostTurn(): Promise<void> {
  const yieldOnce = (hostYield ??= createHostYield(HOST));
  return new Promise((resolve) => yieldOnce(() => resolve()));
}

/** Counts one callback, or throws before it is taken out of its queue, so it stays pending. */
export function spend(budget: StepBudget): void {
  if (budget.left === 0) throw budget.spent();
  budget.left--;
}
