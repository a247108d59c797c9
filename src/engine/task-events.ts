// Task events as the engine emits them: the detail every event carries, and
// the skip and overrun events derived from a periodic run's counters. Callers
// check `events.wanted` first, so nothing here runs when nobody listens.
import type { TaskSnapshot } from '../../bindings/core.js';
import type { CoreInstance } from '../../bindings/core-instance.js';
import type { SchedulerEvents, TaskEventDetail, TaskEventType } from '../events.js';
import { priorityName } from '../tasks/priorities.js';
import type { TaskSlots } from './task-slots.js';

export interface EngineCounters {
  timeouts: number;
  /** Errors thrown by event listeners and by the onError handler (they never stop the scheduler). */
  listenerErrors: number;
}

export class TaskEmitter {
  readonly #events: SchedulerEvents;
  readonly #core: CoreInstance;
  readonly #slots: TaskSlots;
  readonly #counters: EngineCounters;

  constructor(events: SchedulerEvents, core: CoreInstance, slots: TaskSlots, counters: EngineCounters) {
    this.#events = events;
    this.#core = core;
    this.#slots = slots;
    this.#counters = counters;
  }

  emit(type: TaskEventType, handle: number, attempt: number, atMs: number, extra: Partial<TaskEventDetail> = {}): void {
    const detail: TaskEventDetail = {
      id: handle,
      name: this.#slots.nameOf(handle),
      priority: priorityName(this.#core.priorityClassOf(handle)),
      attempt,
      atMs,
      ...extra,
    };
    try {
      this.#events.emit(type, detail);
    } catch {
      // dispatchEvent reports listener errors itself; one listener never stops the scheduler.
      this.#counters.listenerErrors++;
    }
  }

  /** Overrun and skip events for what a periodic run's completion counted (before: its snapshot while running). */
  emitSkips(handle: number, before: TaskSnapshot, nowMs: number): void {
    const after = this.#core.snapshot(handle);
    if (after.overruns > before.overruns) {
      const overrunMs = nowMs - (before.dueMs + before.periodMs);
      this.emit('taskoverrun', handle, 1, nowMs, { count: after.overruns - before.overruns, overrunMs });
    }
    if (after.missedTicks > before.missedTicks) {
      this.emit('taskskip', handle, 1, nowMs, { count: after.missedTicks - before.missedTicks, reason: 'the previous run overran its period' });
    }
  }
}
