// Types of check-ledger.mjs, for the TypeScript tests that use it.
export interface CampaignTask {
  id: string;
  kind: 'once' | 'every';
  firstMs: number;
  periodMs?: number;
  maxExecutions?: number;
  /** The task's retry.attempts: a slot recorded failed below it lost its retry. */
  attempts?: number;
}

export interface CampaignCheck {
  expectedRuns: number;
  succeeded: number;
  lost: number;
  lostSlots: string[];
  completedWithoutStart: number;
  skippedByPolicy: number;
  skipReasons: Record<string, number>;
  deadLettered: number;
  /** Slots recorded failed with attempts left (also counted in lost). */
  retriesLost: number;
  /** Starts after a planned failure (an F line): retries, not duplicates. */
  retriesAfterFailure: number;
  duplicateStarts: { total: number; crashDuringBody: number; crashAfterBodyBeforeCompletion: number };
  duplicateCompletions: number;
  earlyStarts: number;
  resumedFromSavedState: number;
  tornLedgerLines: number;
  latenessMs: { p50: number | null; p99: number | null; max: number | null };
  integrityCheck: string;
}

export function checkCampaign(input: { dbPath: string; ledgerPath: string; manifest: { tasks: CampaignTask[] } }): CampaignCheck;
