// The options of Scheduler.stop(): whether to drain, and for how long.
import { InvalidArgumentError, mustBe } from '../bindings/errors.js';
import { type Duration, parseDurationMs } from './time/duration.js';

export interface StopOptions {
  /** Wait for running work to finish (refusing new work meanwhile). Otherwise running runs are aborted. @default true */
  drain?: boolean;
  /**
   * With drain: the longest wait. Runs still in flight then have their signal
   * aborted with SchedulerStoppedError, as with `drain: false`, and stop()
   * resolves. @default no limit
   */
  timeoutMs?: Duration;
}

/** stop()'s options read and checked: InvalidArgumentError for a non-object, a timeoutMs without a drain, or a bad duration. */
export function readStopOptions(options: StopOptions): { drain: boolean; drainTimeoutMs: number | undefined } {
  if (typeof options !== 'object' || options === null) throw mustBe('stop: options', 'an object', options);
  const drain = options.drain ?? true;
  return { drain, drainTimeoutMs: drainTimeout(options, drain) };
}

/** The drain's bound in ms (undefined: none). */
function drainTimeout(options: StopOptions, drain: boolean): number | undefined {
  if (options.timeoutMs === undefined) return undefined;
  if (!drain) throw new InvalidArgumentError('stop: options.timeoutMs bounds a drain; with drain: false nothing is waited for');
  return parseDurationMs('stop: options.timeoutMs', options.timeoutMs);
}
