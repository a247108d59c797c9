// Wall-clock plans as a loadable part: calendar intervals ({ days | weeks |
// months }), their time zones and DST policy, startAt/endAt windows (of
// every() and recurring()), and the plan of a cron task (time/wall-plans.ts,
// with calendar.ts, zone-offsets.ts and schedule-window.ts). A plain
// every('5m') or recurring('5m') needs none of it. In Node it
// loads with the package (./sync.node.ts); in a browser build,
// load({ calendar: true }) or load({ cron: true }) imports it (./load.ts).
export { planCron, planEvery, planRecurring } from '../time/wall-plans.js';
// No binding: the entry as one chunk with the code this part shares with it, in a bundle (./load.ts).
import '#timeslice';
