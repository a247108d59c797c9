// The remaining bad inputs of the in-memory API: one maximum for every
// delay, period and other duration (MAX_DURATION_MS, shared with durable
// tasks), sane ranges for the scheduler's time options, and option objects
// whose getters or Proxy traps throw (an InvalidArgumentError naming the
// option, the original error as its cause).
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, Scheduler } from '../../src/index.js';
import { MAX_DURATION_MS } from '../../src/time/duration.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { VirtualClock } from '../../src/testing/index.js';
import { virtualScheduler } from './helpers.js';

const noop = () => {};
const TOO_LONG = /at most 1e15 ms \(about 31,688 years, MAX_DURATION_MS\)/;

describe('one maximum for every duration', () => {
  it('is 1e15 ms', () => {
    expect(MAX_DURATION_MS).toBe(1e15);
  });

  it.each([
    ['after', (s: Scheduler) => s.after(1e300, noop)],
    ['every', (s: Scheduler) => s.every(Number.MAX_VALUE, noop)],
    ['recurring', (s: Scheduler) => s.recurring(1e16, noop)],
    ['a timeoutMs', (s: Scheduler) => s.run(noop, { timeoutMs: 1e300 })],
    ['a retry delay', (s: Scheduler) => s.run(noop, { retry: { attempts: 2, delayMs: 1e300 } })],
    ['a retry cap', (s: Scheduler) => s.run(noop, { retry: { attempts: 2, maxDelayMs: '2000000w' } })],
  ])('refuses %s beyond it, naming it', (_, call) => {
    const { scheduler } = virtualScheduler();
    expect(() => call(scheduler)).toThrow(InvalidArgumentError);
    expect(() => call(scheduler)).toThrow(TOO_LONG);
  });

  it('accepts a delay of exactly MAX_DURATION_MS', () => {
    const { scheduler } = virtualScheduler();
    expect(scheduler.after(MAX_DURATION_MS, noop).stats().nextRunMs).toBe(MAX_DURATION_MS);
  });

  it('refuses at() a date outside a Date\'s range, or further than MAX_DURATION_MS ahead', () => {
    const { scheduler, clock } = virtualScheduler();
    expect(() => scheduler.at(1e20, noop)).toThrow(/at: date must be a valid Date or a number of ms since the epoch from -8.64e15 to 8.64e15/);
    expect(() => scheduler.at(new Date(Number.NaN), noop)).toThrow(InvalidArgumentError);
    expect(() => scheduler.at(8.64e15, noop)).toThrow(TOO_LONG);
    expect(() => scheduler.at(-8.64e15, noop)).not.toThrow();
    expect(scheduler.at(clock.wallNow() + 5000, noop).stats().nextRunMs).toBe(5000);
  });

  it('refuses a ctx.sleep() beyond it with a rejection', async () => {
    const { scheduler, clock } = virtualScheduler({ onError: false });
    scheduler.start();
    const h = scheduler.run((ctx) => ctx.sleep(1e300));
    await clock.runUntilIdle();
    await expect(h.done).rejects.toThrow(TOO_LONG);
  });

  it('applies the same maximum to durable tasks', async () => {
    const clock = new VirtualClock();
    const scheduler = new Scheduler({ clock, store: new MemoryStore(), clockWatch: false, retention: false });
    scheduler.define('job', noop);
    for (const timing of [{ every: Number.MAX_VALUE }, { recurring: 1e300 }, { after: '2000000w' }, { at: 8.64e15 }]) {
      const error = await scheduler.schedule({ fn: 'job', ...timing }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect((error as Error).message).toMatch(TOO_LONG);
    }
    const outOfRange = await scheduler.schedule({ fn: 'job', at: 1e20 }).catch((e: unknown) => e);
    expect((outOfRange as Error).message).toMatch(/options.at must be a valid Date or a number of ms since the epoch from -8.64e15 to 8.64e15/);
    await expect(scheduler.schedule({ fn: 'job', every: MAX_DURATION_MS })).resolves.toMatchObject({ periodMs: MAX_DURATION_MS });
  });
});

describe('ranges of the time options', () => {
  it.each([
    ['quantumMs', { quantumMs: 1e308 }, /options.quantumMs must be > 0 and at most 60000 ms, received 1e\+308/],
    ['quantumMs of zero', { quantumMs: 0 }, /options.quantumMs must be > 0 and at most 60000 ms, received 0/],
    ['sliceMs', { sliceMs: 1e308 }, /options.sliceMs must be > 0 and at most 1000 ms/],
    ['sliceMs as a string', { sliceMs: '2s' }, /options.sliceMs must be > 0 and at most 1000 ms, received '2s'/],
    ['a class deadline', { deadlinesMs: { background: 1e300 } }, TOO_LONG],
    ['a huge concurrency', { concurrency: 1e300 }, /options.concurrency must be an integer >= 1 or Infinity/],
  ])('refuses %s out of range', (_, options, message) => {
    expect(() => new Scheduler(options as never)).toThrow(message);
  });

  it.each([
    ['maxRuns', { maxRuns: 1e300 }, /options.maxRuns must be an integer >= 1, received 1e\+300 \(number\) \(at most 2\^53 - 1\)$/],
    ['retry attempts', { retry: 1e300 }, /retry.attempts must be an integer >= 1, received 1e\+300 \(number\) \(at most 2\^53 - 1\)$/],
    ['an unknown retry option', { retry: { attempts: 2, dealyMs: 10 } }, /retry.dealyMs is not a retry option \(known: attempts, backoff, delayMs, maxDelayMs, jitter\)/],
  ])('refuses %s out of range', (_, options, message) => {
    const { scheduler } = virtualScheduler();
    expect(() => scheduler.every(10, noop, options as never)).toThrow(message);
  });

  it('accepts the bounds themselves', () => {
    expect(() => new Scheduler({ quantumMs: 60_000, sliceMs: 1000, concurrency: Number.MAX_SAFE_INTEGER })).not.toThrow();
  });
});

/** An object whose `key` getter throws `error`. */
function throwingGetter(key: string, error: unknown, rest: object = {}): object {
  return Object.defineProperty({ ...rest }, key, { enumerable: true, get: () => { throw error; } });
}

/** The error a call threw, checked to be an InvalidArgumentError whose cause is `cause` and whose message matches. */
function expectWrapped(call: () => unknown, message: RegExp, cause: unknown): void {
  let thrown: unknown;
  try {
    call();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(InvalidArgumentError);
  expect((thrown as Error).message).toMatch(message);
  expect((thrown as Error).cause).toBe(cause);
}

describe('option objects that throw when read', () => {
  const boom = new Error('boom');

  it('wraps a task option getter that throws, naming the option', () => {
    const { scheduler } = virtualScheduler();
    expectWrapped(() => scheduler.run(noop, throwingGetter('priority', boom) as never), /^options.priority could not be read: its getter threw Error: boom$/, boom);
    expectWrapped(() => scheduler.every(10, noop, throwingGetter('name', boom, { maxRuns: 2 }) as never), /^options.name could not be read/, boom);
  });

  it('wraps a nested retry getter, and a throw that is not an Error', () => {
    const { scheduler } = virtualScheduler();
    expectWrapped(() => scheduler.run(noop, { retry: throwingGetter('attempts', 'nope') as never }), /^options.retry.attempts could not be read: its getter threw 'nope' \(string\)$/, 'nope');
  });

  it('wraps a Proxy whose traps throw', () => {
    const { scheduler } = virtualScheduler();
    const ownKeysThrows = new Proxy({}, { ownKeys: () => { throw boom; } });
    expectWrapped(() => scheduler.run(noop, ownKeysThrows as never), /^options could not be read: listing its keys threw Error: boom$/, boom);
    const getThrows = new Proxy({ name: 'x' }, { get: () => { throw boom; } });
    expectWrapped(() => scheduler.after(5, noop, getThrows as never), /^options.name could not be read: its getter threw Error: boom$/, boom);
    const revocable = Proxy.revocable({}, {});
    revocable.revoke();
    expect(() => scheduler.run(noop, revocable.proxy as never)).toThrow(InvalidArgumentError);
  });

  it('wraps cron options that throw', () => {
    const { scheduler } = virtualScheduler();
    expectWrapped(() => scheduler.cron('* * * * *', noop, throwingGetter('timezone', boom) as never), /^options.timezone could not be read/, boom);
    expectWrapped(() => scheduler.cron('* * * * *', noop, { dst: throwingGetter('gap', boom) } as never), /^options.dst.gap could not be read/, boom);
  });

  it('wraps scheduler options that throw, nested ones included', () => {
    expectWrapped(() => new Scheduler(throwingGetter('policy', boom) as never), /^options.policy could not be read/, boom);
    expectWrapped(() => new Scheduler({ deadlinesMs: throwingGetter('background', boom) } as never), /^options.deadlinesMs.background could not be read/, boom);
    expectWrapped(() => new Scheduler({ store: new MemoryStore(), retention: throwingGetter('maxAgeMs', boom) } as never), /^options.retention.maxAgeMs could not be read/, boom);
  });

  it('reads a class instance\'s option getters, once each', () => {
    let reads = 0;
    class Options {
      get name(): string {
        reads++;
        return 'from a getter';
      }
    }
    const { scheduler } = virtualScheduler();
    expect(scheduler.every(10, noop, new Options() as never).name).toBe('from a getter');
    expect(reads).toBe(1);
  });

  it('wraps durable registration options that throw, nested ones included', async () => {
    const clock = new VirtualClock();
    const scheduler = new Scheduler({ clock, store: new MemoryStore(), clockWatch: false, retention: false });
    scheduler.define('job', noop);
    const top = await scheduler.schedule(throwingGetter('every', boom, { fn: 'job' }) as never).catch((e: unknown) => e);
    expect(top).toBeInstanceOf(InvalidArgumentError);
    expect((top as Error).message).toMatch(/^schedule: options.every could not be read: its getter threw Error: boom$/);
    expect((top as Error).cause).toBe(boom);
    const nested = await scheduler.schedule({ fn: 'job', every: 10, missed: throwingGetter('policy', boom) } as never).catch((e: unknown) => e);
    expect((nested as Error).message).toMatch(/^schedule: options.missed.policy could not be read/);
    const many = await scheduler.scheduleMany([{ fn: 'job', every: 10 }, throwingGetter('fn', boom) as never]).catch((e: unknown) => e);
    expect((many as Error).message).toMatch(/tasks\[1\].fn could not be read/);
  });
});
