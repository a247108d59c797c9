// Types of check-chaos.mjs, for the TypeScript tests that use it.
export interface ChaosTask {
  id: string;
  kind: 'once' | 'fixed-rate' | 'fixed-delay' | 'cron';
  firstMs: number;
  periodMs?: number;
  delayMs?: number;
  maxExecutions?: number;
  /** A fixed-delay task's end: its chain runs until the first slot past it. */
  endAtMs?: number;
}

export interface ChaosRecord {
  taskId: string;
  nominalMs: number;
  outcome: string;
  attempt: number;
  fencingToken: number;
  startedAtMs: number | null;
  endedAtMs: number | null;
  skipReason: string | null;
}

export interface ChaosFaults {
  kills: Array<{ pid: number; atMs: number }>;
  pauses: Array<{ pid: number; fromMs: number; toMs: number }>;
  dbRestarts: Array<{ downAtMs: number; upAtMs: number }>;
}

export interface ChaosCheck {
  expectedRuns: number;
  succeeded: number;
  lost: number;
  lostSlots: string[];
  completedWithoutStart: number;
  duplicateStarts: {
    total: number; kill: number; pause: number; dbRestart: number; leaseLost: number; unexplained: number; earlierBodyHadEnded: number;
    /** The superseded attempt's body started after its successor's (its process resumed holding a claim it had lost). */
    startedAfterSuccessor: number;
    /** The two starts carried the same attempt number. */
    sameAttempt: number;
  };
  duplicateStartSlots: unknown[];
  duplicateCompletions: number;
  duplicateCompletionSlots: unknown[];
  committedWithoutLedgerLine: number;
  unfencedLateCompletions: number;
  unfencedLateCompletionSlots: unknown[];
  earlyStarts: number;
  earlyStartSlots: string[];
  fencedLateWrites: { total: number; byOperation: Record<string, number>; processes: number };
  leaseLostReports: number;
  storeErrors: number;
  cron: { tasks: number; seconds: number; runCounts: Record<string, number>; startCounts: Record<string, number>; notOnce: string[] };
  fixedDelay: { tasks: number; expectedRuns: number; runs: number; chainBreaks: number; breaks: string[] };
  byKind: Record<string, { expected: number; succeeded: number }>;
  tornLedgerLines: number;
  latenessMs: { p50: number | null; p99: number | null; max: number | null };
  latenessMsByKind: Record<string, { p50: number | null; p99: number | null; max: number | null }>;
}

export function checkChaos(input: { ledgerText: string; records: ChaosRecord[]; tasks: ChaosTask[]; faults: ChaosFaults; leaseMs: number }): ChaosCheck;
