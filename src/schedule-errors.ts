// Errors of cron schedules (src/cron.ts). Same pattern as bindings/errors.ts:
// a literal `code`, and a static `is()` that checks the code, so a clone that
// crossed a worker boundary is still recognised.
import { TimesliceError } from '../bindings/errors.js';

function defineError<Code extends string>(code: Code, name: string) {
  return class extends TimesliceError {
    override readonly code: Code = code;
    override readonly name: string = name;
    static override is(err: unknown): err is TimesliceError & { code: Code } {
      return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
    }
  };
}

/** A cron expression that is not a string, is empty, or that croner refuses (or that matches no date). */
export class InvalidCronExpressionError extends defineError('ERR_INVALID_CRON', 'InvalidCronExpressionError') {}
/** A time zone that is not an IANA name this runtime knows (Intl.DateTimeFormat refuses it). */
export class UnknownTimeZoneError extends defineError('ERR_UNKNOWN_TIME_ZONE', 'UnknownTimeZoneError') {}
