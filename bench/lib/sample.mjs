// One repetition of one implementation, as interleave() and interleaveAsync()
// record it: whatever the run returned, plus `wallMs` and `cpuMs` of its timed
// region. The run is given a Stopwatch; when it calls start()/stop() around the
// work, that region is the timed one, otherwise the whole call is.
import { Stopwatch } from './stopwatch.mjs';

/** Starts the stopwatch that times the whole call unless the run times a region itself. */
export function openSample() {
  const whole = new Stopwatch();
  const region = new Stopwatch();
  whole.start();
  return { whole, region };
}

/**
 * Adds one run's sample to `byMetric` (metric -> samples). A metric the run
 * returned itself keeps the run's value (a suite that reports its own wallMs
 * means its own region).
 */
export function recordSample(byMetric, { whole, region }, returned, implName) {
  whole.stop();
  if (region.running) throw new Error(`${implName}: the run returned with its stopwatch still running`);
  const timer = region.used ? region : whole;
  const sample = { wallMs: timer.wallMs, cpuMs: timer.cpuMs, ...returned };
  for (const [metric, value] of Object.entries(sample)) (byMetric[metric] ??= []).push(value);
}
