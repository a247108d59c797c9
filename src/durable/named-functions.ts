// Functions durable tasks name: a function cannot be stored, so a task keeps
// its name (the bodies of define(), the admit hooks of defineAdmit()). Each
// name is defined once per process; a live task naming one nobody has defined
// yet waits, its record kept as it is, until define() names it.
import { describeValue, InvalidArgumentError } from '../../bindings/errors.js';
import type { LiveTask } from './live-task.js';

export class NamedFunctions<F> {
  /** The scheduler method that defines them, for error messages. */
  readonly #operation: string;
  readonly #functions = new Map<string, F>();
  readonly #waiting = new Map<string, LiveTask[]>();
  /** names(), kept until the next define(): a cluster process passes it with every claim. */
  #names: readonly string[] | undefined;

  constructor(operation: string) {
    this.#operation = operation;
  }

  /** Defines `name`; answers the tasks that were waiting for it. */
  define(name: string, fn: F): LiveTask[] {
    const operation = this.#operation;
    if (typeof name !== 'string' || name.length === 0) {
      throw new InvalidArgumentError(`${operation}: name must be a non-empty string, received ${describeValue(name)}`);
    }
    if (typeof fn !== 'function') throw new InvalidArgumentError(`${operation}: fn must be a function, received ${describeValue(fn)}`);
    const existing = this.#functions.get(name);
    if (existing !== undefined && existing !== fn) {
      throw new InvalidArgumentError(`${operation}: '${name}' is already defined (persisted tasks name it; define each name once)`);
    }
    this.#functions.set(name, fn);
    this.#names = undefined;
    const waiting = this.#waiting.get(name) ?? [];
    this.#waiting.delete(name);
    return waiting.filter((task) => !task.removed);
  }

  get(name: string): F | undefined {
    return this.#functions.get(name);
  }

  has(name: string): boolean {
    return this.#functions.has(name);
  }

  /** The defined names, in definition order. */
  names(): readonly string[] {
    this.#names ??= Object.freeze([...this.#functions.keys()]);
    return this.#names;
  }

  /** Parks a task until `name` is defined; true the first time it is parked. */
  wait(task: LiveTask, name: string): boolean {
    const waiting = this.#waiting.get(name) ?? [];
    if (waiting.includes(task)) return false;
    waiting.push(task);
    this.#waiting.set(name, waiting);
    return true;
  }
}
