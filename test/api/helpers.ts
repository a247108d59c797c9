import { Scheduler, type SchedulerOptions } from '../../src/index.js';
import { VirtualClock } from '../../src/testing/index.js';

/** A scheduler on a virtual clock, with a log to assert on. */
export function virtualScheduler(options: SchedulerOptions = {}) {
  const clock = new VirtualClock();
  const scheduler = new Scheduler({ clock, ...options });
  const log: string[] = [];
  return { clock, scheduler, log };
}
