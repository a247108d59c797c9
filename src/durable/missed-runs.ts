// Missed runs: which of a task's slots that came due while nothing ran them
// (the process was down, the machine asleep, the wall clock jumped forward,
// or an earlier run overran) still run, and which are skipped, and why.
//
// A slot is late when more than graceMs has passed since its nominal time
// (default 30 s, as in the timer-service seed); a slot within the grace window
// simply runs. Late slots follow the task's policy:
// - 'skip': none runs;
// - 'run-once' (default): they coalesce into one run: the newest late slot
//   runs, unless a slot within the grace window runs anyway; the rest are
//   skipped;
// - 'catch-up': each late slot runs, if it is within catchUpWindowMs of now
//   and among the newest catchUpMax late slots; the rest are skipped.
// Every slot not run is reported with its reason, oldest first, to be recorded
// as skipped (the store's high-water mark then guards it, C4).
//
// Cost: a task missed for a long time can have millions of due slots (a 1 s
// fixed-rate task over a week). At most MAX_SLOTS_PER_PLAN of the newest are
// listed one by one; the older ones are skipped in bulk (counted, for
// fixed-rate exactly; for cron at least that many), never run.
import type { MisfireRecord } from '../store/records.js';
import { firstSlotAfter, fixedRateSlotsBetween, type SlotSource } from './slots.js';

/** The most due slots one planning lists (runs or skip records); older ones are skipped in bulk. */
export const MAX_SLOTS_PER_PLAN = 10_000;
/** Cron slots one planning steps through before jumping ahead (each step asks croner). */
const MAX_CRON_STEPS = 100_000;

export const SKIP_REASONS = Object.freeze({
  skip: 'missed: the grace window passed (policy skip)',
  runOnce: 'missed: coalesced into one run (policy run-once)',
  window: 'missed: older than the catch-up window (policy catch-up)',
  cap: 'missed: over the catch-up cap (policy catch-up)',
  bulk: `missed: more than ${MAX_SLOTS_PER_PLAN} slots due at once; the oldest were skipped in bulk`,
});

export interface SkippedSlot {
  readonly nominalMs: number;
  readonly reason: string;
}

export interface DuePlan {
  /** Due slots to run now, oldest first. */
  readonly run: number[];
  /** Due slots not to run, oldest first, each with its reason. */
  readonly skip: SkippedSlot[];
  /** Older due slots skipped in bulk, without a record each (see MAX_SLOTS_PER_PLAN). */
  readonly bulkSkipped: number;
  /** The first slot after now (not yet due), or null when none is known yet. */
  readonly nextMs: number | null;
}

/** The due slots after `afterMs` up to `wallNowMs` (at most MAX_SLOTS_PER_PLAN, the newest), and how many older were dropped. */
function dueSlots(source: SlotSource, afterMs: number, wallNowMs: number): { due: number[]; dropped: number } {
  let from = afterMs;
  let dropped = 0;
  if (source.record.scheduleKind === 'fixed-rate' && source.calendar === undefined) {
    const count = fixedRateSlotsBetween(source, afterMs, wallNowMs);
    if (count > MAX_SLOTS_PER_PLAN) {
      dropped = count - MAX_SLOTS_PER_PLAN;
      // Start just before the first kept slot.
      from = (firstSlotAfter(source, afterMs) as number) + (dropped - 1) * (source.record.periodMs as number);
    }
  }
  const due: number[] = [];
  let steps = 0;
  for (let slot = firstSlotAfter(source, from); slot !== null && slot <= wallNowMs; slot = firstSlotAfter(source, slot)) {
    due.push(slot);
    if (++steps === MAX_CRON_STEPS) {
      // Only cron and calendar intervals get here (fixed-rate was cut above): jump to the last kept span.
      dropped += due.length - 1;
      due.length = 0;
      slot = firstSlotAfter(source, Math.max(slot, wallNowMs - 1)) ?? slot;
      if (slot <= wallNowMs) due.push(slot);
      break;
    }
  }
  if (due.length > MAX_SLOTS_PER_PLAN) {
    dropped += due.length - MAX_SLOTS_PER_PLAN;
    due.splice(0, due.length - MAX_SLOTS_PER_PLAN);
  }
  return { due, dropped };
}

/**
 * Plans a task's slots after `afterMs` (its high-water mark, or the slot that
 * just ran) as of `wallNowMs`, under its missed-run policy.
 * @example planDueSlots(source, lastSlotMs, clock.wallNow(), record.misfire)
 */
export function planDueSlots(source: SlotSource, afterMs: number, wallNowMs: number, misfire: MisfireRecord): DuePlan {
  const { due, dropped } = dueSlots(source, afterMs, wallNowMs);
  const lastDue = due.length > 0 ? (due[due.length - 1] as number) : afterMs;
  const nextMs = firstSlotAfter(source, Math.max(lastDue, wallNowMs));
  const run: number[] = [];
  const skip: SkippedSlot[] = [];
  const late: number[] = [];
  for (const slot of due) {
    if (wallNowMs - slot > misfire.graceMs) late.push(slot);
    else run.push(slot);
  }
  if (late.length > 0) decideLate(late, run, skip, wallNowMs, misfire);
  run.sort((a, b) => a - b);
  skip.sort((a, b) => a.nominalMs - b.nominalMs);
  return { run, skip, bulkSkipped: dropped, nextMs };
}

/** Splits late slots (oldest first) between `run` and `skip` under the policy. */
function decideLate(late: number[], run: number[], skip: SkippedSlot[], wallNowMs: number, misfire: MisfireRecord): void {
  const skipAll = (slots: number[], reason: string) => {
    for (const nominalMs of slots) skip.push({ nominalMs, reason });
  };
  switch (misfire.policy) {
    case 'skip':
      skipAll(late, SKIP_REASONS.skip);
      return;
    case 'run-once':
      // A slot within the grace window runs anyway: the late ones coalesce into it.
      if (run.length > 0) {
        skipAll(late, SKIP_REASONS.runOnce);
      } else {
        skipAll(late.slice(0, -1), SKIP_REASONS.runOnce);
        run.push(late[late.length - 1] as number);
      }
      return;
    case 'catch-up': {
      const windowMs = misfire.catchUpWindowMs;
      const inWindow = windowMs === null ? late : late.filter((slot) => wallNowMs - slot <= windowMs);
      skipAll(late.slice(0, late.length - inWindow.length), SKIP_REASONS.window);
      const max = misfire.catchUpMax ?? inWindow.length;
      const kept = inWindow.slice(Math.max(0, inWindow.length - max));
      skipAll(inWindow.slice(0, inWindow.length - kept.length), SKIP_REASONS.cap);
      run.push(...kept);
      return;
    }
  }
}
