// Slot constraints on a durable task's plan: after the missed-run policy has
// chosen which due slots run (missed-runs.ts), each is judged by the task's
// constraints (src/constraints/) at the instant it would start: its nominal
// time, or now for a late slot. A refused slot is
// - 'skip': recorded as skipped with the refusal's reason;
// - 'defer': recorded as skipped ("deferred to <instant>: <reason>"), and a
//   run is queued at the next admissible instant, as a slot of its own (its
//   nominal time is that instant, so it has one record, C2, and its claim
//   moves the high-water mark past the schedule's slots up to it: they fold
//   into it). A search that finds nothing (bounded, see findAdmissible)
//   records the slot as skipped with why.
// Decisions keep nominal order, as skip-slots.ts requires: a skip recorded
// after a later slot's claim would be refused below the high-water mark.
//
// maxPerDay counts the runs admitted per local day. The live count starts from
// the store's history when the task goes live (a restart), counting the
// scheduled executions that ran (not skipped, not cancelled, not manual) by
// the local day of their nominal time.
import { Admission, findAdmissible, type Verdict } from '../constraints/admission.js';
import type { AdmitFn, ConstraintsRecord } from '../constraints/slot-constraints.js';
import { isManualSlot, type ExecutionRecord } from '../store/records.js';
import type { HistoryCursor, Store } from '../store/store.js';
import type { SkippedSlot } from './missed-runs.js';
import { firstSlotAfter, type SlotSource } from './slots.js';

/** A task's constraints as it lives: compiled, with its runs per local day. */
export class SlotGate {
  readonly admission: Admission;
  /** Runs admitted per local day (days since the epoch); only today and later are kept. */
  readonly runsByDay = new Map<number, number>();
  /** Whether today's runs were read from the history (only a task with maxPerDay needs it). */
  loaded: boolean;
  loading: Promise<void> | undefined;
  /** The last deferral: the instant its run waits for, and why (describe()). */
  deferred: { untilMs: number; reason: string } | undefined;

  constructor(record: ConstraintsRecord) {
    this.admission = new Admission(record);
    this.loaded = record.maxPerDay === null;
  }

  count(atMs: number): void {
    const day = this.admission.dayOf(atMs);
    this.runsByDay.set(day, (this.runsByDay.get(day) ?? 0) + 1);
    if (this.runsByDay.size > 3) {
      for (const key of this.runsByDay.keys()) if (key < day - 1) this.runsByDay.delete(key);
    }
  }
}

/** A gate for a record's constraints, or undefined without them. */
export function gateOf(constraints: ConstraintsRecord | null | undefined): SlotGate | undefined {
  return constraints == null ? undefined : new SlotGate(constraints);
}

export type Decision = { start: 'skip'; nominalMs: number; reason: string } | { start: 'claim'; nominalMs: number };

interface GatedTask extends SlotSource {
  readonly record: SlotSource['record'] & { readonly id: string };
}

/**
 * The plan's runs and skips as decisions in nominal order, each run judged by
 * the gate (`hook`: the task's defined admit hook, if it names one).
 */
export function admitDueSlots(task: GatedTask, gate: SlotGate, run: readonly number[], skip: readonly SkippedSlot[], wallNowMs: number, hook: AdmitFn | undefined): Decision[] {
  const decisions: Decision[] = skip.map(({ nominalMs, reason }) => ({ start: 'skip', nominalMs, reason }));
  const runsOnDay = (day: number) => gate.runsByDay.get(day) ?? 0;
  const judgeAt = (nominalMs: number) => (atMs: number): Verdict =>
    gate.admission.judge(atMs, runsOnDay, hook === undefined ? undefined : (at, runsToday) => hook({ taskId: task.record.id, nominalMs, atMs: at, runsToday }));
  const defer = gate.admission.record.inadmissible === 'defer';
  // A hook's refusal sends a deferral to the schedule's next slot; a fixed-delay task's is a period on (its runs decide the rest).
  const { periodMs } = task.record;
  const nextSlot = task.record.scheduleKind === 'fixed-delay' && periodMs !== null
    ? (afterMs: number) => afterMs + periodMs
    : (afterMs: number) => firstSlotAfter(task, afterMs);
  for (let i = 0; i < run.length; i++) {
    const nominalMs = run[i] as number;
    const atMs = Math.max(nominalMs, wallNowMs);
    const verdict = judgeAt(nominalMs)(atMs);
    if (verdict.admitted) {
      gate.count(atMs);
      decisions.push({ start: 'claim', nominalMs });
      continue;
    }
    if (!defer) {
      decisions.push({ start: 'skip', nominalMs, reason: verdict.reason });
      continue;
    }
    const found = findAdmissible(atMs, judgeAt(nominalMs), nextSlot);
    if (found.atMs === null) {
      decisions.push({ start: 'skip', nominalMs, reason: `not deferred: ${found.reason}` });
      continue;
    }
    const untilMs = Math.ceil(found.atMs);
    // endAt bounds deferred runs too: none is moved past it (src/time/schedule-window.ts).
    const endAtMs = task.record.endAtMs ?? null;
    if (endAtMs !== null && untilMs > endAtMs) {
      decisions.push({ start: 'skip', nominalMs, reason: `not deferred: the next admissible instant (${new Date(untilMs).toISOString()}) is after endAt: ${verdict.reason}` });
      continue;
    }
    decisions.push({ start: 'skip', nominalMs, reason: `deferred to ${new Date(untilMs).toISOString()}: ${verdict.reason}` });
    // Due slots after this one fold into the deferred run too (a catch-up's several).
    for (const later of run.slice(i + 1)) decisions.push({ start: 'skip', nominalMs: later, reason: `folded into the run deferred to ${new Date(untilMs).toISOString()}` });
    gate.count(untilMs);
    gate.deferred = { untilMs, reason: verdict.reason };
    decisions.push({ start: 'claim', nominalMs: untilMs });
    break;
  }
  return decisions.sort((a, b) => a.nominalMs - b.nominalMs);
}

/** Outcomes of executions that ran (or run): what maxPerDay counts. */
const RAN = new Set<ExecutionRecord['outcome']>(['running', 'succeeded', 'failed', 'interrupted']);
const HISTORY_PAGE = 1000;

/** Counts today's scheduled runs of the task from the store's history into its gate (newest first, back to today's start). */
export async function loadDayRuns(store: Store, taskId: string, gate: SlotGate, wallNowMs: number): Promise<void> {
  const { admission } = gate;
  const today = admission.dayOf(wallNowMs);
  const startMs = admission.dayStartMs(today);
  let before: HistoryCursor | undefined;
  let count = 0;
  for (;;) {
    const page = await store.history(taskId, { limit: HISTORY_PAGE, ...(before === undefined ? {} : { before }) });
    let older = false;
    for (const e of page.executions) {
      if (e.nominalMs < startMs) {
        older = true;
        break;
      }
      if (!isManualSlot(e) && RAN.has(e.outcome)) count++;
    }
    if (older || page.next === null) break;
    before = page.next;
  }
  gate.runsByDay.set(today, Math.max(count, gate.runsByDay.get(today) ?? 0));
  gate.loaded = true;
}
