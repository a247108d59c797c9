// The durable layer as one loadable part: what the Scheduler facade needs to
// make a scheduler with a store. Browser builds import it on demand (see
// ./load.ts); Node imports it with the package (./sync.node.ts). Cron comes
// along (durable cron tasks parse their expressions with it), and so do the
// calendar, constraints and tracing parts.
import type { Engine } from '../engine/engine.js';
import type { Parts } from './load.js';
import type { SchedulerOptions } from '../tasks/scheduler-options.js';
import { resolveDurableOptions } from '../durable/durable-options.js';
import { DurableScheduler } from '../durable/durable-scheduler.js';
import type { DurableSide } from '../durable/durable-side.js';
import { ClusterDurable } from '../durable/cluster/cluster-durable.js';
import { resolveClusterOption } from '../durable/cluster/cluster-options.js';

import { planCron, planEvery, planRecurring } from './calendar-part.js';
import { ConstrainedTasks } from './constraints-part.js';
import { resolveTracer, traceRegistrations } from './tracing-part.js';

export { CronSchedule } from '../time/cron.js';
// No binding: the entry as one chunk with the code this part shares with it, in a bundle (./load.ts).
import '#timeslice';
// Loaded with the durable layer (load({ durable: true })): its chunk holds their code already. Objects
// of the parts' exports rather than module namespaces (`export * as`), which the build would make with
// a helper that it shares through a chunk, which a browser bundle then fetched up front.
export const calendar: Parts['calendar'] = { planCron, planEvery, planRecurring };
export const constraints: Parts['constraints'] = { ConstrainedTasks };
export const tracing: Parts['tracing'] = { resolveTracer, traceRegistrations };

/** The durable side of a scheduler made with these options: undefined without a store (durable-only options are then refused). */
export function makeDurable(engine: Engine, options: SchedulerOptions): DurableSide | undefined {
  const durable = resolveDurableOptions(options);
  if (durable === undefined) return undefined;
  // Cluster mode (docs/design/cluster.md): one process of many on a cluster-capable store.
  const cluster = resolveClusterOption(options.cluster, options.store, options.standby);
  return cluster === undefined ? new DurableScheduler(engine, durable) : new ClusterDurable(engine, durable, cluster);
}
