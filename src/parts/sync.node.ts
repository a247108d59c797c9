// `#parts-sync` under the "node" condition: every part loads with the package,
// so `scheduler.cron()`, `new Scheduler({ store })`, constraints, calendar
// intervals, tracing and describe() work at once, with no load(), as they
// always have in Node (where bundle size does not matter). See ./sync.ts.
import type { Parts } from './load.js';
import { describeScheduler } from './describe-part.js';
import { calendar, constraints, CronSchedule, makeDurable, tracing } from './durable-part.js';

// Objects of the parts' exports, not module namespaces: see ./durable-part.ts.
export const SYNC_PARTS: Parts = { CronSchedule, makeDurable, calendar, constraints, describe: { describeScheduler }, tracing };
