// Group commit: many callers each want "my record is durable", and a durable
// commit costs an fsync (a millisecond or more), so one transaction per record
// caps registrations at about a thousand a second. WriteBatcher collects the
// items requested in the same tick (everything added before the next
// microtask checkpoint, or until the moment `schedule` picks), plus
// everything added while the previous batch is being written, and writes
// them as one batch: one transaction, one fsync.
// Each caller's promise settles only once the batch holding its item has
// settled: resolved after the commit, rejected (every caller of that batch,
// with the same error) if the write failed. Batches are written one at a
// time, in the order their items were added; a batch never exceeds
// maxBatchSize items (the rest wait for the next one).
//
// Because a failed write rejects the whole batch, check items before adding
// them (checkTaskRecord in timeslice/store), so one bad record does not fail
// its neighbours.
import { describeValue, InvalidArgumentError } from '../../bindings/errors.js';
import { StoreError } from './errors.js';

export interface WriteBatcherOptions<Item> {
  /**
   * Writes a batch in one transaction and resolves once it is committed. If
   * it resolves to an array, that must hold one result per item, in order
   * (e.g. a Store's claim()); each caller gets its own.
   * @example (tasks) => store.putTasks(tasks)
   */
  write: (items: Item[]) => Promise<unknown>;
  /** The most items in one batch (one transaction). @default 10000 */
  maxBatchSize?: number;
  /**
   * Calls `drain` when the batch that begins with an item added now should be
   * written; the items added until then join it. flush() writes at once.
   * @default the next microtask checkpoint (the items of one tick)
   * @example (drain) => setImmediate(drain) // the items of one host turn
   */
  schedule?: (drain: () => void) => void;
}

interface Waiter<Item, Result> {
  item: Item;
  resolve(result: Result): void;
  reject(error: unknown): void;
}

export class WriteBatcher<Item, Result = undefined> {
  readonly #write: WriteBatcherOptions<Item>['write'];
  readonly #maxBatchSize: number;
  readonly #schedule: (drain: () => void) => void;
  #queue: Waiter<Item, Result>[] = [];
  #draining: Promise<void> | undefined;
  /** Starts the drain `schedule` is waiting to start, if any. */
  #startDrain: (() => void) | undefined;

  /** @example const batcher = new WriteBatcher({ write: (tasks) => store.putTasks(tasks) }); await batcher.add(record); */
  constructor(options: WriteBatcherOptions<Item>) {
    if (typeof options !== 'object' || options === null) throw new InvalidArgumentError(`options must be an object, received ${describeValue(options)}`);
    if (typeof options.write !== 'function') throw new InvalidArgumentError(`options.write must be a function, received ${describeValue(options.write)}`);
    const maxBatchSize = options.maxBatchSize ?? 10_000;
    if (typeof maxBatchSize !== 'number' || !Number.isSafeInteger(maxBatchSize) || maxBatchSize < 1) {
      throw new InvalidArgumentError(`options.maxBatchSize must be an integer >= 1, received ${describeValue(maxBatchSize)}`);
    }
    if (options.schedule !== undefined && typeof options.schedule !== 'function') {
      throw new InvalidArgumentError(`options.schedule must be a function, received ${describeValue(options.schedule)}`);
    }
    this.#write = options.write;
    this.#maxBatchSize = maxBatchSize;
    // Called as a plain function: browsers refuse queueMicrotask called on another receiver.
    this.#schedule = options.schedule ?? ((drain) => queueMicrotask(drain));
  }

  /** Items waiting for a batch, plus those being written. */
  get pending(): number {
    return this.#queue.length;
  }

  /** Resolves (to the item's result, if write gives results) once the batch holding `item` is committed. */
  add(item: Item): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      // The first item starts the drain later (after the current synchronous code at the earliest), so the rest join it.
      this.#draining ??= new Promise<void>((drained) => {
        const start = () => {
          if (this.#startDrain !== start) return;
          this.#startDrain = undefined;
          void this.#drain().then(drained);
        };
        this.#startDrain = start;
        this.#schedule(start);
      });
    });
  }

  /** Writes what waits for its moment now; resolves once every item added so far has been written or has failed (it never rejects). */
  async flush(): Promise<void> {
    while (this.#draining !== undefined) {
      this.#startDrain?.();
      await this.#draining;
    }
  }

  async #drain(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue.slice(0, this.#maxBatchSize);
        await this.#writeBatch(batch);
        this.#queue = this.#queue.slice(batch.length);
      }
    } finally {
      this.#draining = undefined;
    }
  }

  async #writeBatch(batch: Waiter<Item, Result>[]): Promise<void> {
    let results: readonly Result[] | undefined;
    try {
      const value = await this.#write(batch.map((w) => w.item));
      if (Array.isArray(value)) {
        if (value.length !== batch.length) {
          throw new StoreError(`WriteBatcher: write() resolved to ${value.length} results for ${batch.length} items (one per item, or no array)`);
        }
        results = value;
      }
    } catch (error) {
      for (const waiter of batch) waiter.reject(error);
      return;
    }
    for (const [i, waiter] of batch.entries()) waiter.resolve(results?.[i] as Result);
  }
}
