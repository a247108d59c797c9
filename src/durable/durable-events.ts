// Events of durable scheduling, dispatched on `scheduler.events` beside the
// task events: what happened to slots (skipped, completed), what recovery
// found (interrupted executions, functions not defined), clock jumps and
// wakes, and store failures the scheduler is riding out. Built only when
// someone listens (SchedulerEvents counts listeners per type).
import type { ClockWatchEvent } from '../time/clock-watch.js';
import type { LeaseHolder } from '../store/lease.js';
import type { ExecutionOutcome } from '../store/records.js';

export const DURABLE_EVENT_TYPES = [
  'slotskip', 'slotcomplete', 'executioninterrupted', 'clockjump', 'storeerror', 'taskundefined', 'taskinvalid', 'leaseacquired', 'standby',
  'leaselost', 'writefenced', 'clockskew',
] as const;
export type DurableEventType = (typeof DURABLE_EVENT_TYPES)[number];

export interface DurableEventDetails {
  /** A slot will not run: recorded as skipped with this reason (count > 1: that many slots skipped in bulk, unrecorded). */
  slotskip: { readonly taskId: string; readonly nominalMs: number; readonly reason: string; readonly count: number };
  /** An attempt's end was committed to the store (outcome succeeded, failed, or failed with a retry to come). */
  slotcomplete: {
    readonly taskId: string;
    readonly nominalMs: number;
    readonly executionId: string;
    readonly attempt: number;
    readonly outcome: ExecutionOutcome;
    /** A failed attempt that will be retried. */
    readonly retrying: boolean;
    readonly error?: unknown;
  };
  /** Recovery found an execution left running by a process that died: recorded as interrupted. */
  executioninterrupted: {
    readonly taskId: string;
    readonly nominalMs: number;
    readonly executionId: string;
    readonly attempt: number;
    /** Whether another attempt runs (attempts were left), with the saved state. */
    readonly retrying: boolean;
  };
  /** The wall clock jumped, or the process woke from a sleep; durable tasks were re-planned. */
  clockjump: ClockWatchEvent;
  /** A store write failed (disk full...); the scheduler retries it after retryInMs. */
  storeerror: { readonly operation: string; readonly error: unknown; readonly retryInMs: number };
  /** A persisted task names a function not defined: it waits, its record intact, until define() names it. */
  taskundefined: { readonly taskId: string; readonly functionName: string; readonly error: Error };
  /** Recovery found a stored record it cannot read into a task (malformed JSON, impossible values): left as it is, not run. */
  taskinvalid: { readonly taskId: string; readonly error: Error };
  /** This scheduler now owns the store (C6); `takeover`: it took a lease that lapsed (its holder died or hung), not a free or released one. */
  leaseacquired: { readonly holder: LeaseHolder; readonly previous: LeaseHolder | undefined; readonly takeover: boolean };
  /** A standby found the store held and waits; it looks again in retryInMs. */
  standby: { readonly holder: LeaseHolder; readonly retryInMs: number };
  /**
   * This scheduler lost the store: another one took the lease over (this process was paused or cut
   * off past its lease). Its durable tasks stop here; a standby waits to take the store back.
   */
  leaselost: { readonly holder: LeaseHolder | undefined };
  /** A write was refused because the lease moved on (fencing): nothing of it was stored. */
  writefenced: { readonly operation: string; readonly error: Error };
  /**
   * Cluster mode: this process's clock is further from the store's than
   * `cluster.skewWarnMs` (`over`: true), or came back within it (`over`:
   * false). Sent once per crossing, not at every measure. The store's clock
   * decides what is due, so a skewed process runs nothing early; its own
   * times (a task's `at`, the start of a run as it reports it) are off by the skew.
   */
  clockskew: {
    /** This clock minus the store's, ms (positive: this clock is ahead), at the midpoint of the call's round trip. */
    readonly skewMs: number;
    /** Half the round trip of the call it was measured on: the true skew is within skewMs ± this. */
    readonly uncertaintyMs: number;
    /** `cluster.skewWarnMs`. */
    readonly thresholdMs: number;
    readonly over: boolean;
  };
}

export class DurableEvent<Type extends DurableEventType = DurableEventType> extends Event {
  readonly detail: DurableEventDetails[Type];
  constructor(type: Type, detail: DurableEventDetails[Type]) {
    super(type);
    this.detail = detail;
  }
}
