// `#parts-sync` under the "node" condition: every part loads with the package,
// so `scheduler.cron()`, `new Scheduler({ store })`, constraints, calendar
// intervals, tracing and describe() work at once, with no load(), as they
// always have in Node (where bundle size does not matter). See ./sync.ts.
import type { Parts } from './load.js';
import * as calendar from './calendar-part.js';
import * as constraints from './constraints-part.js';
import * as describe from './describe-part.js';
import { CronSchedule, makeDurable } from './durable-part.js';
import * as tracing from './tracing-part.js';

export const SYNC_PARTS: Parts = { CronSchedule, makeDurable, calendar, constraints, describe, tracing };
