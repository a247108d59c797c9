// Task ids on a long-lived Scheduler: an id is generation * 2^24 + slot and a
// slot's generation grows each time it is freed, so a slot reused a few dozen
// times hands out ids past 2^30, where V8 keeps a number as a heap object
// (bench/README.md, the long-lived Scheduler). Whatever a fix for that cost
// changes in how a handle keeps its id, what it answers must not change.
import { getHeapSnapshot } from 'node:v8';
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

/** How many TaskHandle objects on the heap, and how many of them hold a heap number (a field's edge to one), from a heap snapshot. */
async function handlesHoldingHeapNumbers(): Promise<{ handles: number; withHeapNumber: number }> {
  const chunks: Buffer[] = [];
  for await (const chunk of getHeapSnapshot()) chunks.push(chunk as Buffer);
  const { snapshot, nodes, edges, strings } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  const nodeFields: string[] = snapshot.meta.node_fields;
  const edgeFields: string[] = snapshot.meta.edge_fields;
  const [typeAt, nameAt, edgeCountAt, toAt] = [nodeFields.indexOf('type'), nodeFields.indexOf('name'), nodeFields.indexOf('edge_count'), edgeFields.indexOf('to_node')];
  const nodeTypes: string[] = snapshot.meta.node_types[0];
  let handles = 0;
  let withHeapNumber = 0;
  let edge = 0;
  for (let node = 0; node < nodes.length; node += nodeFields.length) {
    const edgeCount = nodes[node + edgeCountAt];
    if (nodeTypes[nodes[node + typeAt]] === 'object' && strings[nodes[node + nameAt]] === 'TaskHandle') {
      handles++;
      for (let k = 0; k < edgeCount; k++) {
        if (strings[nodes[edges[edge + k * edgeFields.length + toAt] + nameAt]] === 'heap number') {
          withHeapNumber++;
          break;
        }
      }
    }
    edge += edgeCount * edgeFields.length;
  }
  return { handles, withHeapNumber };
}

describe('task ids on a slot reused past the small-integer range', () => {
  it('no handle holds its id as a heap number, however large (each would cost a kept heap object: bench/README.md, the long-lived Scheduler)', async () => {
    const { scheduler } = virtualScheduler();
    scheduler.start();
    const handles = churnOneSlot(scheduler, 300);
    handles.push(scheduler.after(10, () => 'live'));
    expect(handles.filter((h) => h.id >= 2 ** 31).length).toBeGreaterThan(100);
    const { handles: seen, withHeapNumber } = await handlesHoldingHeapNumbers();
    expect(seen).toBeGreaterThanOrEqual(handles.length);
    expect(withHeapNumber).toBe(0);
    expect(new Set(handles.map((h) => h.id)).size).toBe(handles.length);
  }, 60_000); // a heap snapshot of the test process: ~4 s on a loaded machine


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
