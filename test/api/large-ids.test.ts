// Task ids on a long-lived Scheduler: an id is generation * 2^24 + slot and a
// slot's generation grows each time it is freed, so a slot reused a few dozen
// times hands out ids past 2^30, where V8 keeps a number as a heap object
// (bench/README.md, the long-lived Scheduler). Whatever a fix for that cost
// changes in how a handle keeps its id, what it answers must not change.
import { describe, expect, it } from 'vitest';
import { TaskCancelledError, TaskEndedError, type TaskEvent, type TaskHandle } from '../../src/index.js';
import { virtualScheduler } from './helpers.js';

/** Sets and cancels `rounds` one-shot timers one at a time: each reuses the slot the last one freed. */
function churnOneSlot(scheduler: ReturnType<typeof virtualScheduler>['scheduler'], rounds: number): TaskHandle[] {
  const handles: TaskHandle[] = [];
  for (let i = 0; i < rounds; i++) {
    const h = scheduler.after(10, () => i);
    handles.push(h);
    h.cancel();
  }
  return handles;
}

describe('task ids on a slot reused past the small-integer range', () => {
  it('stay exact integers, never reused, and every ended handle keeps answering with its own', async () => {
    const { scheduler } = virtualScheduler();
    scheduler.start();
    const handles = churnOneSlot(scheduler, 200);
    const ids = handles.map((h) => h.id);
    expect(new Set(ids).size).toBe(200);
    expect(ids.every((id) => Number.isInteger(id) && id > 0)).toBe(true);
    // One slot: the ids run up through its generations, past 2^31 by the 128th.
    expect(ids.filter((id) => id >= 2 ** 30).length).toBeGreaterThan(100);
    expect(Math.max(...ids)).toBeGreaterThan(2 ** 31);
    churnOneSlot(scheduler, 70);
    expect(handles.map((h) => h.id)).toEqual(ids);
    const last = handles[199] as TaskHandle;
    expect(last.cancel()).toBe(false);
    expect(() => last.name).toThrow(TaskEndedError);
    const error = await last.done.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskCancelledError);
    expect((error as Error).message).toContain(String(ids[199]));
  });

  it('a live task with such an id is the one its handle, stats(), task(id) and its events name', async () => {
    const { clock, scheduler } = virtualScheduler();
    scheduler.start();
    churnOneSlot(scheduler, 150);
    const seen: number[] = [];
    for (const type of ['taskstart', 'taskfinish'] as const) scheduler.events.addEventListener(type, (e: TaskEvent) => seen.push(e.detail.id));
    const h = scheduler.after(10, () => 'fired');
    expect(h.id).toBeGreaterThan(2 ** 31);
    expect(h.stats().id).toBe(h.id);
    const again = scheduler.task(h.id);
    expect(again.id).toBe(h.id);
    again.pause();
    expect(h.stats().state).toBe('paused');
    h.resume();
    await clock.advance(10);
    await expect(h.done).resolves.toBe('fired');
    await expect(again.done).resolves.toBe('fired');
    expect(seen).toEqual([h.id, h.id]);
  });

  it('more handles of one large id than a book has room for (scheduler.task() again and again) keep their ids', () => {
    const { scheduler } = virtualScheduler();
    scheduler.start();
    churnOneSlot(scheduler, 150);
    const h = scheduler.after(1000, () => 0);
    const copies = Array.from({ length: 200 }, () => scheduler.task(h.id));
    expect(new Set(copies.map((c) => c.id))).toEqual(new Set([h.id]));
    expect((copies[199] as TaskHandle).cancel()).toBe(true);
    expect(h.cancel()).toBe(false);
  });
});
