// Priority classes, named by intent (as the firmware seed names its tiers).
// The numbers are the core's classes; callers use the names.
import { mustBe } from '../../bindings/errors.js';

/**
 * - `critical`: what the user is waiting on right now (input handling, a 20 ms
 *   animation frame, a watchdog). Deadline 0 ms under the deadline policy.
 * - `high`: work the user will notice soon (connectivity checks, mode changes,
 *   the result of a click). Deadline 250 ms.
 * - `normal`: the default for everything else. Deadline 1 s.
 * - `low`: maintenance that should happen but can wait (telemetry, cache
 *   refresh). Deadline 10 s.
 * - `background`: bulk and housekeeping work (cleanup, prefetch, reindexing).
 *   Deadline 60 s: under the deadline policy it still runs once it has waited
 *   that long, however busy the scheduler is.
 *
 * The Prioritized Task Scheduling API names are accepted as aliases:
 * `user-blocking` = critical, `user-visible` = normal, `background` = background.
 */
export type PriorityName = 'critical' | 'high' | 'normal' | 'low' | 'background';
export type PriorityAlias = 'user-blocking' | 'user-visible';
export type Priority = PriorityName | PriorityAlias;

export const PRIORITY_NAMES: readonly PriorityName[] = Object.freeze(['critical', 'high', 'normal', 'low', 'background']);

/** The core class of a priority name or alias; throws InvalidArgumentError for anything else. */
export function priorityClass(name: string, value: unknown): number {
  // A switch on the string: every run() with a priority comes through here, and
  // a switch costs a few compares where a keyed lookup costs a hash probe.
  switch (value) {
    case 'critical':
    case 'user-blocking':
      return 0;
    case 'high':
      return 1;
    case 'normal':
    case 'user-visible':
      return 2;
    case 'low':
      return 3;
    case 'background':
      return 4;
  }
  throw mustBe(name, `one of ${PRIORITY_NAMES.join(', ')} (or user-blocking, user-visible)`, value);
}

/** The intent name of a core class. */
export function priorityName(cls: number): PriorityName {
  return PRIORITY_NAMES[cls] as PriorityName;
}

/**
 * The class of options that set `priority` and nothing else (the common fast
 * path of Scheduler.run and WorkerPool.run: every call comes with an options
 * object made for it, and this path allocates nothing), or -1 for any other
 * options. Throws as priorityClass does for a bad priority.
 */
export function onlyPriorityClass(options: { readonly priority?: unknown }): number {
  // A class instance may hold options in prototype getters, which `for...in` does not see.
  // Its constructor tells it from a plain object as the prototype would, and is a
  // constant in optimized code, where Object.getPrototypeOf() was a call into the
  // runtime (~100 instructions a task under callgrind, bench/ab/dispatch-count.mjs).
  if ((options as { constructor?: unknown }).constructor !== Object) return -1;
  let cls = 2;
  for (const key in options) {
    if (key !== 'priority') return -1;
    if (options.priority !== undefined) cls = priorityClass('options.priority', options.priority);
  }
  return cls;
}
