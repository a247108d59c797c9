// `#cron-sync` in browser (and other non-Node) builds: no cron support with the
// package; load({ cron: true }) imports it (./load.ts). Node resolves
// `#cron-sync` to ./cron-sync.node.ts (package.json "imports").
import type { CronSchedule } from '../time/cron.js';

/** CronSchedule, when this build has it at hand synchronously: not here. */
export const SYNC_CRON: typeof CronSchedule | undefined = undefined;
