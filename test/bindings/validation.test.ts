// Bad arguments never reach the core: each is refused with a typed error whose
// code is stable and whose message names the argument and what was received.
import { describe, expect, it } from 'vitest';
import { type Core, InvalidArgumentError, InvalidHandleError, TimesliceError } from '../../bindings/index.js';
import { releaseCore } from '../helpers/core.js';

type Case = [label: string, call: (core: Core, h: number) => unknown, code: string, message: RegExp];

const cases: Case[] = [
  ['NaN now', (c) => c.register(Number.NaN), 'ERR_INVALID_ARGUMENT', /nowMs must be a finite number of ms >= 0, received NaN \(number\)/],
  ['negative now', (c) => c.register(-1), 'ERR_INVALID_ARGUMENT', /nowMs .* received -1 \(number\)/],
  ['infinite delay', (c) => c.register(0, 2, 0, 'once', Number.POSITIVE_INFINITY), 'ERR_INVALID_ARGUMENT', /delayMs .* received Infinity/],
  ['string delay', (c) => c.register(0, 2, 0, 'once', '5' as unknown as number), 'ERR_INVALID_ARGUMENT', /delayMs .* received '5' \(string\)/],
  ['class out of range', (c) => c.register(0, 5), 'ERR_INVALID_ARGUMENT', /priorityClass must be an integer from 0 to 4, received 5/],
  ['fractional class', (c) => c.register(0, 1.5), 'ERR_INVALID_ARGUMENT', /priorityClass .* received 1.5/],
  ['nice too high', (c) => c.register(0, 2, 20), 'ERR_INVALID_ARGUMENT', /nice must be an integer from -20 to 19, received 20/],
  ['unknown kind', (c) => c.register(0, 2, 0, 'weekly' as never), 'ERR_INVALID_ARGUMENT', /kind must be one of once, fixed-rate, fixed-delay, received 'weekly'/],
  ['inherited kind name', (c) => c.register(0, 2, 0, 'toString' as never), 'ERR_INVALID_ARGUMENT', /kind must be one of/],
  ['periodic without period', (c) => c.register(0, 2, 0, 'fixed-rate', 0, 0), 'ERR_INVALID_ARGUMENT', /periodMs must be a finite number of ms > 0, received 0/],
  ['NaN period', (c) => c.register(0, 2, 0, 'fixed-delay', 0, Number.NaN), 'ERR_INVALID_ARGUMENT', /periodMs .* received NaN/],
  ['unknown policy', (c) => c.setPolicy('lottery' as never), 'ERR_INVALID_ARGUMENT', /policy must be one of deadline, priority, fair, round-robin, received 'lottery'/],
  ['zero quantum', (c) => c.setQuantum(0), 'ERR_INVALID_ARGUMENT', /quantumMs must be a finite number of ms > 0, received 0/],
  ['NaN quantum', (c) => c.setQuantum(Number.NaN), 'ERR_INVALID_ARGUMENT', /quantumMs .* NaN/],
  ['negative deadline', (c) => c.setClassDeadline(0, -1), 'ERR_INVALID_ARGUMENT', /deadlineMs .* received -1/],
  ['NaN advance', (c) => c.advance(Number.NaN), 'ERR_INVALID_ARGUMENT', /nowMs .* NaN/],
  ['NaN charge', (c, h) => c.charge(h, Number.NaN), 'ERR_INVALID_ARGUMENT', /elapsedMs .* NaN/],
  ['negative retry delay', (c, h) => c.retry(h, 0, -5), 'ERR_INVALID_ARGUMENT', /delayMs .* received -5/],
  ['NaN handle', (c) => c.cancel(Number.NaN), 'ERR_INVALID_HANDLE', /handle must be a task handle .* received NaN/],
  ['object handle', (c) => c.pause({} as never), 'ERR_INVALID_HANDLE', /received a value of type object/],
  ['never-issued handle', (c) => c.cancel(2 ** 24 + 12345), 'ERR_INVALID_HANDLE', /cancel: not a task handle/],
  ['class via setClass', (c, h) => c.setClass(h, -1), 'ERR_INVALID_ARGUMENT', /priorityClass .* received -1/],
  ['nice via setNice', (c, h) => c.setNice(h, 0.5), 'ERR_INVALID_ARGUMENT', /nice .* received 0.5/],
  ['batch kind', (c) => c.batch().register(2, 0, 'daily' as never), 'ERR_INVALID_ARGUMENT', /kind must be one of/],
  ['batch maxOut', (c) => c.batch().run(0, 5000), 'ERR_INVALID_ARGUMENT', /maxOut must be an integer from 0 to 4096, received 5000/],
  ['batch result index', (c) => c.batch().result(0), 'ERR_INVALID_ARGUMENT', /index must be an integer/],
];

describe('argument validation', () => {
  it.each(cases)('refuses %s', (_label, call, code, message) => {
    const core = releaseCore();
    const h = core.register(0);
    core.pop(0);
    let caught: unknown;
    try {
      call(core, h);
    } catch (err) {
      caught = err;
    }
    expect(caught, 'the call must throw').toBeInstanceOf(TimesliceError);
    expect((caught as TimesliceError).code).toBe(code);
    expect((caught as Error).message).toMatch(message);
    expect(TimesliceError.is(caught)).toBe(true);
    // Nothing was half-applied: the running task is untouched.
    expect(core.state(h)).toBe('running');
  });

  it('recognises error codes on plain clones, where instanceof fails', () => {
    const clone = structuredClone({ code: 'ERR_INVALID_ARGUMENT', message: 'x' });
    expect(InvalidArgumentError.is(clone)).toBe(true);
    expect(InvalidHandleError.is(clone)).toBe(false);
    expect(TimesliceError.is(new Error('plain'))).toBe(false);
  });
});
