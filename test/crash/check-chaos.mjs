// The chaos campaign's checker (chaos-campaign.mjs): the expected slots of the
// campaign's tasks against the ledger the bodies kept outside the database
// (chaos-child.mjs) and the store's execution records, read back at the end.
// A pure function: the campaign reads the records from PostgreSQL, the test
// hands it synthetic ones (check-chaos.test.ts).
//
// Expected slots: a one-off's one slot; a fixed-rate task's first
// maxExecutions slots on its grid; a per-second cron task's first
// maxExecutions seconds; a fixed-delay task's chain of runs, each slot its
// delay after the end of the run before, from its registered first slot
// until the first slot past its endAt (read from the records: its length
// depends on how long the runs took).
//
// Reported (each with its denominator where it has one):
// - lost: an expected slot with no succeeded record (none, skipped, failed,
//   still open), or recorded succeeded with no start in the ledger; a
//   fixed-delay chain that stopped before its end;
// - duplicate starts, by cause of the superseded start's loss: its process
//   was SIGKILLed, was SIGSTOPped, lost its lease through the PostgreSQL
//   restart, lost its lease otherwise (it reported that, an L line, or a write
//   of it was refused, an F line), or none of these (unexplained: two live
//   processes ran the slot). The superseded start is the one of the lower
//   attempt (a slot is claimed again only once the claim before lost its
//   lease), not the earlier one: a process stopped between its claim and its
//   body's start starts it when it resumes, after the attempt that superseded
//   it (startedAfterSuccessor; the runner checks its lease before a start to
//   keep this to a stop inside that check, claimed-runs.ts); and the pairs
//   whose two starts carry the same attempt number (sameAttempt: C3 asks for
//   a higher one; a row given back unstarted after its body started, as a
//   local-queue row whose start mark was not yet written, runs again as the
//   same attempt);
// - duplicate completions: a slot whose successful end was reported committed
//   (a C line) more than once; the store's succeeded record counts as one
//   when its attempt has no C line (the process died between the commit and
//   the append: committedWithoutLedgerLine);
// - unfenced late completions: a successful end reported committed by an
//   attempt other than the one the store's record holds (a late write that
//   fencing should have refused);
// - early starts: a start before the slot's nominal time (for a fixed-delay
//   task: also a slot less than its delay after the run before ended);
// - fenced late writes: the writes the store refused (F lines), by operation;
// - each cron second's run count (successful ends committed), as a histogram.

/** Parses the ledger; a line cut short by a kill mid-write (fewer fields than its kind has) is counted as torn. */
export function parseChaosLedger(text) {
  const slots = new Map();
  const slotOf = (taskId, nominalMs) => {
    const key = `${taskId} ${nominalMs}`;
    let slot = slots.get(key);
    if (slot === undefined) slots.set(key, (slot = { starts: [], ends: [], commits: [] }));
    return slot;
  };
  const fenced = [];
  const leaseLost = [];
  const storeErrors = [];
  let torn = 0;
  const FIELDS = { S: 6, E: 6, C: 7, F: 4, L: 3, X: 4, R: 3 };
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const f = line.split(' ');
    if (f.length !== FIELDS[f[0]] || f.slice(1).some((x) => x === '')) {
      torn++;
      continue;
    }
    if (f[0] === 'S') slotOf(f[1], Number(f[2])).starts.push({ attempt: Number(f[3]), pid: Number(f[4]), wallMs: Number(f[5]) });
    else if (f[0] === 'E') slotOf(f[1], Number(f[2])).ends.push({ attempt: Number(f[3]), pid: Number(f[4]), wallMs: Number(f[5]) });
    else if (f[0] === 'C') slotOf(f[1], Number(f[2])).commits.push({ attempt: Number(f[3]), pid: Number(f[4]), outcome: f[5], wallMs: Number(f[6]) });
    else if (f[0] === 'F') fenced.push({ pid: Number(f[1]), operation: f[2], wallMs: Number(f[3]) });
    else if (f[0] === 'L') leaseLost.push({ pid: Number(f[1]), wallMs: Number(f[2]) });
    else if (f[0] === 'X') storeErrors.push({ pid: Number(f[1]), operation: f[2], wallMs: Number(f[3]) });
  }
  return { slots, fenced, leaseLost, storeErrors, torn };
}

function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const LIST_MAX = 20;
const push = (list, item) => {
  if (list.length < LIST_MAX) list.push(item);
};

/**
 * @param input.ledgerText  the ledger (chaos-child.mjs's format)
 * @param input.records     the store's executions: { taskId, nominalMs, outcome, attempt, fencingToken, startedAtMs, endedAtMs, skipReason }
 * @param input.tasks       { id, kind: 'once'|'fixed-rate'|'fixed-delay'|'cron', firstMs, periodMs?, delayMs?, maxExecutions? }
 * @param input.faults      { kills: [{ pid, atMs }], pauses: [{ pid, fromMs, toMs }], dbRestarts: [{ downAtMs, upAtMs }] }
 * @param input.leaseMs     the processes' lease: a restart that began up to a lease before a start can still cost that start its lease
 */
export function checkChaos({ ledgerText, records, tasks, faults, leaseMs }) {
  const { slots: ledger, fenced, leaseLost, storeErrors, torn } = parseChaosLedger(ledgerText);
  const byKey = new Map();
  const byTask = new Map();
  let storeDuplicates = 0;
  for (const record of records) {
    const key = `${record.taskId} ${record.nominalMs}`;
    if (byKey.has(key)) storeDuplicates++;
    byKey.set(key, record);
    if (!byTask.has(record.taskId)) byTask.set(record.taskId, []);
    byTask.get(record.taskId).push(record);
  }
  const report = {
    expectedRuns: 0,
    succeeded: 0,
    lost: 0,
    lostSlots: [],
    completedWithoutStart: 0,
    duplicateStarts: { total: 0, kill: 0, pause: 0, dbRestart: 0, leaseLost: 0, unexplained: 0, earlierBodyHadEnded: 0, startedAfterSuccessor: 0, sameAttempt: 0 },
    duplicateStartSlots: [],
    duplicateCompletions: storeDuplicates,
    duplicateCompletionSlots: [],
    committedWithoutLedgerLine: 0,
    unfencedLateCompletions: 0,
    unfencedLateCompletionSlots: [],
    earlyStarts: 0,
    earlyStartSlots: [],
    fencedLateWrites: { total: fenced.length, byOperation: {}, processes: new Set(fenced.map((f) => f.pid)).size },
    leaseLostReports: leaseLost.length,
    storeErrors: storeErrors.length,
    cron: { tasks: 0, seconds: 0, runCounts: {}, startCounts: {}, notOnce: [] },
    fixedDelay: { tasks: 0, expectedRuns: 0, runs: 0, chainBreaks: 0, breaks: [] },
    byKind: {},
    tornLedgerLines: torn,
    latenessMs: { p50: null, p99: null, max: null },
    latenessMsByKind: {},
  };
  for (const f of fenced) report.fencedLateWrites.byOperation[f.operation] = (report.fencedLateWrites.byOperation[f.operation] ?? 0) + 1;
  const lateness = [];
  const latenessByKind = {};

  /**
   * Why a start was superseded by its successor (a start of a later attempt, or of the same one): the first fault of
   * its process between the two starts, whichever came first.
   */
  const causeOf = (superseded, successor) => {
    const fromMs = Math.min(superseded.wallMs, successor.wallMs);
    const toMs = Math.max(superseded.wallMs, successor.wallMs);
    const { pid } = superseded;
    if (faults.kills.some((k) => k.pid === pid && k.atMs >= fromMs && k.atMs <= toMs)) return 'kill';
    if (faults.pauses.some((p) => p.pid === pid && p.fromMs <= toMs && p.toMs >= fromMs)) return 'pause';
    if (faults.dbRestarts.some((r) => r.downAtMs <= toMs && r.upAtMs + leaseMs >= fromMs)) return 'dbRestart';
    // Declared dead with no fault of the campaign's on it (starved of CPU past its lease): it said so, or a write of it was refused.
    if ([...leaseLost, ...fenced].some((l) => l.pid === pid && l.wallMs >= fromMs)) return 'leaseLost';
    return 'unexplained';
  };

  /** Checks one expected slot; returns whether it ran (a succeeded record with a start) and its committed successful ends. */
  const checkSlot = (task, nominalMs) => {
    const key = `${task.id} ${nominalMs}`;
    const record = byKey.get(key);
    const slot = ledger.get(key) ?? { starts: [], ends: [], commits: [] };
    const kind = (report.byKind[task.kind] ??= { expected: 0, succeeded: 0 });
    kind.expected++;
    report.expectedRuns++;
    for (const start of slot.starts) {
      if (start.wallMs < nominalMs) {
        report.earlyStarts++;
        push(report.earlyStartSlots, `${key}: started at ${start.wallMs} by ${start.pid} (attempt ${start.attempt}), ${nominalMs - start.wallMs} ms early`);
      }
    }
    if (slot.starts.length > 0) {
      const lateMs = Math.min(...slot.starts.map((s) => s.wallMs)) - nominalMs;
      lateness.push(lateMs);
      (latenessByKind[task.kind] ??= []).push(lateMs);
    }
    // In the order of the attempts (see the header), then of time.
    const starts = [...slot.starts].sort((a, b) => a.attempt - b.attempt || a.wallMs - b.wallMs);
    for (let i = 1; i < starts.length; i++) {
      const superseded = starts[i - 1];
      const successor = starts[i];
      const cause = causeOf(superseded, successor);
      report.duplicateStarts.total++;
      report.duplicateStarts[cause]++;
      if (superseded.wallMs > successor.wallMs) report.duplicateStarts.startedAfterSuccessor++;
      if (superseded.attempt === successor.attempt) report.duplicateStarts.sameAttempt++;
      if (slot.ends.some((e) => e.pid === superseded.pid && e.attempt === superseded.attempt && e.wallMs <= successor.wallMs)) report.duplicateStarts.earlierBodyHadEnded++;
      if (cause === 'unexplained' || report.duplicateStartSlots.length < 5) {
        push(report.duplicateStartSlots, { slot: key, cause, starts, commits: slot.commits, record: record ?? null });
      }
    }
    const successes = slot.commits.filter((c) => c.outcome === 'succeeded');
    // The store's record counts as a committed end when its attempt started here but its C line is missing:
    // the process was killed (or paused, then killed) between the commit and the append.
    if (record?.outcome === 'succeeded' && slot.starts.some((s) => s.attempt === record.attempt) && !successes.some((c) => c.attempt === record.attempt)) {
      report.committedWithoutLedgerLine++;
      successes.push({ attempt: record.attempt, pid: null, outcome: 'succeeded', wallMs: record.endedAtMs });
    }
    if (successes.length > 1) {
      report.duplicateCompletions++;
      push(report.duplicateCompletionSlots, { slot: key, commits: successes, record: record ?? null });
    }
    for (const commit of successes) {
      if (record !== undefined && commit.attempt !== record.attempt) {
        report.unfencedLateCompletions++;
        push(report.unfencedLateCompletionSlots, { slot: key, commit, record });
      }
    }
    const ran = record?.outcome === 'succeeded' && slot.starts.length > 0;
    if (ran) {
      report.succeeded++;
      kind.succeeded++;
    } else {
      report.lost++;
      if (record?.outcome === 'succeeded') report.completedWithoutStart++;
      push(report.lostSlots, `${key}: ${record === undefined ? 'no record' : record.outcome}${record?.skipReason ? ` (${record.skipReason})` : ''}${record?.outcome === 'succeeded' ? ' without a start in the ledger' : ''}`);
    }
    return { ran, successes: successes.length, starts: slot.starts.length };
  };

  for (const task of tasks) {
    if (task.kind === 'once') {
      checkSlot(task, task.firstMs);
    } else if (task.kind === 'fixed-rate' || task.kind === 'cron') {
      const periodMs = task.kind === 'cron' ? 1000 : task.periodMs;
      if (task.kind === 'cron') report.cron.tasks++;
      for (let k = 0; k < task.maxExecutions; k++) {
        const nominalMs = Math.round(task.firstMs + k * periodMs);
        const { successes, starts } = checkSlot(task, nominalMs);
        if (task.kind !== 'cron') continue;
        report.cron.seconds++;
        report.cron.runCounts[successes] = (report.cron.runCounts[successes] ?? 0) + 1;
        report.cron.startCounts[starts] = (report.cron.startCounts[starts] ?? 0) + 1;
        if (successes !== 1) push(report.cron.notOnce, `${task.id} ${nominalMs}: ${successes} runs`);
      }
    } else {
      // Fixed delay: the chain the records hold, from the registered first slot, each slot its delay after the end of
      // the run before, until the first slot past endAtMs (the task's end). Its length comes from the runs' own times.
      report.fixedDelay.tasks++;
      const records = (byTask.get(task.id) ?? []).sort((a, b) => a.nominalMs - b.nominalMs);
      let expectedMs = task.firstMs;
      for (const record of records) {
        if (record.nominalMs < expectedMs - 1) {
          report.earlyStarts++;
          push(report.earlyStartSlots, `${task.id} ${record.nominalMs}: ${expectedMs - record.nominalMs} ms before the delay after the run before ended`);
        }
        if (Math.abs(record.nominalMs - expectedMs) > 1) {
          report.fixedDelay.chainBreaks++;
          push(report.fixedDelay.breaks, `${task.id}: slot ${record.nominalMs} where ${expectedMs} was due`);
        }
        report.fixedDelay.expectedRuns++;
        if (checkSlot(task, record.nominalMs).ran) report.fixedDelay.runs++;
        expectedMs = Math.round((record.endedAtMs ?? Number.NaN) + task.delayMs);
      }
      // The chain stopped before its end: the run due next is lost.
      if (!(expectedMs > task.endAtMs)) {
        const kind = (report.byKind[task.kind] ??= { expected: 0, succeeded: 0 });
        kind.expected++;
        report.expectedRuns++;
        report.lost++;
        push(report.lostSlots, `${task.id}: the chain stopped after ${records.length} runs (next due ${expectedMs}, end ${task.endAtMs})`);
      }
    }
  }
  const summary = (list) => {
    list.sort((a, b) => a - b);
    return { p50: percentile(list, 50), p99: percentile(list, 99), max: list.at(-1) ?? null };
  };
  report.latenessMs = summary(lateness);
  report.latenessMsByKind = Object.fromEntries(Object.entries(latenessByKind).map(([kind, list]) => [kind, summary(list)]));
  return report;
}
