// `timeslice/clock-watch`: ClockWatch and ClockJumpDetector, which tell a
// wall-clock jump or a wake from sleep from the monotonic clock. An entry of
// its own: durable schedulers use them (options.clockWatch), and a value
// exported from `timeslice` would put them in a browser bundle's first load
// even when unused.
export {
  ClockJumpDetector, type ClockJump, type ClockJumpDetectorOptions, ClockWatch, type ClockWake, type ClockWatchEvent, type ClockWatchOptions,
} from './time/clock-watch.js';
