// What the pool's main-thread helpers (recovery.ts, supervisor.ts) share with
// the pool: the shared core, the control block, the task book, the counters,
// the events and the options. One object, made once by the pool.
import type { CoreExports } from '../../bindings/load.js';
import type { ControlBlock } from './control.js';
import type { PoolCounters, PoolEvents } from './events.js';
import type { ResolvedPoolOptions } from './options.js';
import type { TaskBook } from './task-record.js';

export interface PoolParts {
  readonly w: CoreExports;
  readonly control: ControlBlock;
  readonly book: TaskBook;
  readonly counters: PoolCounters;
  readonly events: PoolEvents;
  readonly options: ResolvedPoolOptions;
}
