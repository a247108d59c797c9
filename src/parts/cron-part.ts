// Cron support (croner) as a loadable part: CronSchedule, which
// load({ cron: true }) imports in a browser build (./load.ts). In Node it is
// at hand with the package (`#cron-sync`, ./cron.ts).
export { CronSchedule } from '../time/cron.js';
// No binding: the entry as one chunk with the code this part shares with it, in a bundle (./load.ts).
import '#timeslice';
