// VirtualClock.suspend(ms): both clocks move on while nothing runs, as for a
// stopped process or a machine asleep; timers that came due run late.
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, InvalidStateError } from '../../src/errors.js';
import { VirtualClock } from '../../src/testing/index.js';

function setup() {
  const clock = new VirtualClock({ startMs: 1000, wallStartMs: Date.UTC(2026, 0, 1) });
  const log: string[] = [];
  const record = (label: string) => () => log.push(`${label}@${clock.now()}`);
  return { clock, log, record };
}

describe('VirtualClock.suspend', () => {
  it('moves now() and wallNow() forward together and runs nothing', () => {
    const { clock, log, record } = setup();
    clock.setTimer(record('timer'), 100);
    clock.suspend(60_000);
    expect(clock.now()).toBe(61_000);
    expect(clock.wallNow()).toBe(Date.UTC(2026, 0, 1) + 60_000);
    expect(log).toEqual([]);
    expect(clock.pendingTimers).toBe(1);
  });

  it('runs the timers that came due meanwhile late, by due time then order set, at the next flush', async () => {
    const { clock, log, record } = setup();
    clock.setTimer(record('b'), 200);
    clock.setTimer(record('a'), 100);
    clock.setTimer(record('c'), 200);
    clock.setTimer(record('later'), 90_000);
    clock.suspend(60_000);
    await clock.flush();
    expect(log).toEqual(['a@61000', 'b@61000', 'c@61000']);
    expect(clock.nextTimerDueMs).toBe(91_000);
  });

  it('lets advance() run the late timers first, then go on from the later now()', async () => {
    const { clock, log, record } = setup();
    clock.setTimer(record('late'), 100);
    clock.setTimer(record('due'), 70_000);
    clock.suspend(60_000);
    await clock.advance(10_000);
    expect(log).toEqual(['late@61000', 'due@71000']);
    expect(clock.now()).toBe(71_000);
  });

  it('fires a self-rearming timer once late, not once for every period missed', async () => {
    const { clock, log } = setup();
    const tick = () => {
      log.push(`tick@${clock.now()}`);
      clock.setTimer(tick, 1000);
    };
    clock.setTimer(tick, 1000);
    await clock.advance(1000);
    clock.suspend(10_500);
    await clock.advance(1000);
    expect(log).toEqual(['tick@2000', 'tick@12500', 'tick@13500']);
  });

  it('keeps the wall offset of earlier wall jumps', () => {
    const { clock } = setup();
    clock.jumpWall(-5000);
    clock.suspend(1000);
    expect(clock.wallNow() - clock.now()).toBe(Date.UTC(2026, 0, 1) - 1000 - 5000);
  });

  it.each([
    ['a negative duration', -1, /^suspend\(ms\) must be a finite number of ms >= 0, received -1 \(number\)$/],
    ['NaN', Number.NaN, /^suspend\(ms\) .* received NaN \(number\)$/],
    ['Infinity', Number.POSITIVE_INFINITY, /^suspend\(ms\) .* received Infinity \(number\)$/],
    ['a string', '5' as never, /^suspend\(ms\) .* received '5' \(string\)$/],
  ])('refuses %s with InvalidArgumentError', (_label, ms, message) => {
    const { clock } = setup();
    expect(() => clock.suspend(ms)).toThrow(InvalidArgumentError);
    expect(() => clock.suspend(ms)).toThrow(message);
    expect(clock.now()).toBe(1000);
  });

  it('refuses to suspend while advance() is running', async () => {
    const { clock } = setup();
    let caught: unknown;
    clock.setTimer(() => {
      try {
        clock.suspend(1000);
      } catch (err) {
        caught = err;
      }
    }, 10);
    await clock.advance(10);
    expect(caught).toBeInstanceOf(InvalidStateError);
    expect((caught as Error).message).toBe('suspend: advance() is still running on this VirtualClock; await it first');
    expect(clock.now()).toBe(1010);
  });
});
