// `done` can be read at any time: the handle keeps how its task ended, and
// the promise is made only when read (a million tasks make no promises).
import { describe, expect, it } from 'vitest';
import { TaskCancelledError, TaskEndedError } from '../../src/index.js';
import { virtualScheduler } from './helpers.js';

describe('done read after the task ended', () => {
  it('resolves with the value a fast-path task returned', async () => {
    const { clock, scheduler } = virtualScheduler({ groupTiming: true });
    scheduler.start();
    const h = scheduler.run(() => 42);
    const none = scheduler.run(() => {});
    await clock.runUntilIdle();
    await expect(h.done).resolves.toBe(42);
    await expect(none.done).resolves.toBeUndefined();
    // The same promise on every read.
    expect(h.done).toBe(h.done);
  });

  it('resolves with an async result and rejects with the last error, after retries', async () => {
    const { clock, scheduler } = virtualScheduler({ onError: false });
    scheduler.start();
    const ok = scheduler.run(async () => 'async value');
    const failing = scheduler.run(() => {
      throw new Error('always');
    }, { retry: { attempts: 2, delayMs: 5, jitter: 0 } });
    await clock.runUntilIdle();
    await expect(ok.done).resolves.toBe('async value');
    await expect(failing.done).rejects.toThrow('always');
  });

  it('rejects with TaskCancelledError after a cancel, made only when read', async () => {
    const { clock, scheduler } = virtualScheduler();
    scheduler.start();
    const h = scheduler.after(100, () => 1);
    h.cancel();
    await clock.runUntilIdle();
    const error = await h.done.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskCancelledError);
    expect((error as Error).message).toBe(`task ${h.id} was cancelled`);
  });

  it('gives each task cancelled with no reason an error naming that task, read before or after the other', async () => {
    const { clock, scheduler } = virtualScheduler();
    scheduler.start();
    const [a, b, c] = [scheduler.after(100, () => 1), scheduler.after(100, () => 2), scheduler.after(100, () => 3)];
    for (const h of [a, b, c]) h.cancel();
    await clock.runUntilIdle();
    const messageOf = (h: typeof a) => h.done.catch((e: unknown) => (e as Error).message);
    expect(await messageOf(b)).toBe(`task ${b.id} was cancelled`);
    expect(await messageOf(a)).toBe(`task ${a.id} was cancelled`);
    expect(await messageOf(c)).toBe(`task ${c.id} was cancelled`);
    expect(a.done).toBe(a.done);
    expect(a.done).not.toBe(b.done);
  });

  it('keeps every cancel of books filled to the last task, beside tasks of the same books that ran', async () => {
    const { clock, scheduler } = virtualScheduler();
    scheduler.start();
    // Three books' worth (64 registrations share one), every other task cancelled.
    const handles = Array.from({ length: 3 * 64 }, (_, i) => scheduler.after(10 + i, () => i));
    const cancelled = handles.filter((_, i) => i % 2 === 1);
    // Cancelled in reverse order: a book's cancels are kept in the order made, not registered.
    for (const h of [...cancelled].reverse()) h.cancel();
    await clock.runUntilIdle();
    const outcomes = await Promise.all(handles.map((h) => h.done.then((value) => value, (e: unknown) => (e as Error).message)));
    expect(outcomes).toEqual(handles.map((h, i) => (i % 2 === 1 ? `task ${h.id} was cancelled` : i)));
  });

  it('keeps each outcome in its own book when later registrations reuse the slots of ended ones', async () => {
    const { clock, scheduler } = virtualScheduler();
    scheduler.start();
    const first = Array.from({ length: 2 * 64 + 5 }, (_, i) => scheduler.after(5, () => `first ${i}`));
    for (const h of first.filter((_, i) => i % 3 === 0)) h.cancel();
    await clock.runUntilIdle();
    // Every task of the first round has ended: its slots are free for these.
    const second = Array.from({ length: 2 * 64 + 5 }, (_, i) => scheduler.after(5, () => `second ${i}`));
    for (const h of second.filter((_, i) => i % 3 === 1)) h.cancel();
    await clock.runUntilIdle();
    const outcomeOf = (h: (typeof first)[number]) => h.done.then((value) => value, (e: unknown) => (e as Error).message);
    expect(await Promise.all(first.map(outcomeOf))).toEqual(first.map((h, i) => (i % 3 === 0 ? `task ${h.id} was cancelled` : `first ${i}`)));
    expect(await Promise.all(second.map(outcomeOf))).toEqual(second.map((h, i) => (i % 3 === 1 ? `task ${h.id} was cancelled` : `second ${i}`)));
  });

  it('has ended the task by the time its run\'s abort listeners run', async () => {
    const { clock, scheduler } = virtualScheduler();
    scheduler.start();
    const seen: string[] = [];
    let release!: () => void;
    const h = scheduler.run(async (ctx) => {
      ctx.signal.addEventListener('abort', () => {
        seen.push(scheduler.describe().tasks.some((t) => t.id === h.id) ? 'still queued' : 'ended');
        expect(h.cancel()).toBe(false);
      });
      await new Promise<void>((resolve) => {
        release = resolve;
      });
    });
    await clock.advance(1);
    h.cancel();
    release();
    await clock.runUntilIdle();
    expect(seen).toEqual(['ended']);
    await expect(h.done).rejects.toBeInstanceOf(TaskCancelledError);
  });

  it('rejects with the signal reason when an AbortSignal cancelled the task', async () => {
    const { clock, scheduler } = virtualScheduler();
    scheduler.start();
    const controller = new AbortController();
    const h = scheduler.after(100, () => 1, { signal: controller.signal });
    controller.abort(new Error('not needed'));
    await clock.runUntilIdle();
    await expect(h.done).rejects.toThrow('not needed');
  });

  it('still resolves a `done` read while alive with the same promise after the end', async () => {
    const { clock, scheduler } = virtualScheduler();
    scheduler.start();
    const h = scheduler.run(() => 'x');
    const early = h.done;
    await clock.runUntilIdle();
    expect(h.done).toBe(early);
    await expect(early).resolves.toBe('x');
  });

  it('gives scheduler.task(id) a handle of the same task, sharing done before and after the end', async () => {
    const { clock, scheduler } = virtualScheduler();
    const h = scheduler.after(10, () => 'shared');
    const again = scheduler.task(h.id);
    expect(again.id).toBe(h.id);
    expect(again.done).toBe(h.done);
    const late = scheduler.after(10, () => 'late');
    const lateAgain = scheduler.task(late.id);
    scheduler.start();
    await clock.runUntilIdle();
    await expect(h.done).resolves.toBe('shared');
    expect(again.done).toBe(h.done);
    // Neither read `done` while the task lived: both read the same recorded end.
    expect(lateAgain.done).toBe(late.done);
    await expect(lateAgain.done).resolves.toBe('late');
    expect(() => scheduler.task(h.id)).toThrow(TaskEndedError);
  });

  it('keeps the outcomes of tasks registered in one burst apart', async () => {
    const { clock, scheduler } = virtualScheduler({ groupTiming: true, onError: false });
    scheduler.start();
    // More than one book's worth (64 registrations share one), with every kind of end.
    const handles = Array.from({ length: 200 }, (_, i) => {
      if (i % 4 === 1) return scheduler.run(() => {});
      if (i % 4 === 2) {
        return scheduler.run(() => {
          throw new Error(`failed ${i}`);
        });
      }
      if (i % 4 === 3) return scheduler.after(5, () => i);
      return scheduler.run(() => i);
    });
    for (let i = 3; i < handles.length; i += 8) handles[i]?.cancel();
    await clock.runUntilIdle();
    for (const [i, h] of handles.entries()) {
      if (i % 8 === 3) await expect(h.done).rejects.toBeInstanceOf(TaskCancelledError);
      else if (i % 4 === 1) await expect(h.done).resolves.toBeUndefined();
      else if (i % 4 === 2) await expect(h.done).rejects.toThrow(`failed ${i}`);
      else await expect(h.done).resolves.toBe(i);
    }
  });

  it('keeps the other methods failing loudly once the task ended (cancel() answers false)', async () => {
    const { clock, scheduler } = virtualScheduler();
    scheduler.start();
    const h = scheduler.run(() => 1);
    await clock.runUntilIdle();
    expect(h.cancel()).toBe(false);
    for (const use of [() => h.pause(), () => h.runNow(), () => h.stats(), () => h.name]) {
      expect(use).toThrow(TaskEndedError);
    }
  });
});
