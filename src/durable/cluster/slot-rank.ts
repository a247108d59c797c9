// The claim order of a cluster's pending rows: a slot's rank is its nominal
// time plus its priority class's deadline, so claimDue() takes the most
// urgent first across classes the way the core's deadline policy orders what
// one process holds (a critical slot due now ahead of a background one due a
// little earlier). The defaults are the core's (assembly/keys.ts
// resetDeadlines); a scheduler's `deadlinesMs` overrides them. Processes with
// different overrides rank their own offers by their own table: the rank is
// fixed when a row is offered.
import type { PriorityName } from '../../tasks/priorities.js';
import { PRIORITY_NAMES } from '../../tasks/priorities.js';

/** The core's class deadlines, by class number (critical .. background), in ms. */
const CORE_DEADLINES_MS: readonly number[] = Object.freeze([0, 250, 1_000, 10_000, 60_000]);

/** Each priority's deadline in ms: the core's defaults with the scheduler's overrides ([class, ms] pairs). */
export function classDeadlinesMs(overrides: ReadonlyArray<readonly [number, number]>): ReadonlyMap<PriorityName, number> {
  const byClass = [...CORE_DEADLINES_MS];
  for (const [cls, ms] of overrides) byClass[cls] = ms;
  return new Map(PRIORITY_NAMES.map((name, cls) => [name, byClass[cls] as number]));
}

/** A slot's rank: its nominal time plus its class's deadline. */
export function slotRankMs(nominalMs: number, priority: PriorityName, deadlinesMs: ReadonlyMap<PriorityName, number>): number {
  return nominalMs + (deadlinesMs.get(priority) ?? 1_000);
}
