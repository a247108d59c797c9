// `#cron-sync` under the "node" condition: cron support loads with the package.
// Its own internal import, apart from `#parts-sync`, so that the modules that
// read cron expressions (slot constraints, the durable layer) reach croner
// without an import cycle through the durable layer. See ./cron-sync.ts.
export { CronSchedule as SYNC_CRON } from '../time/cron.js';
