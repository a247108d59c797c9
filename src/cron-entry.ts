// `timeslice/cron`: cron expressions read in a time zone, asked for their next
// run (CronSchedule, on croner). An entry of its own so that `timeslice` itself
// carries no croner: scheduler.cron() gets it in Node with the package, in a
// browser from load({ cron: true }) (src/parts/load.ts).
export { CronSchedule, type CronDstOptions, type CronDstPolicy, type CronGapPolicy, type CronOverlapPolicy, type CronScheduleOptions } from './time/cron.js';
export { InvalidCronExpressionError, UnknownTimeZoneError } from './errors.js';
