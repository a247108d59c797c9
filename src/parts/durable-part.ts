// The durable layer as one loadable part: what the Scheduler facade needs to
// make a scheduler with a store. Browser builds import it on demand (see
// ./load.ts); Node imports it with the package (./sync.node.ts). Cron comes
// along (durable cron tasks parse their expressions with it), and so do the
// calendar, constraints and tracing parts.
import type { Engine } from '../engine/engine.js';
import type { SchedulerOptions } from '../tasks/scheduler-options.js';
import { resolveDurableOptions } from '../durable/durable-options.js';
import { DurableScheduler } from '../durable/durable-scheduler.js';

export { CronSchedule } from '../time/cron.js';
// Loaded with the durable layer (load({ durable: true })): its chunk holds their code already.
export * as calendar from './calendar-part.js';
export * as constraints from './constraints-part.js';
export * as tracing from './tracing-part.js';

/** The durable side of a scheduler made with these options: undefined without a store (durable-only options are then refused). */
export function makeDurable(engine: Engine, options: SchedulerOptions): DurableScheduler | undefined {
  const durable = resolveDurableOptions(options);
  return durable === undefined ? undefined : new DurableScheduler(engine, durable);
}
