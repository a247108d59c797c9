// Failed runs are reported through the scheduler's onError option: by
// default to console.error, rate-limited per task name (src/error-reporting.ts).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { REPORT_WINDOW_MS, REPORTS_PER_NAME, REPORTS_PER_WINDOW, type TaskErrorInfo } from '../../src/error-reporting.js';
import { Scheduler, TaskTimeoutError } from '../../src/index.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { VirtualClock } from '../../src/testing/index.js';
import { virtualScheduler } from './helpers.js';

afterEach(() => {
  vi.restoreAllMocks();
});

/** console.error replaced by a recorder: what each call printed, as text. */
function fakeConsole(): string[] {
  const lines: string[] = [];
  vi.spyOn(console, 'error').mockImplementation((...data: unknown[]) => {
    lines.push(data.map((d) => (d instanceof Error ? `<${d.message}>` : String(d))).join(' '));
  });
  return lines;
}

describe('onError', () => {
  it('reports a failing task to console.error by default, with its name, id, attempt and error', async () => {
    const lines = fakeConsole();
    const { clock, scheduler } = virtualScheduler();
    scheduler.start();
    const h = scheduler.run(() => {
      throw new Error('disk on fire');
    }, { name: 'backup', retry: { attempts: 2, backoff: 'fixed', delayMs: 10, jitter: 0 } });
    await clock.runUntilIdle();
    expect(lines).toEqual([
      `timeslice: task 'backup' (#${h.id}) failed on attempt 1, will retry: <disk on fire>`,
      `timeslice: task 'backup' (#${h.id}) failed on attempt 2: <disk on fire>`,
    ]);
  });

  it('reports async rejections and timeouts too', async () => {
    const lines = fakeConsole();
    const { clock, scheduler } = virtualScheduler();
    scheduler.start();
    scheduler.run(async () => {
      throw new Error('rejected');
    }, { name: 'a' });
    scheduler.run(() => new Promise(() => {}), { name: 'hangs', timeoutMs: 50 });
    await clock.runUntilIdle();
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/task 'a' .* <rejected>$/);
    expect(lines[1]).toMatch(/task 'hangs' .* <task 'hangs' .* timed out after 50 ms>$/);
  });

  it('rate-limits a hot failing task: the first few in full, then one summary line per window', async () => {
    const lines = fakeConsole();
    const { clock, scheduler } = virtualScheduler();
    scheduler.start();
    scheduler.every(10, () => {
      throw new Error('hot');
    }, { name: 'hot' });
    // 100 failures in the first second: REPORTS_PER_NAME shown.
    await clock.advance(1000);
    expect(lines).toHaveLength(REPORTS_PER_NAME);
    // The window ends; the next failure prints the summary of the previous one, then itself.
    await clock.advance(REPORT_WINDOW_MS);
    const summary = lines.find((line) => line.includes('more time'));
    expect(summary).toMatch(/^timeslice: task 'hot' failed \d+ more times within a minute \(not shown: set the scheduler option onError/);
    const suppressed = Number(summary?.match(/failed (\d+) more/)?.[1]);
    // Every failure is either printed or counted in the summary.
    const failuresInFirstWindow = REPORT_WINDOW_MS / 10;
    expect(suppressed + REPORTS_PER_NAME).toBe(failuresInFirstWindow);
    expect(lines.length).toBe(2 * REPORTS_PER_NAME + 1);
  });

  it('counts tasks without a name of their own together, and caps the full reports of a window', async () => {
    const lines = fakeConsole();
    const { clock, scheduler } = virtualScheduler();
    scheduler.start();
    for (let i = 0; i < 1000; i++) {
      scheduler.run(() => {
        throw new Error(`anonymous ${i}`);
      });
    }
    for (let i = 0; i < 200; i++) {
      scheduler.run(() => {
        throw new Error('named');
      }, { name: `job-${i}` });
    }
    await clock.runUntilIdle();
    expect(lines).toHaveLength(REPORTS_PER_WINDOW);
    await scheduler.stop();
    // stop() prints the summary of what was not shown.
    const summaries = lines.slice(REPORTS_PER_WINDOW);
    expect(summaries[0]).toMatch(/^timeslice: task '\(anonymous\)' failed 995 more times/);
    expect(summaries.at(-1)).toMatch(/more task names failed \d+ times within a minute/);
  });

  it('routes failures to a function, with the info a logger needs, and prints nothing', async () => {
    const lines = fakeConsole();
    const seen: Array<[string, TaskErrorInfo]> = [];
    const { clock, scheduler } = virtualScheduler({ onError: (error, info) => seen.push([(error as Error).message, info]) });
    scheduler.start();
    const h = scheduler.run(() => {
      throw new Error('routed');
    }, { name: 'job' });
    await clock.runUntilIdle();
    expect(seen).toEqual([['routed', { id: h.id, name: 'job', attempt: 1, willRetry: false, source: 'task' }]]);
    expect(lines).toEqual([]);
  });

  it('is silenced with onError: false', async () => {
    const lines = fakeConsole();
    const { clock, scheduler } = virtualScheduler({ onError: false });
    scheduler.start();
    const h = scheduler.run(() => {
      throw new Error('quiet');
    });
    await clock.runUntilIdle();
    expect(lines).toEqual([]);
    await expect(h.done).rejects.toThrow('quiet');
  });

  it('survives a handler that throws: the handler error goes to the console, the scheduler goes on', async () => {
    const lines = fakeConsole();
    const { clock, scheduler, log } = virtualScheduler({
      onError: () => {
        throw new Error('logger down');
      },
    });
    scheduler.start();
    scheduler.run(() => {
      throw new TaskTimeoutError('first');
    }, { name: 'first' });
    scheduler.run(() => log.push('second ran'));
    await clock.runUntilIdle();
    expect(log).toEqual(['second ran']);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^timeslice: task 'onError, reporting 'first'' .* <logger down>$/);
  });

  it('reports a durable slot that fails through the same hook', async () => {
    const seen: Array<[string, TaskErrorInfo]> = [];
    const clock = new VirtualClock();
    const scheduler = new Scheduler({
      clock, store: new MemoryStore(), clockWatch: false, retention: false,
      onError: (error, info) => seen.push([(error as Error).message, info]),
    });
    scheduler.define('flaky', () => {
      throw new Error('durable boom');
    });
    await scheduler.schedule({ id: 'nightly', name: 'nightly report', fn: 'flaky', after: 10, retry: { attempts: 2, backoff: 'fixed', delayMs: 10, jitter: 0 } });
    scheduler.start();
    await scheduler.ready;
    await clock.advance(100);
    expect(seen).toEqual([
      ['durable boom', { id: 'nightly', name: 'flaky', attempt: 1, willRetry: true, source: 'durable' }],
      ['durable boom', { id: 'nightly', name: 'flaky', attempt: 2, willRetry: false, source: 'durable' }],
    ]);
    await scheduler.stop();
  });

  it('refuses an onError that is neither a function nor false', () => {
    expect(() => virtualScheduler({ onError: true as unknown as false })).toThrow(/options.onError must be a function/);
  });
});
