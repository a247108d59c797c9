// `timeslice/testing`: a Clock that moves only when a test says so.
export { VirtualClock } from './virtual-clock.js';
export type { RunUntilIdleOptions, VirtualClockOptions } from './virtual-clock-options.js';
export { VirtualClockNotIdleError } from './errors.js';
