// `timeslice/calendar`: calendar intervals ({ days | weeks | months }) read in
// a time zone, asked for their next slot (CalendarSchedule). An entry of its
// own, as `timeslice/cron` is: the durable layer uses this code, and a value
// exported from `timeslice` would put it in a browser bundle's first load
// even when unused. every({ days: 1 }) gets it in Node with the package, in a
// browser from load({ calendar: true }) (src/parts/load.ts).
export { CalendarSchedule, type CalendarScheduleOptions } from './time/calendar.js';
export type { CalendarPeriod, CalendarUnit, ResolvedCalendarPeriod } from './time/calendar-period.js';
export type { CronDstOptions, CronDstPolicy } from './time/dst-policy.js';
