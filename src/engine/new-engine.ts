// An engine on a fresh core set up by resolved scheduler options: what the
// Scheduler facade stands on, and what timeslice/web's schedulers stand on
// without the facade (src/web/web-backend.ts).
import { CoreInstance } from '../../bindings/core-instance.js';
import type { SchedulerEvents } from '../events.js';
import type { ResolvedSchedulerOptions } from '../tasks/scheduler-options.js';
import { realClock } from '../time/real-clock.js';
import { Engine } from './engine.js';

export function newEngine(options: ResolvedSchedulerOptions, events: SchedulerEvents): Engine {
  const core = new CoreInstance();
  core.setPolicy(options.policy);
  core.setQuantum(options.quantumMs);
  for (const [cls, ms] of options.deadlinesMs) core.setClassDeadline(cls, ms);
  return new Engine(core, options.clock ?? realClock, options, events);
}
