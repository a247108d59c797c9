// The functions durable tasks run, by name (`scheduler.define(name, fn)`), and
// the live tasks waiting for a name nobody has defined yet: their records are
// kept as they are, and they run as soon as define() names their function.
import { describeValue, InvalidArgumentError } from '../../bindings/errors.js';
import type { DurableFn } from './durable-context.js';
import type { LiveTask } from './live-task.js';

export class DefinedFunctions {
  readonly #functions = new Map<string, DurableFn>();
  readonly #waiting = new Map<string, LiveTask[]>();

  /** Defines `name`; answers the tasks that were waiting for it. */
  define(name: string, fn: DurableFn): LiveTask[] {
    if (typeof name !== 'string' || name.length === 0) {
      throw new InvalidArgumentError(`define: name must be a non-empty string, received ${describeValue(name)}`);
    }
    if (typeof fn !== 'function') throw new InvalidArgumentError(`define: fn must be a function, received ${describeValue(fn)}`);
    const existing = this.#functions.get(name);
    if (existing !== undefined && existing !== fn) {
      throw new InvalidArgumentError(`define: '${name}' is already defined (persisted tasks name it; define each name once)`);
    }
    this.#functions.set(name, fn);
    const waiting = this.#waiting.get(name) ?? [];
    this.#waiting.delete(name);
    return waiting.filter((task) => !task.removed);
  }

  get(name: string): DurableFn | undefined {
    return this.#functions.get(name);
  }

  has(name: string): boolean {
    return this.#functions.has(name);
  }

  /** Parks a task until its function is defined; true the first time it is parked. */
  wait(task: LiveTask): boolean {
    const name = task.record.functionName;
    const waiting = this.#waiting.get(name) ?? [];
    if (waiting.includes(task)) return false;
    waiting.push(task);
    this.#waiting.set(name, waiting);
    return true;
  }
}
