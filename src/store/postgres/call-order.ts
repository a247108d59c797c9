// The order a PostgresStore runs its calls in. Each call checks out its own
// pooled connection, so without care two calls made one after the other
// could run in either order; SqliteStore (synchronous) and MemoryStore run
// them in call order, and the scheduler relies on what it wrote being there
// when it next reads or writes. So: a write starts after every call made
// before it has settled, and a read after every write made before it (reads
// made between two writes run side by side). Settled means resolved or
// rejected: a failed call never stops the ones behind it.
const settle = (): void => {};

export class CallOrder {
  /** Settles once every call queued so far has. */
  #all: Promise<void> = Promise.resolve();
  /** Settles once every write queued so far has. */
  #writes: Promise<void> = Promise.resolve();

  read<T>(run: () => Promise<T>): Promise<T> {
    const result = this.#writes.then(run);
    const done = result.then(settle, settle);
    this.#all = Promise.all([this.#all, done]).then(settle);
    return result;
  }

  write<T>(run: () => Promise<T>): Promise<T> {
    const result = this.#all.then(run);
    const done = result.then(settle, settle);
    this.#all = done;
    this.#writes = done;
    return result;
  }

  /** Settles once every call queued so far has. */
  idle(): Promise<void> {
    return this.#all;
  }
}
