// A worker thread's task functions: the modules named by pool.task(), imported
// once per thread.
//
// The main thread posts each definition (kind -> module, export) to every
// thread before any task of that kind can be taken, so a definition a thread
// has not seen yet is in its port's queue. Importing is asynchronous and, on a
// loaded machine, slow (tens to hundreds of milliseconds): a thread imports
// before it runs a task, never inside the task's run, so the time is charged
// to no task's quantum, grace or timeout (a run whose import was timed was
// terminated for it; issue 10). A booting or spare thread imports every known
// module ahead (preload), so a replacement starts its first task at once.
import type { PoolTaskContext } from './context.js';

export type TaskFunction = (args: unknown, ctx: PoolTaskContext) => unknown;

interface Definition {
  readonly module: string;
  readonly name: string;
}

function exported(mod: Record<string, unknown>, d: Definition): TaskFunction {
  const fn = mod[d.name];
  if (typeof fn !== 'function') throw new TypeError(`${d.name} of ${d.module} is not a function`);
  return fn as TaskFunction;
}

export class TaskModules {
  readonly #definitions = new Map<number, Definition>();
  readonly #loading = new Map<number, Promise<TaskFunction>>();
  readonly #functions = new Map<number, TaskFunction>();
  /** Modules imported already, by URL: another export of one is found without an import. */
  readonly #modules = new Map<string, Record<string, unknown>>();
  /** Handles one message queued on the thread's port; false when none is queued. */
  readonly #receive: () => boolean;
  #preloading = false;

  constructor(definitions: ReadonlyArray<{ kind: number } & Definition>, receive: () => boolean) {
    for (const d of definitions) this.#definitions.set(d.kind, { module: d.module, name: d.name });
    this.#receive = receive;
  }

  define(kind: number, module: string, name: string): void {
    this.#definitions.set(kind, { module, name });
    if (this.#preloading) this.#preload(kind);
  }

  /** The function of `kind` if its module is imported already (the common case: no await). */
  get(kind: number): TaskFunction | undefined {
    const fn = this.#functions.get(kind);
    if (fn !== undefined) return fn;
    const d = this.#definitions.get(kind);
    const mod = d === undefined ? undefined : this.#modules.get(d.module);
    if (d === undefined || mod === undefined || typeof mod[d.name] !== 'function') return undefined;
    const found = exported(mod, d);
    this.#functions.set(kind, found);
    return found;
  }

  /** Imports the function of `kind` (once per thread); rejects if it cannot be found. */
  load(kind: number): Promise<TaskFunction> {
    const loading = this.#loading.get(kind);
    if (loading !== undefined) return loading;
    while (!this.#definitions.has(kind)) {
      if (!this.#receive()) return Promise.reject(new Error(`task kind ${kind} was never defined`));
    }
    const d = this.#definitions.get(kind) as Definition;
    const promise = import(d.module).then((mod: Record<string, unknown>) => {
      this.#modules.set(d.module, mod);
      const fn = exported(mod, d);
      this.#functions.set(kind, fn);
      return fn;
    });
    this.#loading.set(kind, promise);
    return promise;
  }

  /** Imports every known module, and from now on each new one as it is defined. Failures wait for their task to report them. */
  async preloadAll(): Promise<void> {
    this.#preloading = true;
    await Promise.all([...this.#definitions.keys()].map((kind) => this.#preload(kind)));
  }

  /** Stops importing new definitions ahead (the thread is busy running tasks now). */
  stopPreloading(): void {
    this.#preloading = false;
  }

  #preload(kind: number): Promise<unknown> {
    return this.load(kind).catch(() => undefined);
  }
}
