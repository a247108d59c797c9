// `#parts-sync` under the "node" condition: cron support and the durable
// layer load with the package, so `scheduler.cron()` and
// `new Scheduler({ store })` work at once, with no load(), as they always
// have in Node (where bundle size does not matter). See ./sync.ts.
import type { Parts } from './load.js';
import { CronSchedule, makeDurable } from './durable-part.js';

export const SYNC_PARTS: Parts = { CronSchedule, makeDurable };
