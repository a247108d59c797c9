// Typed events. Listening is opt-in and free when nobody listens: the engine
// asks `wants(type)` (a counter lookup) before it builds any event object.
import type { DurableEvent, DurableEventType } from './durable/durable-events.js';
import type { PriorityName } from './tasks/priorities.js';

export interface TaskEventDetail {
  /** The task's id (its handle number). */
  readonly id: number;
  readonly name: string;
  readonly priority: PriorityName;
  /** 1 for the first attempt of a run, 2 for its first retry, ... */
  readonly attempt: number;
  /** Clock time of the event (monotonic ms). */
  readonly atMs: number;
  /**
   * finish/fail/interrupt: how long the run (or run segment) took. A failed
   * one-shot run timed in a group (see SchedulerOptions.groupTiming) counts
   * from its group's start: it includes the group's earlier runs, under ~50 µs.
   */
  readonly runtimeMs?: number;
  /** fail/retry: what the run threw (or the timeout error). */
  readonly error?: unknown;
  /** retry: the wait before the next attempt. */
  readonly delayMs?: number;
  /** skip: how many periodic ticks were skipped; overrun: how many overruns (1). */
  readonly count?: number;
  /** overrun: how far past its next tick the run ended, in ms. */
  readonly overrunMs?: number;
  /** skip: why. */
  readonly reason?: string;
}

export const TASK_EVENT_TYPES = ['taskstart', 'taskfinish', 'taskfail', 'taskretry', 'taskinterrupt', 'taskoverrun', 'taskskip'] as const;
export type TaskEventType = (typeof TASK_EVENT_TYPES)[number];

// One bit per type, in TASK_EVENT_TYPES order: the engine tests `wanted & EVENT_X`.
export const EVENT_START = 1;
export const EVENT_FINISH = 2;
export const EVENT_FAIL = 4;
export const EVENT_RETRY = 8;
export const EVENT_INTERRUPT = 16;
export const EVENT_OVERRUN = 32;
export const EVENT_SKIP = 64;

function bitOf(type: string): number {
  const i = (TASK_EVENT_TYPES as readonly string[]).indexOf(type);
  return i < 0 ? 0 : 1 << i;
}

export class TaskEvent extends Event {
  readonly detail: TaskEventDetail;
  constructor(type: TaskEventType, detail: TaskEventDetail) {
    super(type);
    this.detail = detail;
  }
}

/** Every event type `scheduler.events` dispatches, and its event class. */
export type SchedulerEventMap = { [Type in TaskEventType]: TaskEvent } & { [Type in DurableEventType]: DurableEvent<Type> };
export type SchedulerEventType = keyof SchedulerEventMap;

/** A listener of scheduler events: a function, or an object with `handleEvent` (as the DOM accepts). */
export type SchedulerEventListener<E> = ((event: E) => void) | { handleEvent(event: E): void };

/** An EventTarget that counts its listeners per type, so emitting to nobody costs nothing. */
export class SchedulerEvents extends EventTarget {
  readonly #counts = new Map<string, number>();
  readonly #seen = new Map<string, WeakSet<object>>();
  /** Per type, the function registered in place of a `once` listener (it uncounts the listener when called). */
  readonly #onceWrappers = new Map<string, WeakMap<object, EventListener>>();
  /** Bit set of the event types that have listeners (EVENT_* constants): the engine's test. @internal */
  wanted = 0;

  #recount(type: string, delta: number): void {
    const count = (this.#counts.get(type) ?? 0) + delta;
    this.#counts.set(type, count);
    if (count > 0) this.wanted |= bitOf(type);
    else this.wanted &= ~bitOf(type);
  }

  override addEventListener<Type extends SchedulerEventType>(
    type: Type,
    listener: SchedulerEventListener<SchedulerEventMap[Type]> | null,
    options?: AddEventListenerOptions | boolean,
  ): void {
    const { once, signal } = typeof options === 'object' && options !== null ? options : ({} as AddEventListenerOptions);
    const seen = this.#seen.get(type) ?? new WeakSet();
    this.#seen.set(type, seen);
    // EventTarget ignores a duplicate (type, listener) and a listener whose signal has already aborted.
    if (!listener || seen.has(listener) || signal?.aborted) {
      super.addEventListener(type, listener as EventListenerOrEventListenerObject | null, options);
      return;
    }
    seen.add(listener);
    this.#recount(type, 1);
    // EventTarget drops these listeners by itself, without removeEventListener: uncount them then too.
    signal?.addEventListener('abort', () => this.#forget(type, listener), { once: true });
    let registered = listener as EventListenerOrEventListenerObject;
    if (once === true) {
      registered = (event: Event) => {
        this.#forget(type, listener);
        if (typeof listener === 'function') listener.call(this, event as SchedulerEventMap[Type]);
        else listener.handleEvent(event as SchedulerEventMap[Type]);
      };
      const wrappers = this.#onceWrappers.get(type) ?? new WeakMap<object, EventListener>();
      this.#onceWrappers.set(type, wrappers);
      wrappers.set(listener, registered);
    }
    super.addEventListener(type, registered, options);
  }

  override removeEventListener<Type extends SchedulerEventType>(
    type: Type,
    listener: SchedulerEventListener<SchedulerEventMap[Type]> | null,
    options?: EventListenerOptions | boolean,
  ): void {
    const registered = listener === null ? undefined : this.#onceWrappers.get(type)?.get(listener);
    if (listener) this.#forget(type, listener);
    super.removeEventListener(type, (registered ?? listener) as EventListenerOrEventListenerObject | null, options);
  }

  #forget(type: string, listener: object): void {
    if (this.#seen.get(type)?.delete(listener)) this.#recount(type, -1);
  }

  /** True when at least one listener is registered for the type. */
  wants(type: SchedulerEventType): boolean {
    const bit = bitOf(type);
    return bit === 0 ? (this.#counts.get(type) ?? 0) > 0 : (this.wanted & bit) !== 0;
  }

  /** The engine's: dispatches a task event. @internal */
  emit(type: TaskEventType, detail: TaskEventDetail): void {
    this.dispatchEvent(new TaskEvent(type, detail));
  }
}
