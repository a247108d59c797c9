// The quantum is a task's turn, the slice is the run loop's turn with the
// host: a CPU-bound task that checks shouldYield() runs quantumMs before the
// next task gets its turn, handing the thread to the host every sliceMs on
// the way and resuming first after it, with the rest of its quantum. On the
// VirtualClock, each task's work is clock.spend().
import { describe, expect, it } from 'vitest';
import type { Scheduler } from '../../src/index.js';
import type { VirtualClock } from '../../src/testing/index.js';
import { virtualScheduler } from './helpers.js';

/**
 * A CPU-bound task of `steps` steps of `stepMs`, saving its state when
 * shouldYield() says so; logs `name@start` for each segment it runs.
 */
function cpuTask(clock: VirtualClock, log: string[], name: string, steps: number, stepMs: number) {
  return (ctx: { state: unknown; shouldYield(): boolean; saveState(s: number): void }) => {
    let step = (ctx.state as number | undefined) ?? 0;
    log.push(`${name}@${clock.now()}`);
    while (step < steps) {
      clock.spend(stepMs);
      step++;
      if (step < steps && ctx.shouldYield()) {
        ctx.saveState(step);
        return;
      }
    }
  };
}

/** Logs `host@t` each time the host gets a turn (a macrotask chain) while the scheduler has tasks. */
function hostProbe(clock: VirtualClock, log: string[], scheduler: Scheduler): { stop(): void } {
  let running = true;
  const turn = () => {
    if (!running || scheduler.stats().live === 0) return;
    log.push(`host@${clock.now()}`);
    clock.yieldToHost(turn);
  };
  clock.yieldToHost(turn);
  return { stop: () => { running = false; } };
}

/** The segments of each task turn, merged: consecutive segments of one task (host turns between) are one turn. */
function turns(log: string[]): string[] {
  const out: string[] = [];
  for (const entry of log) {
    if (entry.startsWith('host@')) continue;
    const name = entry.split('@')[0];
    if (out.length > 0 && out[out.length - 1]?.split('@')[0] === name) continue;
    out.push(entry);
  }
  return out;
}

async function runAll(clock: VirtualClock, scheduler: Scheduler): Promise<void> {
  scheduler.start();
  await clock.runUntilIdle();
}

/** Runs with a host probe for `ms` of virtual time. */
async function runProbed(clock: VirtualClock, scheduler: Scheduler, log: string[], ms: number): Promise<void> {
  const probe = hostProbe(clock, log, scheduler);
  scheduler.start();
  await clock.advance(ms);
  probe.stop();
  await clock.runUntilIdle();
}

describe('quantumMs and sliceMs', () => {
  it('gives round-robin tasks their whole 15 ms quantum with the default 5 ms slice', async () => {
    const { clock, scheduler } = virtualScheduler({ policy: 'round-robin', quantumMs: 15 });
    const log: string[] = [];
    for (const name of ['a', 'b', 'c']) scheduler.run(cpuTask(clock, log, name, 60, 0.5));
    await runProbed(clock, scheduler, log, 200);
    // Each turn is 15 ms: a at 0, b at 15, c at 30, a again at 45...
    expect(turns(log).slice(0, 6)).toEqual(['a@0', 'b@15', 'c@30', 'a@45', 'b@60', 'c@75']);
    // The host had a turn every 5 ms slice inside each quantum, and the task resumed right after it.
    const firstTurn = log.slice(0, log.indexOf('b@15'));
    expect(firstTurn.filter((e) => e.startsWith('a@'))).toEqual(['a@0', 'a@5', 'a@10']);
    expect(firstTurn.filter((e) => e.startsWith('host@')).length).toBeGreaterThanOrEqual(2);
  });

  it('counts a host yield inside a quantum as neither an interruption nor a new start', async () => {
    const { clock, scheduler } = virtualScheduler({ policy: 'round-robin', quantumMs: 15 });
    const log: string[] = [];
    const h = scheduler.run(cpuTask(clock, log, 'a', 40, 0.5));
    scheduler.run(cpuTask(clock, log, 'b', 40, 0.5));
    const stats: number[] = [];
    scheduler.events.addEventListener('taskinterrupt', (event) => {
      if (event.detail.id === h.id) stats.push(event.detail.atMs);
    });
    await runAll(clock, scheduler);
    // a: 20 ms of work in 15 ms turns: interrupted once (at 15), never at a slice boundary.
    expect(stats).toEqual([15]);
    expect(turns(log)).toEqual(['a@0', 'b@15', 'a@30', 'b@35']);
  });

  it('a task alone keeps running across host yields, and its runtime excludes them', async () => {
    const { clock, scheduler } = virtualScheduler({ quantumMs: 10, sliceMs: 2 });
    const log: string[] = [];
    scheduler.run(cpuTask(clock, log, 'solo', 20, 0.5), { name: 'solo' });
    await runProbed(clock, scheduler, log, 50);
    expect(scheduler.stats().runtimeMs).toBe(10);
    expect(log.filter((e) => e.startsWith('solo@'))).toEqual(['solo@0', 'solo@2', 'solo@4', 'solo@6', 'solo@8']);
  });

  it('an async task that awaits ctx.yield() after shouldYield() keeps its turn across the host yield', async () => {
    const { clock, scheduler } = virtualScheduler({ policy: 'round-robin', quantumMs: 12, sliceMs: 4 });
    const log: string[] = [];
    for (const name of ['a', 'b']) {
      scheduler.run(async (ctx) => {
        log.push(`${name}@${clock.now()}`);
        for (let i = 0; i < 48; i++) {
          clock.spend(0.5);
          if (i < 47 && ctx.shouldYield()) {
            await ctx.yield();
            log.push(`${name}@${clock.now()}`);
          }
        }
      });
    }
    await runAll(clock, scheduler);
    expect(turns(log)).toEqual(['a@0', 'b@12', 'a@24', 'b@36']);
  });

  it('under the priority policy, a more urgent task that arrives during the host yield goes first', async () => {
    const { clock, scheduler } = virtualScheduler({ policy: 'priority', quantumMs: 20, sliceMs: 5 });
    const log: string[] = [];
    scheduler.run(cpuTask(clock, log, 'low', 40, 0.5), { priority: 'low' });
    // Registered by the host during the slice boundary's host turn (at 5 ms).
    let registered = false;
    scheduler.events.addEventListener('taskstart', () => {});
    const probe = () => {
      if (!registered && clock.now() >= 5) {
        registered = true;
        scheduler.run(() => log.push(`urgent@${clock.now()}`), { priority: 'critical' });
        return;
      }
      if (!registered) clock.yieldToHost(probe);
    };
    clock.yieldToHost(probe);
    await runAll(clock, scheduler);
    expect(turns(log)).toEqual(['low@0', 'urgent@5', 'low@5']);
  });
});

describe('round-robin and fair give equal quanta to every class', () => {
  for (const policy of ['round-robin', 'fair'] as const) {
    it(`${policy}: a waiting critical task does not cut a background task's quantum short`, async () => {
      const { clock, scheduler } = virtualScheduler({ policy, quantumMs: 5, sliceMs: 5 });
      const log: string[] = [];
      scheduler.run(cpuTask(clock, log, 'bg', 40, 0.25), { priority: 'background' });
      scheduler.run(cpuTask(clock, log, 'crit', 40, 0.25), { priority: 'critical' });
      await runAll(clock, scheduler);
      const starts = turns(log).map((entry) => Number(entry.split('@')[1]));
      const lengths = starts.slice(1).map((t, i) => t - (starts[i] as number));
      // Every turn but the last of each task is a whole 5 ms quantum.
      expect(lengths.slice(0, 3)).toEqual([5, 5, 5]);
    });
  }

  for (const policy of ['priority', 'deadline'] as const) {
    it(`${policy}: a waiting more urgent task still cuts the quantum at the next shouldYield()`, async () => {
      const { clock, scheduler } = virtualScheduler({ policy, quantumMs: 5, sliceMs: 5 });
      const log: string[] = [];
      scheduler.run(cpuTask(clock, log, 'bg', 16, 0.25), { priority: 'background' });
      scheduler.after(1, () => log.push(`crit@${clock.now()}`), { priority: 'critical' });
      await runAll(clock, scheduler);
      expect(turns(log)).toEqual(['bg@0', 'crit@1', 'bg@1']);
    });
  }
});
