// Errors of cron schedules (src/cron.ts). Same pattern as bindings/errors.ts:
// a literal `code`, and a static `is()` that checks the code, so a clone that
// crossed a worker boundary is still recognised.
import { defineError } from '../bindings/errors.js';

/** A cron expression that is not a string, is empty, or that croner refuses (or that matches no date). */
export class InvalidCronExpressionError extends defineError('ERR_INVALID_CRON', 'InvalidCronExpressionError') {}
/** A time zone that is not an IANA name this runtime knows (Intl.DateTimeFormat refuses it). */
export class UnknownTimeZoneError extends defineError('ERR_UNKNOWN_TIME_ZONE', 'UnknownTimeZoneError') {}
/**
 * A schedule's startAt and endAt leave it no slot: endAt before startAt, endAt
 * already past, or no slot of the schedule between them.
 */
export class InvalidScheduleWindowError extends defineError('ERR_INVALID_SCHEDULE_WINDOW', 'InvalidScheduleWindowError') {}
