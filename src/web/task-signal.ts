// TaskSignal: an AbortSignal with a priority.
//
// Why no constructor and no #fields. AbortSignal has no public constructor (in
// Node and in browsers `new AbortSignal()` is a TypeError), so a TaskSignal is
// never constructed: a real AbortSignal (a TaskController's, or one made by
// AbortSignal.any) gets TaskSignal.prototype as its prototype and its state in
// a module WeakMap, as scheduler polyfills do. That works in Node 20+ and in
// Chromium: AbortSignal's own getters check the object's internal slots, not
// its prototype, so aborted/reason/addEventListener keep working. Private
// #fields cannot be used: they exist only on objects a constructor made.
//
// A priority change runs, in the spec's order: the change algorithms (how the
// scheduler moves queued tasks), the 'prioritychange' event, then the change
// of every TaskSignal.any() signal whose priority follows this one.
import { describeValue } from '../../bindings/errors.js';
import { TaskPriorityChangeEvent } from './task-priority-change-event.js';
import { type TaskPriority, requireAbortSignal, toDictionary, toTaskPriority } from './webidl.js';

export type PriorityChangeHandler = (this: TaskSignal, event: TaskPriorityChangeEvent) => unknown;

export interface TaskSignalAnyInit {
  /**
   * The priority of the new signal: fixed, or a TaskSignal whose priority it follows.
   * @default 'user-visible'
   * @example TaskSignal.any([userAbort.signal, timeout], { priority: controller.signal })
   */
  priority?: TaskPriority | TaskSignal;
}

interface SignalState {
  priority: TaskPriority;
  /** True while a change is being dispatched: a nested change is a NotAllowedError. */
  changing: boolean;
  /** Run after the priority changed and before the event: queued tasks move here. */
  readonly algorithms: Set<() => void>;
  /** TaskSignal.any() signals whose priority follows this one; weak, so they can be collected. */
  readonly dependents: Set<WeakRef<TaskSignal>>;
  /** The onprioritychange handler (any object: see the setter), called by `listener` if callable. */
  handler: PriorityChangeHandler | object | null;
  readonly listener: (event: Event) => void;
}

const STATE = new WeakMap<object, SignalState>();

function stateOf(signal: unknown, operation: string): SignalState {
  const state = typeof signal === 'object' && signal !== null ? STATE.get(signal) : undefined;
  if (state === undefined) throw new TypeError(`${operation}: illegal invocation, ${describeValue(signal)} is not a TaskSignal`);
  return state;
}

/**
 * An AbortSignal with a priority, made by a TaskController or TaskSignal.any();
 * `new TaskSignal()` is a TypeError, as in browsers.
 */
export class TaskSignal extends AbortSignal {
  get priority(): TaskPriority {
    return stateOf(this, 'TaskSignal.priority').priority;
  }

  get onprioritychange(): PriorityChangeHandler | null {
    return stateOf(this, 'TaskSignal.onprioritychange').handler as PriorityChangeHandler | null;
  }

  /**
   * An EventHandler attribute, [LegacyTreatNonObjectAsNull] in WebIDL as in
   * Chromium: any object is kept (and read back as set), anything else reads
   * as null; a handler that is not callable is kept but does nothing.
   */
  set onprioritychange(value: PriorityChangeHandler | null) {
    const state = stateOf(this, 'TaskSignal.onprioritychange');
    const handler = (typeof value === 'object' && value !== null) || typeof value === 'function' ? (value as object) : null;
    // As an event handler attribute: one listener, added when a handler is set, removed when cleared.
    if (handler !== null && state.handler === null) this.addEventListener('prioritychange', state.listener);
    if (handler === null && state.handler !== null) this.removeEventListener('prioritychange', state.listener);
    state.handler = handler;
  }

  /**
   * A signal aborted when any of `signals` aborts, with a fixed priority or
   * one that follows another TaskSignal's.
   */
  static override any(signals: Iterable<AbortSignal>, init: TaskSignalAnyInit = {}): TaskSignal {
    const options = toDictionary('TaskSignal.any: init', init);
    const source = options.priority;
    const sourceSignal = isTaskSignal(source) ? source : undefined;
    const priority = sourceSignal?.priority ?? (source === undefined ? 'user-visible' : toTaskPriority('TaskSignal.any: init.priority', source));
    if (signals === null || typeof (signals as Partial<Iterable<unknown>>)?.[Symbol.iterator] !== 'function') {
      throw new TypeError(`TaskSignal.any: signals must be an iterable of AbortSignal, received ${describeValue(signals)}`);
    }
    const list = Array.from(signals, (signal, i) => requireAbortSignal(`TaskSignal.any: signals[${i}]`, signal));
    const signal = makeTaskSignal(anySignal(list), priority);
    if (sourceSignal !== undefined) stateOf(sourceSignal, 'TaskSignal.any').dependents.add(new WeakRef(signal));
    return signal;
  }

  get [Symbol.toStringTag](): string {
    return 'TaskSignal';
  }
}

/** AbortSignal.any where the host has it (Node >= 20.3, browsers), listeners otherwise. */
function anySignal(signals: AbortSignal[]): AbortSignal {
  if (typeof AbortSignal.any === 'function') return AbortSignal.any(signals);
  const controller = new AbortController();
  for (const signal of signals) {
    if (signal.aborted) {
      controller.abort(signal.reason);
      break;
    }
    signal.addEventListener('abort', () => controller.abort(signal.reason), { once: true, signal: controller.signal });
  }
  return controller.signal;
}

/** True for a signal made a TaskSignal here (its prototype alone does not make one). */
export function isTaskSignal(value: unknown): value is TaskSignal {
  return typeof value === 'object' && value !== null && STATE.has(value);
}

/** Makes `signal` a TaskSignal of `priority` (it must be a real AbortSignal). */
export function makeTaskSignal(signal: AbortSignal, priority: TaskPriority): TaskSignal {
  const taskSignal = Object.setPrototypeOf(signal, TaskSignal.prototype) as TaskSignal;
  const state: SignalState = {
    priority,
    changing: false,
    algorithms: new Set(),
    dependents: new Set(),
    handler: null,
    listener: (event) => {
      // WebIDL invokes a non-callable [LegacyTreatNonObjectAsNull] handler as a no-op.
      if (typeof state.handler === 'function') (state.handler as PriorityChangeHandler).call(taskSignal, event as TaskPriorityChangeEvent);
    },
  };
  STATE.set(taskSignal, state);
  return taskSignal;
}

/**
 * The spec's "signal priority change": NotAllowedError while a change is being
 * dispatched; nothing (no event) if the priority is the same.
 */
export function signalPriorityChange(signal: TaskSignal, priority: TaskPriority): void {
  const state = stateOf(signal, 'setPriority');
  if (state.changing) {
    throw new DOMException('setPriority: the priority cannot change while a prioritychange event is being dispatched', 'NotAllowedError');
  }
  if (state.priority === priority) return;
  state.changing = true;
  try {
    const previousPriority = state.priority;
    state.priority = priority;
    for (const algorithm of [...state.algorithms]) algorithm();
    signal.dispatchEvent(new TaskPriorityChangeEvent('prioritychange', { previousPriority }));
    for (const ref of state.dependents) {
      const dependent = ref.deref();
      if (dependent === undefined) state.dependents.delete(ref);
      else signalPriorityChange(dependent, priority);
    }
  } finally {
    state.changing = false;
  }
}

/** Runs `algorithm` on every priority change of `signal`, before the event; returns the undo. */
export function onPriorityChange(signal: TaskSignal, algorithm: () => void): () => void {
  const { algorithms } = stateOf(signal, 'onPriorityChange');
  // A fresh function per call, so the same algorithm added twice is removed twice.
  const entry = () => algorithm();
  algorithms.add(entry);
  return () => algorithms.delete(entry);
}
