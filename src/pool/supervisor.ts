// The main thread's watchdog over the worker threads, and the urgent
// preemption it shares with the pool. Per tick:
//   - a task more urgent than a running one waits and no worker that may take
//     it is idle: flag the least urgent running task (PREEMPT_URGENT), as an
//     arrival does (preemptFor); the tick catches what an arrival could not
//     (the running task had not started yet when the urgent one arrived);
// and for each worker's current task:
//   - past its timeoutMs (its attempt's time on workers): flag it
//     (PREEMPT_TIMEOUT), abort its ctx.signal; the attempt has timed out;
//   - its quantum spent while work of an equal or higher claim waits that no
//     idle worker will take (an idle one is woken instead): flag it
//     (PREEMPT_QUANTUM), for tasks that never call shouldYield() (those that
//     do flag themselves). A request only: a task that ignores it runs on.
//     Terminating it would give its thread to an equal at the price of its
//     work (a restart from scratch), and the equal would then be terminated in
//     turn: livelock, not time sharing;
//   - an escalating flag (urgent, cancel, timeout) ignored for graceMs of the
//     thread's own time (grace.ts): escalate. Fence the worker (under the lock,
//     so it is outside the core and will never enter it again), recover the
//     tasks it held (recovery.ts), give its role to a warm spare at once
//     (threads.ts), and abort its loop task, on which Piscina terminates the
//     thread. A task already terminated maxTerminations times for urgent work
//     is not terminated for it again: it is left to finish.
// A thread that dies on its own (crashed()) is recovered the same way, its
// current task's attempt failing with WorkerCrashedError.
//
// It runs every min(quantum, grace) / 2 ms (at least 1) while any task is
// live, reads each seat's current task and flag from the control block
// without the lock, and takes the lock only to set a flag or to escalate.
import * as L from '../../bindings/layout.generated.js';
import { PoolTaskCancelledError } from './errors.js';
import { GraceMeter } from './grace.js';
import type { PoolParts } from './pool-parts.js';
import * as P from './protocol.js';
import { type Recovered, type RecoveryHost, recoverSeat } from './recovery.js';
import { ThreadClock } from './thread-clock.js';
import type { PoolThread, PoolThreads } from './threads.js';
import type { TaskRecord } from './task-record.js';

export interface SupervisorHost extends PoolParts {
  readonly threads: PoolThreads;
  readonly recovery: RecoveryHost;
  now(): number;
  wake(cls: number, count: number): void;
  fail(r: TaskRecord, error: unknown): void;
  armDueTimer(): void;
  /** Handles every message the thread has posted so far. */
  drain(thread: PoolThread): void;
  /** The thread was fenced or died: give its worker's role to another thread (or, if it was retiring, start a spare). */
  replace(thread: PoolThread, atMs: number, reason: 'terminated' | 'crashed'): void;
  /** A warm spare took worker `spare.index`'s role for urgent work (handOver). */
  handedOver(spare: PoolThread, atMs: number): void;
}

const REASONS: Record<number, string> = { [P.PREEMPT_URGENT]: 'urgent', [P.PREEMPT_ABORT]: 'cancel', [P.PREEMPT_TIMEOUT]: 'timeout' };

export class Supervisor {
  readonly #host: SupervisorHost;
  readonly #periodMs: number;
  readonly #grace: GraceMeter;
  /** Each thread's clock, opened the first time its task holds an escalating flag (null: not available). */
  readonly #clocks = new Map<PoolThread, ThreadClock | null>();
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(host: SupervisorHost) {
    this.#host = host;
    const o = host.options;
    this.#periodMs = Math.max(1, Math.min(o.quantumMs, o.graceMs) / 2);
    this.#grace = new GraceMeter(o.graceMs, 2 * this.#periodMs);
  }

  /** Starts watching, if it is not already and any task is live. */
  arm(): void {
    if (this.#timer !== undefined || this.#host.book.live === 0) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#watch();
      this.arm();
    }, this.#periodMs);
  }

  stop(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const clock of this.#clocks.values()) clock?.close();
    this.#clocks.clear();
  }

  /** The thread is gone: forget its grace and close its clock. */
  forget(thread: PoolThread): void {
    this.#grace.forget(thread.seat);
    this.#clocks.get(thread)?.close();
    this.#clocks.delete(thread);
  }

  /**
   * Urgent work of class `cls` waits (undefined: whatever is most urgent in
   * the queue, and only if no urgent flag is pending already). If no worker
   * that may take it is idle, the least urgent running task of a less urgent
   * class is flagged at once, provided the waiting task's claim is at least
   * its claim were it requeued now, and its worker's role goes to a warm
   * spare at once (threads.ts handOver), which takes the urgent task while
   * the flagged one has its grace. A task the pool may no longer terminate
   * for urgency (maxTerminations) is chosen only when no other is running:
   * it is asked, keeps its thread, and is left to finish if it does not listen.
   */
  preemptFor(cls?: number): void {
    const { w, control, book, threads, options: o } = this.#host;
    // A worker takes the task soon if it is idle, or is a booted thread that has not taken yet (a spare just given the role).
    const idleTaker = (c: number) =>
      threads.workers.some((t) => t !== undefined && c <= threads.maxClassOf(t.index) && (control.isIdle(t.seat) || (t.booted && control.isFree(t.seat))));
    if (cls !== undefined && idleTaker(cls)) return;
    control.lock();
    let urgent = cls;
    if (urgent === undefined) {
      urgent = w.poolTopClass(L.POOL_ANY_CLASS);
      if (urgent < 0 || idleTaker(urgent) || this.#urgentPending()) {
        control.unlock();
        return;
      }
    }
    let victim: PoolThread | undefined;
    let victimHandle = 0;
    let victimRank = Number.NEGATIVE_INFINITY;
    let victimKey = Number.NEGATIVE_INFINITY;
    for (const thread of threads.workers) {
      if (thread === undefined || thread.fenced) continue;
      const handle = control.current(thread.seat);
      // A quantum flag is only a request: an urgent arrival makes it a demand.
      if (handle === 0 || P.escalates(control.flag(thread.seat))) continue;
      const r = book.of(handle);
      if (r === undefined || w.taskState(handle) !== L.STATE_RUNNING || r.options.priorityClass <= urgent) continue;
      const rank = r.terminations < o.maxTerminations ? 1 : 0;
      const key = w.poolClaimKey(handle);
      if (rank > victimRank || (rank === victimRank && key > victimKey)) {
        victimRank = rank;
        victimKey = key;
        victim = thread;
        victimHandle = handle;
      }
    }
    const now = this.#host.now();
    const preempt = victim !== undefined && w.poolTopKey(urgent) <= w.poolRequeueKey(victimHandle, now);
    let spare: PoolThread | undefined;
    if (preempt) {
      control.setFlag((victim as PoolThread).seat, P.PREEMPT_URGENT, now);
      if (victimRank > 0) spare = threads.handOver((victim as PoolThread).index);
    }
    control.unlock();
    if (spare !== undefined) control.wake(spare.seat);
    if (preempt) {
      this.#host.counters.preemptUrgent++;
      this.#host.events.emit('preempt', { task: victimHandle, worker: (victim as PoolThread).index, reason: 'urgent', atMs: now });
    }
    if (spare !== undefined) this.#host.handedOver(spare, now);
  }

  /** Under the lock: an urgent flag is set on a task that may still be terminated for it (it is in its grace). */
  #urgentPending(): boolean {
    const { control, book, threads, options: o } = this.#host;
    for (const thread of threads.busy()) {
      if (thread.fenced || control.flag(thread.seat) !== P.PREEMPT_URGENT) continue;
      const r = book.of(control.current(thread.seat));
      if (r !== undefined && r.terminations < o.maxTerminations) return true;
    }
    return false;
  }

  #watch(): void {
    const { control, book } = this.#host;
    this.preemptFor();
    for (const thread of this.#host.threads.busy()) {
      if (thread.fenced) continue;
      const seat = thread.seat;
      const handle = control.current(seat);
      if (handle === 0) {
        this.#grace.forget(seat);
        continue;
      }
      const now = this.#host.now();
      const r = book.of(handle);
      if (r?.cancelled === true && control.flag(seat) !== P.PREEMPT_ABORT) this.#abort(thread, handle, now);
      if (control.loading(seat)) {
        // Importing its module: not started, so no quantum, timeout or urgency applies yet (urgent work
        // flagging it gets it back unstarted once the import ends). Only a cancelled task's hung import escalates.
        const flag = control.flag(seat);
        if (flag !== P.PREEMPT_ABORT) this.#grace.forget(seat);
        else if (this.#grace.spent(seat, handle, control.flagAtMs(seat), now, this.#sample(thread))) this.#escalate(thread, handle, flag);
        continue;
      }
      if (r !== undefined && !r.timedOut && !r.cancelled && r.ranMs + (now - control.segmentStartMs(seat)) >= r.options.timeoutMs) {
        this.#timeOut(thread, handle, r, now);
      }
      const flag = control.flag(seat);
      if (flag === 0) {
        this.#grace.forget(seat);
        this.#checkQuantum(thread, handle, now);
      } else if (!P.escalates(flag) || (flag === P.PREEMPT_URGENT && r !== undefined && !r.timedOut && !r.cancelled && r.terminations >= this.#host.options.maxTerminations)) {
        // A request to share (never escalated), or urgent work asking a task it may no longer terminate.
        this.#grace.forget(seat);
      } else if (this.#grace.spent(seat, handle, control.flagAtMs(seat), now, this.#sample(thread))) {
        this.#escalate(thread, handle, flag);
      }
    }
  }

  /** Flags a task that has used its quantum while work of an equal or higher claim waits and no idle worker may take it (one that may is woken). */
  #checkQuantum(thread: PoolThread, handle: number, now: number): void {
    const { w, options: o, control, counters, events } = this.#host;
    if (now - control.segmentStartMs(thread.seat) < o.quantumMs) return;
    const { threads } = this.#host;
    const maxClass = threads.maxClassOf(thread.index);
    control.lock();
    let waiting = control.current(thread.seat) === handle && control.flag(thread.seat) === 0 && w.taskState(handle) === L.STATE_RUNNING && w.poolTopKey(maxClass) <= w.poolRequeueKey(handle, now);
    // An idle worker that may take the waiting work is woken instead (the worker's own check does the same).
    const cls = waiting ? w.poolTopClass(maxClass) : -1;
    const idle = waiting ? threads.workers.find((t) => t !== undefined && t !== thread && cls <= threads.maxClassOf(t.index) && control.isIdle(t.seat)) : undefined;
    if (idle !== undefined) waiting = false;
    if (waiting) control.setFlag(thread.seat, P.PREEMPT_QUANTUM, now);
    control.unlock();
    if (idle !== undefined) control.wake(idle.seat);
    if (waiting) {
      counters.preemptQuantum++;
      events.emit('preempt', { task: handle, worker: thread.index, reason: 'quantum', atMs: now });
    }
  }

  /**
   * A task settled early is still running here, unflagged: it started in the
   * instant between endEarly() looking for it and the thread marking it
   * current. Ask it to stop, as endEarly() would have.
   */
  #abort(thread: PoolThread, handle: number, now: number): void {
    const { control } = this.#host;
    control.lock();
    const running = control.current(thread.seat) === handle;
    if (running) control.setFlag(thread.seat, P.PREEMPT_ABORT, now);
    control.unlock();
    if (running) thread.port.postMessage({ t: 'abort', handle, reason: 'cancelled' } satisfies P.ToWorker);
  }

  /** The task's attempt ran past its timeoutMs: it has timed out, whatever it does now; ask it to stop. */
  #timeOut(thread: PoolThread, handle: number, r: TaskRecord, now: number): void {
    const { w, control, counters, events } = this.#host;
    control.lock();
    const running = control.current(thread.seat) === handle && w.taskState(handle) === L.STATE_RUNNING;
    if (running) {
      r.timedOut = true;
      // An escalating flag already set keeps its grace; a request to share becomes a demand.
      if (!P.escalates(control.flag(thread.seat))) control.setFlag(thread.seat, P.PREEMPT_TIMEOUT, now);
    }
    control.unlock();
    if (!running) return;
    thread.port.postMessage({ t: 'abort', handle, reason: 'timeout' } satisfies P.ToWorker);
    counters.timeouts++;
    events.emit('timeout', { task: handle, worker: thread.index, attempt: r.attempt, atMs: now });
  }

  #sample(thread: PoolThread) {
    let clock = this.#clocks.get(thread);
    if (clock === undefined) {
      clock = ThreadClock.open(this.#host.control.osTid(thread.seat)) ?? null;
      this.#clocks.set(thread, clock);
    }
    return clock?.sample();
  }

  /** The task on the thread ignored an escalating flag past its grace: fence the thread, recover its tasks, replace it, terminate it. */
  #escalate(thread: PoolThread, handle: number, flag: number): void {
    const { control, counters, events } = this.#host;
    // What the thread reported before it is stopped counts: its outcomes, its last saved state.
    this.#host.drain(thread);
    control.lock();
    if (control.current(thread.seat) !== handle) {
      control.unlock(); // it returned in time after all
      return;
    }
    // Under the lock: the thread is not inside the core, and will never enter it again.
    control.fence(thread.seat);
    thread.fenced = true;
    const now = this.#host.now();
    const recovered = recoverSeat(this.#host.recovery, thread.seat, thread.index, 'terminated', now);
    control.unlock();
    this.forget(thread);
    counters.terminations++;
    events.emit('terminate', { task: handle, worker: thread.index, reason: REASONS[flag] ?? 'urgent', atMs: now });
    // The role goes to a warm spare before the requeued tasks are announced: the urgent task that needed this thread starts there.
    this.#host.replace(thread, now, 'terminated');
    this.afterRecovery(recovered);
    // Piscina terminates the thread running an aborted task, and starts another (the next spare runs on it).
    thread.controller.abort(new Error('terminated: the task ignored its preemption flag'));
  }

  /**
   * Settles a task now with `error` (it was cancelled, or failed for good
   * while a worker runs it): removed if queued; if a worker runs it, its flag
   * (PREEMPT_ABORT) and its signal ask it to stop (it has graceMs, then its
   * thread is terminated), and its outcome will be ignored.
   */
  endEarly(r: TaskRecord, error: Error): void {
    const { w, control, book, threads, counters } = this.#host;
    r.cancelled = true;
    const now = this.#host.now();
    control.lock();
    if (w.taskState(r.handle) !== L.STATE_RUNNING) {
      // Queued (ready, or waiting for a retry): gone at once.
      w.cancel(r.handle);
      book.release(r);
    } else {
      // Held by a worker: one that has not started it skips it; one running it (or importing its module) is flagged.
      book.stop(r);
      for (const thread of threads.busy()) {
        if (control.current(thread.seat) !== r.handle) continue;
        control.setFlag(thread.seat, P.PREEMPT_ABORT, now);
        thread.port.postMessage({ t: 'abort', handle: r.handle, reason: 'cancelled' } satisfies P.ToWorker);
        counters.preemptCancel++;
      }
    }
    control.unlock();
    if (PoolTaskCancelledError.is(error)) r.reject(error);
    else this.#host.fail(r, error);
  }

  /** The worker's thread died on its own: its current task's attempt failed, the rest are requeued, a spare takes its role. */
  crashed(thread: PoolThread, err: unknown): void {
    const { control, counters, events } = this.#host;
    // If it died holding the lock (it cannot die inside a core call in normal
    // operation: the lock is held only around them), free it.
    control.releaseIfHeldBy(thread.seat);
    this.#host.drain(thread);
    control.lock();
    const now = this.#host.now();
    const recovered = recoverSeat(this.#host.recovery, thread.seat, thread.index, 'crashed', now);
    // Whatever it still does while it stops, it will never enter the core again.
    control.fence(thread.seat);
    thread.fenced = true;
    control.unlock();
    counters.crashes++;
    events.emit('crash', { worker: thread.index, error: err, atMs: now });
    this.#host.replace(thread, now, 'crashed');
    this.afterRecovery(recovered);
  }

  /** Once the lock is released: emits what recovery decided, rejects what failed for good, wakes workers for what was requeued. */
  afterRecovery(recovered: Recovered): void {
    this.#host.events.flush();
    for (const [r, error] of recovered.settled) this.#host.fail(r, error);
    if (recovered.requeued > 0) this.#host.wake(L.CLASS_COUNT - 1, recovered.requeued);
    if (recovered.retried) this.#host.armDueTimer();
  }
}
