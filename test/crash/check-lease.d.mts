// Types of check-lease.mjs, for the TypeScript tests that use it.
export interface LeaseCampaignTask {
  id: string;
  at?: number;
  every?: number;
  cron?: string;
  maxExecutions?: number;
}

export interface LeaseCampaignCheck {
  tasks: number;
  expectedRuns: number;
  succeeded: number;
  lost: number;
  lostSlots: string[];
  duplicateCompletions: number;
  duplicateStarts: { total: number; afterKill: number; afterPause: number; twoLiveOwners: number };
  earlyStarts: number;
  completionsAfterTakeover: number;
  fencedWrites: number;
  fencedByOperation: Record<string, number>;
  pausedOwnerLostLease: boolean;
  pausedOwnerReacquiredMs: number | null;
  ownership: string[];
  integrityCheck: string;
}

export function checkLeaseCampaign(options: {
  dbPath: string;
  ledgerPath: string;
  tasks: LeaseCampaignTask[];
  killedPid: number;
  pausedPid: number;
  pausedAtMs: number;
  resumedAtMs: number;
  afterPauseMs: number;
}): LeaseCampaignCheck;
