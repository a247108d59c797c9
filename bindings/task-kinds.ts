// The kinds of task the core schedules, by name and by the code the core
// stores. Their own module so that Core and CoreBatch both read them without
// importing each other.
import * as L from './layout.generated.js';

export type TaskKind = 'once' | 'fixed-rate' | 'fixed-delay';

export const KIND_CODES: Readonly<Record<TaskKind, number>> = Object.freeze({
  once: L.KIND_ONCE,
  'fixed-rate': L.KIND_FIXED_RATE,
  'fixed-delay': L.KIND_FIXED_DELAY,
});

/** By code: KIND_NAMES[KIND_CODES[kind]] === kind. */
export const KIND_NAMES: readonly TaskKind[] = ['once', 'fixed-rate', 'fixed-delay'];
