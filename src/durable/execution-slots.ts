// maxConcurrent: at most N durable executions at once per scheduler (seed
// 004's max_concurrent). A durable task takes a slot when its due run is
// about to start an attempt (claim, retry, manual run) and gives it back when
// the attempt's body has ended (or the run turned out not to start): the
// claim's commit and the body count, the commit of its end and a retry's
// backoff do not. A task that finds every slot taken waits here, holding no
// core task, in its priority class's queue (first come, first served inside a
// class); a slot given back goes at once to the first waiter of the most
// urgent class, which is entered into the core holding it, so a run due
// meanwhile cannot take it first. Nothing is claimed while a task waits, so a
// crash loses nothing: recovery plans the slot again (C1).
//
// What must be cheap: acquire() and release() run once per durable run; both
// are a comparison and a counter while no task waits.
import { PRIORITY_NAMES, type PriorityName } from '../tasks/priorities.js';

/** What the slots need of a live task. */
export interface SlotHolder {
  readonly record: { readonly id: string; readonly priority: PriorityName };
  /** Cancelled, ended or replaced: a waiter that is removed is passed over. */
  readonly removed: boolean;
  /** Holds one of the slots (its attempt runs, or it was admitted and its core task is entered). */
  holdsSlot: boolean;
  /** Waits here for a slot. */
  waitsForSlot: boolean;
}

/** A FIFO with O(1) shift: an array and the index of its head, compacted as it drains. */
class Fifo<T> {
  #items: T[] = [];
  #head = 0;

  get size(): number {
    return this.#items.length - this.#head;
  }

  push(item: T): void {
    this.#items.push(item);
  }

  shift(): T | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const item = this.#items[this.#head++] as T;
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }

  *values(): IterableIterator<T> {
    for (let i = this.#head; i < this.#items.length; i++) yield this.#items[i] as T;
  }
}

export class ExecutionSlots<Task extends SlotHolder> {
  readonly limit: number;
  /** Slots held: attempts running, and waiters admitted whose core task has not run yet. */
  #held = 0;
  /** Waiters per priority class, most urgent first (PRIORITY_NAMES order). */
  readonly #waiting = PRIORITY_NAMES.map(() => new Fifo<Task>());
  #waiters = 0;
  readonly #admit: (task: Task) => void;

  /** `admit` enters a waiter that was given a slot into the core (due now). */
  constructor(limit: number, admit: (task: Task) => void) {
    this.limit = limit;
    this.#admit = admit;
  }

  /** Slots held now. */
  get held(): number {
    return this.#held;
  }

  /** Takes a slot for `task`'s attempt (true), or queues it to wait for one (false). */
  acquire(task: Task): boolean {
    if (task.holdsSlot) return true;
    if (this.#held < this.limit) {
      this.#held++;
      task.holdsSlot = true;
      return true;
    }
    if (!task.waitsForSlot) {
      task.waitsForSlot = true;
      this.#waiters++;
      this.#waiting[PRIORITY_NAMES.indexOf(task.record.priority)]?.push(task);
    }
    return false;
  }

  /** Gives `task`'s slot back (if it holds one) and admits the next waiter. */
  release(task: Task): void {
    if (!task.holdsSlot) return;
    task.holdsSlot = false;
    this.#held--;
    this.#admitWaiters();
  }

  /** A task leaves (removed): it stops waiting; its slot is given back unless its attempt still runs (then the attempt's end gives it back). */
  leave(task: Task, attemptRunning: boolean): void {
    if (task.waitsForSlot) {
      // Passed over when its turn comes (removed); counted out now.
      task.waitsForSlot = false;
      this.#waiters--;
    }
    if (!attemptRunning) this.release(task);
  }

  #admitWaiters(): void {
    while (this.#held < this.limit && this.#waiters > 0) {
      const task = this.#nextWaiter();
      if (task === undefined) return;
      task.waitsForSlot = false;
      this.#waiters--;
      this.#held++;
      task.holdsSlot = true;
      this.#admit(task);
    }
  }

  /** The first waiter of the most urgent class, skipping those that left. */
  #nextWaiter(): Task | undefined {
    for (const queue of this.#waiting) {
      for (let task = queue.shift(); task !== undefined; task = queue.shift()) {
        if (task.waitsForSlot && !task.removed) return task;
      }
    }
    return undefined;
  }

  /** The tasks waiting, in the order they will be admitted. */
  *waiters(): IterableIterator<Task> {
    for (const queue of this.#waiting) for (const task of queue.values()) if (task.waitsForSlot && !task.removed) yield task;
  }
}
