// The RealClock on the host's own timers. Waits are kept to a few ms; long
// waits are tested with a tiny injected maxChunkMs, and host sleeps or early
// wake-ups by shifting performance.now() under the clock.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import { POLL_BURST_MS, POLL_SHARE, RealClock, realClock } from '../../src/time/real-clock.js';

/** A timer on `clock` as a promise of the clock time at which it fired. */
function firedAt(clock: RealClock, delayMs: number, log?: string[], label?: string): Promise<number> {
  return new Promise((resolve) => {
    clock.setTimer(() => {
      if (log !== undefined && label !== undefined) log.push(label);
      resolve(clock.now());
    }, delayMs);
  });
}

/**
 * Replaces performance.now() and setTimeout: each host timeout fires in a new
 * macrotask, having moved now() on by its delay (at least 1 ms, as hosts
 * round) less earlyMs. For one pending timer at a time; no real waiting.
 */
function fakeHostTimeouts({ earlyMs = 0 } = {}) {
  let nowMs = 0;
  const armedMs: number[] = [];
  vi.spyOn(performance, 'now').mockImplementation(() => nowMs);
  vi.spyOn(globalThis, 'setTimeout').mockImplementation(((fn: () => void, delayMs: number) => {
    armedMs.push(delayMs);
    return setImmediate(() => {
      nowMs += Math.max(delayMs, 1) - earlyMs;
      fn();
    });
  }) as unknown as typeof setTimeout);
  return { armedMs };
}

/**
 * Replaces performance.now(), setTimeout and clearTimeout with a timeline
 * driven by run(): host timeouts fire in due order (then the order they were
 * armed), each moving the host's time to its due time (delays round up to
 * 1 ms, as hosts do); now() is that time plus any jumpNow(). Any number of timers at once; no real waiting, so nothing
 * depends on how loaded the machine is.
 */
function fakeHostTimeline() {
  let nowMs = 0;
  /** How far now() runs ahead of the host's timeouts (jumpNow). */
  let skewMs = 0;
  let lastId = 0;
  const armedMs: number[] = [];
  const pending = new Map<number, { dueMs: number; fn: () => void }>();
  vi.spyOn(performance, 'now').mockImplementation(() => nowMs + skewMs);
  vi.spyOn(globalThis, 'setTimeout').mockImplementation(((fn: () => void, delayMs: number) => {
    armedMs.push(delayMs);
    pending.set(++lastId, { dueMs: nowMs + Math.max(delayMs, 1), fn });
    return lastId;
  }) as unknown as typeof setTimeout);
  vi.spyOn(globalThis, 'clearTimeout').mockImplementation(((id: number) => {
    pending.delete(id);
  }) as unknown as typeof clearTimeout);
  return {
    armedMs,
    /** now() moves ahead by ms; the host's pending timeouts stay where they were (a clock that jumped). */
    jumpNow(ms: number) {
      skewMs += ms;
    },
    get pending() {
      return pending.size;
    },
    run() {
      for (;;) {
        let next: number | undefined;
        for (const [id, timeout] of pending) if (next === undefined || timeout.dueMs < pending.get(next)!.dueMs) next = id;
        if (next === undefined) return;
        const timeout = pending.get(next)!;
        pending.delete(next);
        nowMs = Math.max(nowMs, timeout.dueMs);
        timeout.fn();
      }
    },
  };
}

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

describe('RealClock time', () => {
  it('reads performance.now() for now() and Date.now() for wallNow()', () => {
    const clock = new RealClock();
    const before = performance.now();
    const now = clock.now();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(performance.now());
    expect(Math.abs(clock.wallNow() - Date.now())).toBeLessThanOrEqual(1);
  });

  it('exports a shared realClock', () => {
    expect(realClock).toBeInstanceOf(RealClock);
  });
});

describe('RealClock timers', () => {
  it('fires timers in due order, each no earlier than its delay', () => {
    // On the fake host timeline: with real host timeouts, a stall of this
    // process between two setTimer calls (a loaded machine) arms the later
    // call's host timeout later, whatever now() said; that ordering is the
    // host's (see the next tests), not what this one checks.
    const host = fakeHostTimeline();
    const clock = new RealClock();
    const log: Array<[string, number]> = [];
    clock.setTimer(() => log.push(['b@8', clock.now()]), 8);
    clock.setTimer(() => log.push(['a@3', clock.now()]), 3);
    clock.setTimer(() => log.push(['a2@3', clock.now()]), 3);
    host.run();
    expect(log.map(([label]) => label).slice(0, 2).sort()).toEqual(['a2@3', 'a@3']);
    expect(log[2]?.[0]).toBe('b@8');
    for (const [label, firedMs] of log) expect(firedMs, label).toBeGreaterThanOrEqual(Number(label.split('@')[1]));
  });

  it('does not fire a cleared timer, and ignores clearing it again or clearing a fired one', async () => {
    const clock = new RealClock();
    const log: string[] = [];
    const cleared = clock.setTimer(() => log.push('cleared'), 2);
    clock.clearTimer(cleared);
    await firedAt(clock, 6, log, 'kept');
    expect(log).toEqual(['kept']);
    const fired = clock.setTimer(() => log.push('fired'), 0);
    await firedAt(clock, 1);
    expect(() => clock.clearTimer(fired)).not.toThrow();
    expect(() => clock.clearTimer(cleared)).not.toThrow();
    expect(log).toEqual(['kept', 'fired']);
  });

  it('arms a long wait as host timeouts no longer than maxChunkMs, and fires once the whole delay has passed', async () => {
    const host = fakeHostTimeouts();
    const clock = new RealClock({ maxChunkMs: 2, pollBelowMs: 0 });
    expect(await firedAt(clock, 9)).toBe(9);
    expect(host.armedMs).toEqual([2, 2, 2, 2, 1]);
  });

  it('runs each timer on its own host timeouts: a timer fires when its own wake-up finds now() past its due time', () => {
    // No order across timers is kept here (the VirtualClock is the one that guarantees (due, order set)).
    const host = fakeHostTimeline();
    const clock = new RealClock({ pollBelowMs: 0 });
    const log: Array<[string, number]> = [];
    clock.setTimer(() => log.push(['A: due at 10', clock.now()]), 10);
    // now() jumps 9 ms ahead of the host's timeouts: B is due at 11, after A, but its own host timeout wakes first and finds it due.
    host.jumpNow(9);
    clock.setTimer(() => log.push(['B: due at 11', clock.now()]), 2);
    host.run();
    expect(log).toEqual([['B: due at 11', 11], ['A: due at 10', 19]]);
  });

  it('runs several chunked timers side by side, each at its own due time', () => {
    const host = fakeHostTimeline();
    const clock = new RealClock({ maxChunkMs: 2, pollBelowMs: 0 });
    const log: Array<[string, number]> = [];
    clock.setTimer(() => log.push(['late', clock.now()]), 9);
    clock.setTimer(() => log.push(['early', clock.now()]), 5);
    host.run();
    expect(log).toEqual([['early', 5], ['late', 9]]);
    // Each waited in chunks of at most 2 ms.
    expect(Math.max(...host.armedMs)).toBe(2);
  });

  it('clears a chunked timer between two of its chunks: it never fires', () => {
    const host = fakeHostTimeline();
    const clock = new RealClock({ maxChunkMs: 2, pollBelowMs: 0 });
    const log: Array<[string, number]> = [];
    const long = clock.setTimer(() => log.push(['long', clock.now()]), 104);
    clock.setTimer(() => {
      log.push(['clear', clock.now()]);
      clock.clearTimer(long);
    }, 4);
    clock.setTimer(() => log.push(['check', clock.now()]), 124);
    host.run();
    expect(log).toEqual([['clear', 4], ['check', 124]]);
    expect(host.pending).toBe(0);
  });

  it('re-reads the clock after each wake-up: when now() jumps past the due time, the timer fires at the next chunk, not after the whole wait', async () => {
    const clock = new RealClock({ maxChunkMs: 5 });
    const hostNow = performance.now.bind(performance);
    const startMs = clock.now();
    const fired = firedAt(clock, 60_000);
    // The host slept for a minute: now() moved on while the timeout did not.
    vi.spyOn(performance, 'now').mockImplementation(() => hostNow() + 60_000);
    const realStartMs = hostNow();
    const firedMs = await fired;
    expect(firedMs - startMs).toBeGreaterThanOrEqual(60_000);
    expect(hostNow() - realStartMs).toBeLessThan(1_000);
  });

  it('never fires early: a wake-up before now() reaches the due time re-arms for the rest', async () => {
    // Each host timeout wakes 0.5 ms before now() has moved by its delay (no polling here: see below).
    const host = fakeHostTimeouts({ earlyMs: 0.5 });
    const clock = new RealClock({ pollBelowMs: 0 });
    expect(await firedAt(clock, 3)).toBe(3);
    expect(host.armedMs).toEqual([3, 0.5]);
  });

  it('does not fire a timer cleared after an early wake-up re-armed it', async () => {
    const host = fakeHostTimeouts({ earlyMs: 0.5 });
    const clock = new RealClock({ pollBelowMs: 0 });
    const log: string[] = [];
    const id = clock.setTimer(() => log.push('fired'), 3);
    const hostTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
    while (host.armedMs.length < 2) await hostTurn();
    clock.clearTimer(id);
    for (let i = 0; i < 5; i++) await hostTurn();
    expect(log).toEqual([]);
    expect(host.armedMs).toEqual([3, 0.5]);
  });
});

describe('RealClock close to a due time', () => {
  /**
   * A simulated host loop on the real one: each turn moves now() on by
   * turnMs, runs the host timeouts that are due (waking earlyMs before their
   * delay, at least 1 ms, as Node can), then the immediates queued before the
   * turn ended. Counts turns, host timeouts armed, and immediates queued.
   */
  function simulatedHost(turnMs: number, earlyMs: number) {
    const realSetImmediate = setImmediate;
    let nowMs = 0;
    let nextId = 1;
    let immediatesQueued = 0;
    const armedMs: number[] = [];
    const timeouts = new Map<number, { atMs: number; fn: () => void }>();
    let immediates: Array<() => void> = [];
    let pumping = false;
    const pump = () => {
      if (pumping) return;
      pumping = true;
      realSetImmediate(function turn() {
        nowMs += turnMs;
        for (const [id, timeout] of [...timeouts].sort((a, b) => a[1].atMs - b[1].atMs)) {
          if (timeout.atMs > nowMs) break;
          timeouts.delete(id);
          timeout.fn();
        }
        const ready = immediates;
        immediates = [];
        for (const fn of ready) fn();
        if (timeouts.size > 0 || immediates.length > 0) realSetImmediate(turn);
        else pumping = false;
      });
    };
    vi.spyOn(performance, 'now').mockImplementation(() => nowMs);
    vi.spyOn(globalThis, 'setTimeout').mockImplementation(((fn: () => void, delayMs: number) => {
      armedMs.push(delayMs);
      const id = nextId++;
      timeouts.set(id, { atMs: nowMs + Math.max(delayMs, 1) - earlyMs, fn });
      pump();
      return id;
    }) as unknown as typeof setTimeout);
    vi.spyOn(globalThis, 'clearTimeout').mockImplementation(((id: number) => {
      timeouts.delete(id);
    }) as unknown as typeof clearTimeout);
    vi.stubGlobal('setImmediate', (fn: () => void) => {
      immediatesQueued++;
      immediates.push(fn);
      pump();
    });
    return { armedMs, immediatesQueued: () => immediatesQueued, pending: () => timeouts.size + immediates.length };
  }

  it('arms one host timeout for the due time; after an early wake-up it polls the last fraction of a ms, a host timeout beside', async () => {
    // The host wakes 0.2 ms early: the rest (0.2 ms) is under pollBelowMs (0.25), so it polls instead of waiting a whole ms more.
    const host = simulatedHost(0.125, 0.2);
    const clock = new RealClock({ pollBelowMs: 0.25 });
    const firedMs = await firedAt(clock, 3);
    expect(firedMs).toBeGreaterThanOrEqual(3);
    expect(firedMs).toBeLessThan(3 + 0.125 + 1e-9);
    // The second host timeout is the one armed beside the polls, for the rest.
    expect(host.armedMs.length).toBe(2);
    expect(host.armedMs[0]).toBe(3);
    expect(host.armedMs[1]).toBeLessThan(0.25);
    expect(host.immediatesQueued()).toBeGreaterThan(0);
  });

  it('waits on a host timeout, not polling, when an early wake-up leaves more than pollBelowMs', async () => {
    const host = simulatedHost(0.125, 0.5);
    const clock = new RealClock({ pollBelowMs: 0.25 });
    expect(await firedAt(clock, 3)).toBeGreaterThanOrEqual(3);
    expect(host.armedMs).toEqual([3, 0.5]);
    expect(host.immediatesQueued()).toBe(0);
  });

  it('does not poll by default: after an early wake-up it waits on a host timeout for the rest', async () => {
    const host = simulatedHost(0.125, 0.2);
    const clock = new RealClock();
    expect(await firedAt(clock, 3)).toBeGreaterThanOrEqual(3);
    expect(host.armedMs[0]).toBe(3);
    expect(host.armedMs[1]).toBeLessThan(0.25);
    expect(host.immediatesQueued()).toBe(0);
  });

  it('never fires early, whatever the host timeouts do', async () => {
    for (const earlyMs of [0, 0.1, 0.25, 0.5, 0.9]) {
      for (const pollBelowMs of [0, 0.25, 1]) {
        simulatedHost(0.1, earlyMs);
        const clock = new RealClock({ pollBelowMs });
        for (const delayMs of [0, 0.1, 0.3, 1, 2.5, 7]) expect(await firedAt(clock, delayMs)).toBeGreaterThanOrEqual(delayMs - 1e-9);
        vi.restoreAllMocks();
        vi.unstubAllGlobals();
      }
    }
  });

  it('does not poll with pollBelowMs 0', async () => {
    const host = simulatedHost(0.125, 0.2);
    const clock = new RealClock({ pollBelowMs: 0 });
    expect(await firedAt(clock, 3)).toBeGreaterThanOrEqual(3);
    expect(host.immediatesQueued()).toBe(0);
  });

  it('stops polling, and clears its host timeout, when cleared while it polls', async () => {
    const host = simulatedHost(0.01, 0.2);
    const clock = new RealClock({ pollBelowMs: 0.25 });
    const log: string[] = [];
    const id = clock.setTimer(() => log.push('fired'), 3);
    // Each of these is one simulated host turn (setImmediate is the simulated one).
    const hostTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
    // Woken at 2.8 ms, it polls until 3: stop it in between.
    while (clock.now() < 2.9) await hostTurn();
    expect(host.armedMs.length).toBe(2);
    clock.clearTimer(id);
    while (host.pending() > 0) await new Promise((resolve) => setTimeout(resolve, 0));
    expect(log).toEqual([]);
  });

  it(`polls at most ${POLL_BURST_MS} ms at once and ${POLL_SHARE * 100}% of the time; past that budget, timers wait on host timeouts`, async () => {
    // Each timer is set as the previous one fires, due 0.9 ms later: without a budget every one would be polled throughout.
    const turnMs = 0.01;
    const host = simulatedHost(turnMs, 0);
    const clock = new RealClock({ pollBelowMs: 1 });
    const startMs = clock.now();
    const timers = 200;
    let polledTimers = 0;
    for (let i = 0; i < timers; i++) {
      const polledBefore = host.immediatesQueued();
      const setMs = clock.now();
      const firedMs = await firedAt(clock, 0.9);
      expect(firedMs).toBeGreaterThanOrEqual(setMs + 0.9);
      if (host.immediatesQueued() > polledBefore) polledTimers++;
    }
    const elapsedMs = clock.now() - startMs;
    // Each poll turn is turnMs of the host's time, the one that finds its timer due included.
    const pollingMs = host.immediatesQueued() * turnMs;
    expect(pollingMs).toBeLessThanOrEqual(POLL_BURST_MS + POLL_SHARE * elapsedMs + turnMs);
    // The budget refills: some timers after the first burst are polled again.
    expect(polledTimers).toBeGreaterThan(2);
    expect(polledTimers).toBeLessThan(timers);
  });

  it('refuses a pollBelowMs outside 0..1', () => {
    for (const bad of [-1, 1.5, Number.NaN, '1']) {
      expect(() => new RealClock({ pollBelowMs: bad as number })).toThrow(/pollBelowMs must be a number of ms from 0 to 1, received/);
    }
  });
});

describe('RealClock yieldToHost', () => {
  /** Yields three callbacks, the first queueing a microtask; resolves with the log. */
  function yieldThree(clock: RealClock): Promise<string[]> {
    const log: string[] = [];
    return new Promise((resolve) => {
      clock.yieldToHost(() => {
        log.push('first');
        queueMicrotask(() => log.push('microtask of first'));
      });
      clock.yieldToHost(() => log.push('second'));
      clock.yieldToHost(() => resolve([...log, 'third']));
      log.push('sync after yields');
    });
  }

  it('runs callbacks in FIFO order, each in its own macrotask, with setImmediate in Node', async () => {
    const immediateSpy = vi.spyOn(globalThis, 'setImmediate');
    const log = await yieldThree(new RealClock());
    expect(log).toEqual(['sync after yields', 'first', 'microtask of first', 'second', 'third']);
    expect(immediateSpy).toHaveBeenCalledTimes(3);
  });

  it('uses one MessageChannel, created on the first yield and reused, where setImmediate is missing', async () => {
    let channels = 0;
    class CountingChannel extends MessageChannel {
      constructor() {
        super();
        channels++;
      }
    }
    vi.stubGlobal('setImmediate', undefined);
    vi.stubGlobal('MessageChannel', CountingChannel);
    const clock = new RealClock();
    expect(channels).toBe(0);
    expect(await yieldThree(clock)).toEqual(['sync after yields', 'first', 'microtask of first', 'second', 'third']);
    expect(await yieldThree(clock)).toEqual(['sync after yields', 'first', 'microtask of first', 'second', 'third']);
    expect(channels).toBe(1);
  });

  it('falls back to setTimeout(0) where neither setImmediate nor MessageChannel exists', async () => {
    vi.stubGlobal('setImmediate', undefined);
    vi.stubGlobal('MessageChannel', undefined);
    const setTimeoutSpy = vi.spyOn(globalThis, 'setTimeout');
    expect(await yieldThree(new RealClock())).toEqual(['sync after yields', 'first', 'microtask of first', 'second', 'third']);
    expect(setTimeoutSpy.mock.calls.map((call) => call[1])).toEqual([0, 0, 0]);
  });
});

describe('RealClock argument checks', () => {
  const clock = new RealClock();
  const noop = () => {};

  it.each([
    ['a zero maxChunkMs', () => new RealClock({ maxChunkMs: 0 }), /maxChunkMs must be a number of ms from 1 to 2147483647, received 0 \(number\)/],
    ['a maxChunkMs past the host limit', () => new RealClock({ maxChunkMs: 2 ** 31 }), /maxChunkMs .* received 2147483648 \(number\)/],
    ['a NaN maxChunkMs', () => new RealClock({ maxChunkMs: Number.NaN }), /maxChunkMs .* received NaN \(number\)/],
    ['options that are not an object', () => new RealClock('fast' as never), /RealClock options must be an object, received 'fast' \(string\)/],
    ['a negative delay', () => clock.setTimer(noop, -1), /delayMs must be a finite number of ms >= 0, received -1 \(number\)/],
    ['an infinite delay', () => clock.setTimer(noop, Number.POSITIVE_INFINITY), /delayMs .* received Infinity \(number\)/],
    ['a timer that is not a function', () => clock.setTimer(undefined as never, 1), /setTimer: fn must be a function, received undefined/],
    ['a yield that is not a function', () => clock.yieldToHost(42 as never), /yieldToHost: fn must be a function, received 42 \(number\)/],
    ['a host timeout id', () => clock.clearTimer(setTimeout(noop, 0)), /clearTimer: id must be a timer id returned by this clock's setTimer, received a value of type object/],
    ['an id from another clock', () => clock.clearTimer(new RealClock().setTimer(noop, 0)), /clearTimer: id must be a timer id/],
  ])('throws InvalidArgumentError for %s', (_label, call, message) => {
    expect(call).toThrow(InvalidArgumentError);
    expect(call).toThrow(message);
  });
});
