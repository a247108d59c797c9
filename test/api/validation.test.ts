// Every public argument of the Scheduler API is validated at the call that
// made it, with a typed error, a stable code and a message that names the
// argument, what is allowed and what was received.
import { describe, expect, it } from 'vitest';
import { Scheduler, TimesliceError } from '../../src/index.js';
import { VirtualClock } from '../../src/testing/index.js';

type Case = [label: string, call: (s: Scheduler) => unknown, code: string, message: RegExp];
const noop = () => {};

const cases: Case[] = [
  ['NaN delay', (s) => s.after(Number.NaN, noop), 'ERR_INVALID_ARGUMENT', /delayMs must be a number of ms >= 0 or a duration .* received NaN \(number\)/],
  ['negative delay', (s) => s.after(-5, noop), 'ERR_INVALID_ARGUMENT', /delayMs .* received -5 \(number\)/],
  ['infinite delay', (s) => s.after(Number.POSITIVE_INFINITY, noop), 'ERR_INVALID_ARGUMENT', /delayMs .* received Infinity/],
  ['bad duration string', (s) => s.after('5 minutes', noop), 'ERR_INVALID_ARGUMENT', /delayMs .* received '5 minutes' \(string\)/],
  ['zero period', (s) => s.every(0, noop), 'ERR_INVALID_ARGUMENT', /periodMs must be > 0, received 0/],
  ['wrong type period', (s) => s.every({} as never, noop), 'ERR_INVALID_ARGUMENT', /periodMs .* received a value of type object/],
  ['zero recurring delay', (s) => s.recurring('0ms', noop), 'ERR_INVALID_ARGUMENT', /delayMs must be > 0/],
  ['invalid date', (s) => s.at(new Date('nope'), noop), 'ERR_INVALID_ARGUMENT', /date must be a valid Date/],
  ['missing function', (s) => s.run(undefined as never), 'ERR_INVALID_ARGUMENT', /run: fn must be a function, received undefined/],
  ['unknown priority', (s) => s.run(noop, { priority: 'urgent' as never }), 'ERR_INVALID_ARGUMENT', /options.priority must be one of critical, high, normal, low, background .* received 'urgent'/],
  ['unknown option', (s) => s.run(noop, { prio: 1 } as never), 'ERR_INVALID_ARGUMENT', /options.prio is not a task option/],
  ['NaN nice', (s) => s.run(noop, { nice: Number.NaN }), 'ERR_INVALID_ARGUMENT', /options.nice must be an integer from -20 to 19, received NaN/],
  ['negative weight', (s) => s.run(noop, { weight: -1 }), 'ERR_INVALID_ARGUMENT', /options.weight must be a finite number > 0, received -1/],
  ['nice and weight', (s) => s.run(noop, { nice: 1, weight: 2 }), 'ERR_INVALID_ARGUMENT', /alternatives/],
  ['bad timeout', (s) => s.run(noop, { timeoutMs: -1 }), 'ERR_INVALID_ARGUMENT', /options.timeoutMs .* received -1/],
  ['fractional maxRuns', (s) => s.every(10, noop, { maxRuns: 1.5 }), 'ERR_INVALID_ARGUMENT', /options.maxRuns must be an integer >= 1, received 1.5/],
  ['zero retry attempts', (s) => s.run(noop, { retry: 0 }), 'ERR_INVALID_ARGUMENT', /retry.attempts must be an integer >= 1, received 0/],
  ['bad backoff', (s) => s.run(noop, { retry: { attempts: 2, backoff: 'linear' as never } }), 'ERR_INVALID_ARGUMENT', /retry.backoff must be 'fixed' or 'exponential'/],
  ['bad jitter', (s) => s.run(noop, { retry: { attempts: 2, jitter: 2 } }), 'ERR_INVALID_ARGUMENT', /retry.jitter must be a number from 0 to 1, received 2/],
  ['not a signal', (s) => s.run(noop, { signal: {} as never }), 'ERR_INVALID_ARGUMENT', /options.signal must be an AbortSignal/],
  ['bad cron', (s) => s.cron('61 * * * *', noop), 'ERR_INVALID_CRON', /61 \* \* \* \*/],
  ['cron with no future run', (s) => s.cron('0 0 30 2 *', noop), 'ERR_INVALID_CRON', /0 0 30 2/],
  ['unknown time zone', (s) => s.cron('0 9 * * *', noop, { timezone: 'Mars/Olympus' }), 'ERR_UNKNOWN_TIME_ZONE', /Mars\/Olympus/],
  ['bad priority on handle', (s) => s.after(10, noop).setPriority('top' as never), 'ERR_INVALID_ARGUMENT', /priority must be one of/],
  ['bad stop options', (s) => s.stop(null as never), 'ERR_INVALID_ARGUMENT', /stop: options must be an object/],
];

const constructorCases: Array<[string, () => unknown, RegExp]> = [
  ['unknown policy', () => new Scheduler({ policy: 'lottery' as never }), /options.policy must be one of deadline, priority, fair, round-robin, received 'lottery'/],
  ['NaN quantum', () => new Scheduler({ quantumMs: Number.NaN }), /options.quantumMs .* received NaN/],
  ['zero slice', () => new Scheduler({ sliceMs: 0 }), /options.sliceMs must be > 0 and at most 1000 ms, received 0/],
  ['fractional concurrency', () => new Scheduler({ concurrency: 2.5 }), /options.concurrency must be an integer >= 1 or Infinity, received 2.5/],
  ['bad deadline class', () => new Scheduler({ deadlinesMs: { urgent: 5 } as never }), /deadlinesMs key must be one of/],
  ['not a clock', () => new Scheduler({ clock: {} as never }), /options.clock must implement Clock/],
  ['unknown scheduler option', () => new Scheduler({ quantum: 5 } as never), /options.quantum is not a scheduler option/],
];

async function capture(call: () => unknown): Promise<unknown> {
  try {
    await call();
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('Scheduler argument validation', () => {
  it.each(cases)('refuses %s', async (_label, call, code, message) => {
    const scheduler = new Scheduler({ clock: new VirtualClock() });
    const err = await capture(() => call(scheduler));
    expect(err, 'the call must fail').toBeInstanceOf(TimesliceError);
    expect((err as TimesliceError).code).toBe(code);
    expect((err as Error).message).toMatch(message);
    expect(scheduler.stats().live).toBeLessThanOrEqual(1); // nothing half-registered
  });

  it.each(constructorCases)('refuses a scheduler with %s', async (_label, make, message) => {
    const err = await capture(make);
    expect((err as TimesliceError).code).toBe('ERR_INVALID_ARGUMENT');
    expect((err as Error).message).toMatch(message);
  });
});
