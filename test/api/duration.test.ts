// Durations are a number of ms or a strict human string; anything else is
// refused with a message that names the option, what is allowed and what came.
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, TimesliceError } from '../../src/errors.js';
import { parseDurationMs } from '../../src/time/duration.js';

const valid: [input: number | string, expectedMs: number][] = [
  [0, 0],
  [250, 250],
  [1.5, 1.5],
  [1e15, 1e15],
  ['1000000000000000ms', 1e15],
  ['0s', 0],
  ['250ms', 250],
  ['5s', 5_000],
  ['1.5s', 1_500],
  ['1.1s', 1_100],
  ['0.5ms', 0.5],
  ['5m', 300_000],
  ['1h30m', 5_400_000],
  ['1h 30m', 5_400_000],
  ['  1h   30m  ', 5_400_000],
  ['2d', 172_800_000],
  ['1w', 604_800_000],
  ['1w2d3h4m5s6ms', 604_800_000 + 172_800_000 + 10_800_000 + 240_000 + 5_000 + 6],
  ['1.5h', 5_400_000],
  ['5min', 300_000],
  ['1h30min', 5_400_000],
  ['1h 2.5min', 3_750_000],
  ['90m', 5_400_000],
  ['1m30s', 90_000],
  ['1s500ms', 1_500],
];

const MESSAGE_START = "delayMs must be a number of ms >= 0 or a duration like '5m' or '1h30m', received ";
const TOO_LONG = 'at most 1e15 ms (about 31,688 years, MAX_DURATION_MS)';
const MONTHS =
  "'M' or 'mo' would be months (no fixed length): 'm' or 'min' is minutes; a monthly task takes the calendar interval { months: 1 }";
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** The full message for a refused value (`received` as describeValue writes it). */
const refused = (received: string) => new RegExp(`^${escapeRegExp(MESSAGE_START + received)}$`);

const invalid: [label: string, input: unknown, code: string, message: RegExp][] = [
  ['NaN', Number.NaN, 'ERR_INVALID_ARGUMENT', refused('NaN (number)')],
  ['Infinity', Number.POSITIVE_INFINITY, 'ERR_INVALID_ARGUMENT', refused(`Infinity (number) (${TOO_LONG})`)],
  ['the largest number', Number.MAX_VALUE, 'ERR_INVALID_ARGUMENT', refused(`1.7976931348623157e+308 (number) (${TOO_LONG})`)],
  ['just past MAX_DURATION_MS', 1e15 + 1, 'ERR_INVALID_ARGUMENT', refused(`1000000000000001 (number) (${TOO_LONG})`)],
  ['a string past MAX_DURATION_MS', '1000000000000001ms', 'ERR_INVALID_ARGUMENT', refused(`'1000000000000001ms' (string) (${TOO_LONG})`)],
  ['a week count past MAX_DURATION_MS', '1700000w', 'ERR_INVALID_ARGUMENT', refused(`'1700000w' (string) (${TOO_LONG})`)],
  ['-Infinity', Number.NEGATIVE_INFINITY, 'ERR_INVALID_ARGUMENT', refused('-Infinity (number)')],
  ['a negative number', -1, 'ERR_INVALID_ARGUMENT', refused('-1 (number)')],
  ['an empty string', '', 'ERR_INVALID_ARGUMENT', refused("'' (string)")],
  ['a blank string', '   ', 'ERR_INVALID_ARGUMENT', refused("'   ' (string)")],
  ['a bare number string', '5000', 'ERR_INVALID_ARGUMENT', refused("'5000' (string)")],
  ['a negative duration', '-5m', 'ERR_INVALID_ARGUMENT', refused("'-5m' (string)")],
  ['a spelled-out unit', '5 minutes', 'ERR_INVALID_ARGUMENT', refused("'5 minutes' (string)")],
  ['a space inside a part', '5 m', 'ERR_INVALID_ARGUMENT', refused("'5 m' (string)")],
  ['an unknown unit', '5q', 'ERR_INVALID_ARGUMENT', refused("'5q' (string)")],
  ['a unit without a number', 'ms', 'ERR_INVALID_ARGUMENT', refused("'ms' (string)")],
  ['a fraction without leading digits', '.5s', 'ERR_INVALID_ARGUMENT', refused("'.5s' (string)")],
  ['a fraction without digits', '1.s', 'ERR_INVALID_ARGUMENT', refused("'1.s' (string)")],
  ['two decimal points', '1.5.5s', 'ERR_INVALID_ARGUMENT', refused("'1.5.5s' (string)")],
  ['an exponent', '1e3ms', 'ERR_INVALID_ARGUMENT', refused("'1e3ms' (string)")],
  ['a trailing bare number', '1h30', 'ERR_INVALID_ARGUMENT', refused("'1h30' (string)")],
  ['separators other than whitespace', '1h,30m', 'ERR_INVALID_ARGUMENT', refused("'1h,30m' (string)")],
  ['a string number', 'Infinity', 'ERR_INVALID_ARGUMENT', refused("'Infinity' (string)")],
  ['units out of order', '30m1h', 'ERR_INVALID_ARGUMENT', refused("'30m1h' (string) (units go largest first, each at most once)")],
  ['a repeated unit', '1h1h', 'ERR_INVALID_ARGUMENT', refused("'1h1h' (string) (units go largest first, each at most once)")],
  ['ms before s', '500ms1s', 'ERR_INVALID_ARGUMENT', refused("'500ms1s' (string) (units go largest first, each at most once)")],
  ['a string past the largest number', `${'9'.repeat(400)}ms`, 'ERR_INVALID_ARGUMENT', /received '9{400}ms' \(string\) \(at most 1e15 ms \(about 31,688 years, MAX_DURATION_MS\)\)$/],
  ['M, a month in some libraries and a minute in others', '1M', 'ERR_INVALID_ARGUMENT', refused(`'1M' (string) (${MONTHS})`)],
  ['mo', '1mo', 'ERR_INVALID_ARGUMENT', refused(`'1mo' (string) (${MONTHS})`)],
  ['months spelled out', '2 months', 'ERR_INVALID_ARGUMENT', refused(`'2 months' (string) (${MONTHS})`)],
  ['M after other parts', '1d 1M', 'ERR_INVALID_ARGUMENT', refused(`'1d 1M' (string) (${MONTHS})`)],
  ['years', '1y', 'ERR_INVALID_ARGUMENT', refused("'1y' (string) (years have no fixed length: use the calendar interval { months: 12 } for a yearly task)")],
  ['an upper-case unit', '1H30m', 'ERR_INVALID_ARGUMENT', refused("'1H30m' (string) (units are lower case: 'h', not 'H')")],
  ['upper-case ms', '250MS', 'ERR_INVALID_ARGUMENT', refused("'250MS' (string) (units are lower case: 'ms', not 'MS')")],
  ['minutes twice, as m and min', '1m1min', 'ERR_INVALID_ARGUMENT', refused("'1m1min' (string) (units go largest first, each at most once)")],
  ['null', null, 'ERR_INVALID_ARGUMENT', refused('null')],
  ['undefined', undefined, 'ERR_INVALID_ARGUMENT', refused('undefined')],
  ['a boolean', true, 'ERR_INVALID_ARGUMENT', refused('true (boolean)')],
  ['a bigint', 5n, 'ERR_INVALID_ARGUMENT', refused('5 (bigint)')],
  ['an object', { ms: 5 }, 'ERR_INVALID_ARGUMENT', refused('a value of type object')],
  ['an array', ['5m'], 'ERR_INVALID_ARGUMENT', refused('a value of type array')],
];

describe('parseDurationMs', () => {
  it.each(valid)('reads %j as %d ms', (input, expectedMs) => {
    expect(parseDurationMs('delayMs', input)).toBe(expectedMs);
  });

  it.each(invalid)('refuses %s with a message that names the option', (_label, input, code, message) => {
    let caught: unknown;
    try {
      parseDurationMs('delayMs', input as string);
    } catch (err) {
      caught = err;
    }
    expect(caught, 'the call must throw').toBeInstanceOf(InvalidArgumentError);
    expect((caught as TimesliceError).code).toBe(code);
    expect((caught as Error).message).toMatch(message);
    expect(TimesliceError.is(caught)).toBe(true);
  });

  it('names whichever option it was given in the message', () => {
    expect(() => parseDurationMs('retry.maxDelayMs', '5 minutes')).toThrow(
      "retry.maxDelayMs must be a number of ms >= 0 or a duration like '5m' or '1h30m', received '5 minutes' (string)",
    );
  });

  it('gives the same answer when called again with the same string', () => {
    // The part pattern is global (stateful lastIndex); matchAll must not leak state between calls.
    expect(parseDurationMs('delayMs', '1h30m')).toBe(5_400_000);
    expect(parseDurationMs('delayMs', '1h30m')).toBe(5_400_000);
  });
});
