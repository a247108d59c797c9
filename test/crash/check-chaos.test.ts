// The chaos campaign's checker catches what it must, each on a synthetic
// ledger and synthetic store records: a lost slot, a slot recorded done that
// never started, a duplicate completion, a completion committed by a
// superseded attempt, an early start (also a fixed-delay slot before its
// delay), a cron second run twice or not at all, a fixed-delay task short of
// its runs; and it tells the causes of duplicate starts apart. (A checker
// that cannot fail proves nothing.)
import { describe, expect, it } from 'vitest';
import { type ChaosRecord, type ChaosTask, checkChaos } from './check-chaos.mjs';

const lines: string[] = [];
const records: ChaosRecord[] = [];

/** One attempt of a slot: its start, end and committed end in the ledger. */
function attempt(taskId: string, nominalMs: number, n: number, pid: number, startMs: number, endMs: number): void {
  lines.push(`S ${taskId} ${nominalMs} ${n} ${pid} ${startMs}`, `E ${taskId} ${nominalMs} ${n} ${pid} ${endMs}`, `C ${taskId} ${nominalMs} ${n} ${pid} succeeded ${endMs + 1}`);
}

function record(taskId: string, nominalMs: number, n: number, outcome = 'succeeded', endedAtMs = nominalMs + 50): void {
  records.push({ taskId, nominalMs, outcome, attempt: n, fencingToken: 1024 * n, startedAtMs: nominalMs, endedAtMs, skipReason: outcome === 'skipped' ? 'missed' : null });
}

const once = (id: string, firstMs: number): ChaosTask => ({ id, kind: 'once', firstMs });

// a: its first process was SIGKILLed mid-body; the second attempt ran it.
lines.push('S a 1000 1 1 1010');
attempt('a', 1000, 2, 2, 3000, 3050);
record('a', 1000, 2);
// b: its process was SIGSTOPped mid-body past its lease; another ran it; the paused one's late end was refused.
lines.push('S b 1000 1 3 1005');
attempt('b', 1000, 2, 2, 3500, 3550);
lines.push('E b 1000 1 3 5010', 'F 3 finishClaimed 5020');
record('b', 1000, 2);
// c: cut off by the database's restart.
lines.push('S c 1000 1 4 1001');
attempt('c', 1000, 2, 2, 4000, 4050);
record('c', 1000, 2);
// d: its process reported itself declared dead (an L line), with no fault of the campaign's on it.
lines.push('S d 10000 1 5 10002', 'L 5 10500');
attempt('d', 10000, 2, 2, 11000, 11050);
record('d', 10000, 2);
// i: its first process was SIGSTOPped between its claim and its body's start, past its lease; another ran the second
// attempt; the stopped one, resumed, started the first attempt's body after that (its end was refused). The superseded
// start is the first attempt's, though it came second.
attempt('i', 10000, 2, 8, 12000, 12050);
lines.push('S i 10000 1 9 13500', 'E i 10000 1 9 13550', 'F 9 finishClaimed 13560');
record('i', 10000, 2);
// j: its process was SIGKILLed after the body started but before the start was recorded: the row was given back
// unstarted and ran elsewhere as the same attempt.
lines.push('S j 10000 1 10 10005');
attempt('j', 10000, 1, 11, 12000, 12050);
record('j', 10000, 1);
// e: two live processes ran it, and both committed their ends: a duplicate completion, the first by a superseded attempt.
attempt('e', 10000, 1, 6, 10001, 10050);
attempt('e', 10000, 2, 7, 10002, 10060);
record('e', 10000, 2);
// f: no record at all. g: recorded succeeded, never started. h: started before its time.
record('g', 10000, 1);
attempt('h', 10000, 1, 1, 9999, 10040);
record('h', 10000, 1);
// A per-second cron task: 20000 once (its process killed between the commit and the C line); 21000 committed,
// its process killed, run and committed again; 22000 skipped.
lines.push('S k 20000 1 1 20001', 'E k 20000 1 1 20020');
record('k', 20000, 1);
attempt('k', 21000, 1, 1, 21001, 21040);
attempt('k', 21000, 2, 2, 21500, 21540);
record('k', 21000, 2);
record('k', 22000, 1, 'skipped');
// A fixed-rate task, both slots run once.
for (const nominalMs of [30000, 30500]) {
  attempt('r', nominalMs, 1, 1, nominalMs + 5, nominalMs + 30);
  record('r', nominalMs, 1);
}
// A fixed-delay task (100 ms): its third slot came 50 ms before the delay after the second run's end.
for (const [nominalMs, endedAtMs] of [[40000, 40050], [40150, 40200], [40250, 40290]] as const) {
  attempt('fd', nominalMs, 1, 1, nominalMs + 1, endedAtMs);
  record('fd', nominalMs, 1, 'succeeded', endedAtMs);
}
// A fixed-delay task whose chain stopped after one run, before its end.
attempt('fd2', 50000, 1, 1, 50001, 50040);
record('fd2', 50000, 1, 'succeeded', 50040);
// Lines a kill cut short, a store error.
lines.push('S x 5', 'C k 20000 1', 'X 2 claimDue 2500');

const tasks: ChaosTask[] = [
  ...['a', 'b', 'c'].map((id) => once(id, 1000)),
  ...['d', 'e', 'f', 'g', 'h', 'i', 'j'].map((id) => once(id, 10000)),
  { id: 'k', kind: 'cron', firstMs: 20000, maxExecutions: 3 },
  { id: 'r', kind: 'fixed-rate', firstMs: 30000, periodMs: 500, maxExecutions: 2 },
  { id: 'fd', kind: 'fixed-delay', firstMs: 40000, delayMs: 100, endAtMs: 40300 },
  { id: 'fd2', kind: 'fixed-delay', firstMs: 50000, delayMs: 100, endAtMs: 50500 },
];
const faults = {
  kills: [{ pid: 1, atMs: 1050 }, { pid: 1, atMs: 21100 }, { pid: 10, atMs: 10100 }],
  pauses: [{ pid: 3, fromMs: 1100, toMs: 5000 }, { pid: 9, fromMs: 10100, toMs: 13400 }],
  dbRestarts: [{ downAtMs: 2000, upAtMs: 3000 }],
};

describe('the chaos campaign checker', () => {
  const report = checkChaos({ ledgerText: lines.join('\n'), records, tasks, faults, leaseMs: 2000 });

  it('counts lost slots: no record, recorded without a start, a skipped cron second, a fixed-delay chain stopped before its end', () => {
    expect(report.expectedRuns).toBe(20);
    expect(report.lost).toBe(4);
    expect(report.completedWithoutStart).toBe(1);
    expect(report.lostSlots).toEqual([
      'f 10000: no record',
      'g 10000: succeeded without a start in the ledger',
      'k 22000: skipped (missed)',
      'fd2: the chain stopped after 1 runs (next due 50140, end 50500)',
    ]);
    expect(report.succeeded).toBe(16);
  });

  it('tells duplicate starts apart by what cut the superseded one off, the lower attempt even when it started later', () => {
    expect(report.duplicateStarts).toEqual({
      total: 8, kill: 3, pause: 2, dbRestart: 1, leaseLost: 1, unexplained: 1, earlierBodyHadEnded: 1, startedAfterSuccessor: 1, sameAttempt: 1,
    });
    const slots = report.duplicateStartSlots as Array<{ slot: string; cause: string }>;
    expect(slots.filter((s) => s.cause === 'unexplained').map((s) => s.slot)).toEqual(['e 10000']);
  });

  it('counts duplicate completions and completions committed by a superseded attempt', () => {
    expect(report.duplicateCompletions).toBe(2);
    expect(report.unfencedLateCompletions).toBe(2);
  });

  it('counts early starts, a fixed-delay slot before its delay among them, and the chain break', () => {
    expect(report.earlyStarts).toBe(2);
    expect(report.earlyStartSlots).toEqual(['h 10000: started at 9999 by 1 (attempt 1), 1 ms early', 'fd 40250: 50 ms before the delay after the run before ended']);
    expect(report.fixedDelay).toEqual({ tasks: 2, expectedRuns: 4, runs: 4, chainBreaks: 1, breaks: ['fd: slot 40250 where 40300 was due'] });
  });

  it("reports each cron second's run count, the store's record standing for a committed end whose C line a kill cut off", () => {
    expect(report.committedWithoutLedgerLine).toBe(1);
    expect(report.cron.seconds).toBe(3);
    expect(report.cron.runCounts).toEqual({ 0: 1, 1: 1, 2: 1 });
    expect(report.cron.notOnce).toEqual(['k 21000: 2 runs', 'k 22000: 0 runs']);
  });

  it('counts fenced writes, lost leases, store errors and torn lines', () => {
    expect(report.fencedLateWrites).toEqual({ total: 2, byOperation: { finishClaimed: 2 }, processes: 2 });
    expect(report.leaseLostReports).toBe(1);
    expect(report.storeErrors).toBe(1);
    expect(report.tornLedgerLines).toBe(2);
  });

  it('finds nothing wrong in a clean ledger', () => {
    const clean = checkChaos({
      ledgerText: ['S r 30000 1 1 30005', 'E r 30000 1 1 30030', 'C r 30000 1 1 succeeded 30031'].join('\n'),
      records: [{ taskId: 'r', nominalMs: 30000, outcome: 'succeeded', attempt: 1, fencingToken: 1024, startedAtMs: 30000, endedAtMs: 30030, skipReason: null }],
      tasks: [{ id: 'r', kind: 'fixed-rate', firstMs: 30000, periodMs: 500, maxExecutions: 1 }],
      faults: { kills: [], pauses: [], dbRestarts: [] },
      leaseMs: 2000,
    });
    expect(clean).toMatchObject({ expectedRuns: 1, succeeded: 1, lost: 0, duplicateCompletions: 0, unfencedLateCompletions: 0, earlyStarts: 0, tornLedgerLines: 0 });
    expect(clean.duplicateStarts.total).toBe(0);
  });
});
