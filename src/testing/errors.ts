import { TimesliceError } from '../errors.js';

/**
 * A VirtualClock kept finding work: runUntilIdle ran `maxSteps` callbacks, or
 * advance/flush ran `maxStepsPerInstant` callbacks without time moving. Usually
 * an endless periodic task, or a loop that yields to the host forever.
 */
export class VirtualClockNotIdleError extends TimesliceError {
  override readonly code = 'ERR_VIRTUAL_CLOCK_NOT_IDLE' as const;
  override readonly name: string = 'VirtualClockNotIdleError';
  static override is(err: unknown): err is TimesliceError & { code: 'ERR_VIRTUAL_CLOCK_NOT_IDLE' } {
    return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'ERR_VIRTUAL_CLOCK_NOT_IDLE';
  }
}
