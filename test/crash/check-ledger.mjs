// The crash campaign's checker: matches the expected slots against the
// execution ledger (kept outside the database by the task bodies, see
// child.mjs) and the database's own records, and runs PRAGMA integrity_check.
//
// Definitions (each reported with its denominator, the expected runs):
// - lost: an expected slot that has neither a succeeded nor a skipped record,
//   or whose succeeded record has no start in the ledger (recorded as run,
//   never started), plus the runs a recurring task is short of its count;
// - skipped by policy: slots recorded as skipped (missed-run policy), by reason;
// - dead-lettered: slots that ended failed after their last attempt;
// - retries lost: slots that ended failed with attempts left (a failed
//   attempt's retry never ran): counted as lost too;
// - duplicate starts: a slot started more than once, by cause: the earlier
//   start never ended (a crash during the body) or ended but its completion
//   was never committed (a crash after the body, before the completion); a
//   start after a planned failure (an F line) is the retry, not a duplicate;
// - duplicate completions: a slot whose completion was committed (reported by
//   the scheduler, a C line) more than once, or with two records in the store;
// - early starts: a start whose wall time is before the slot's nominal time.
import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';

function parseLedger(path) {
  const slots = new Map();
  const slotOf = (taskId, nominalMs) => {
    const key = `${taskId} ${nominalMs}`;
    let slot = slots.get(key);
    if (slot === undefined) slots.set(key, (slot = { starts: [], ends: [], commits: [], fails: [] }));
    return slot;
  };
  let torn = 0;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line === '') continue;
    const [kind, taskId, nominal, attempt, fourth, fifth] = line.split(' ');
    // A line cut short by a kill mid-write: the append was never acknowledged.
    if (fourth === undefined) {
      torn++;
      continue;
    }
    const slot = slotOf(taskId, Number(nominal));
    if (kind === 'S') slot.starts.push({ attempt: Number(attempt), wallMs: Number(fourth), resumed: fifth === '1' });
    else if (kind === 'E') slot.ends.push({ attempt: Number(attempt), wallMs: Number(fourth) });
    else if (kind === 'F') slot.fails.push({ attempt: Number(attempt), wallMs: Number(fourth) });
    else if (kind === 'C') slot.commits.push({ attempt: Number(attempt), outcome: fourth });
  }
  return { slots, torn };
}

function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/**
 * @param manifest { tasks: [{ id, kind: 'once'|'every', firstMs, periodMs, maxExecutions }] }
 */
export function checkCampaign({ dbPath, ledgerPath, manifest }) {
  const { slots: ledger, torn } = parseLedger(ledgerPath);
  const db = new Database(dbPath, { readonly: true });
  const integrity = db.pragma('integrity_check', { simple: true });
  const records = new Map();
  let storeDuplicates = 0;
  for (const row of db.prepare('SELECT task_id, nominal_ms, outcome, skip_reason, attempt FROM executions').all()) {
    const key = `${row.task_id} ${row.nominal_ms}`;
    if (records.has(key)) storeDuplicates++;
    records.set(key, row);
  }
  db.close();

  const report = {
    expectedRuns: 0,
    succeeded: 0,
    lost: 0,
    lostSlots: [],
    completedWithoutStart: 0,
    skippedByPolicy: 0,
    skipReasons: {},
    deadLettered: 0,
    retriesLost: 0,
    retriesAfterFailure: 0,
    duplicateStarts: { total: 0, crashDuringBody: 0, crashAfterBodyBeforeCompletion: 0 },
    duplicateCompletions: storeDuplicates,
    earlyStarts: 0,
    resumedFromSavedState: 0,
    tornLedgerLines: torn,
    latenessMs: { p50: null, p99: null, max: null },
    integrityCheck: integrity,
  };
  const lateness = [];

  const checkSlot = (taskId, nominalMs) => {
    const key = `${taskId} ${nominalMs}`;
    const record = records.get(key);
    const slot = ledger.get(key) ?? { starts: [], ends: [], commits: [], fails: [] };
    for (const start of slot.starts) {
      if (start.wallMs < nominalMs) report.earlyStarts++;
      if (start.resumed) report.resumedFromSavedState++;
    }
    if (slot.starts.length > 0) lateness.push(Math.min(...slot.starts.map((s) => s.wallMs)) - nominalMs);
    // Every start after the first is a duplicate; its cause is how the one before it ended.
    const starts = [...slot.starts].sort((a, b) => a.attempt - b.attempt);
    for (let i = 1; i < starts.length; i++) {
      if (slot.fails.some((f) => f.attempt === starts[i - 1].attempt)) {
        report.retriesAfterFailure++;
        continue;
      }
      report.duplicateStarts.total++;
      const ended = slot.ends.some((e) => e.attempt === starts[i - 1].attempt);
      if (ended) report.duplicateStarts.crashAfterBodyBeforeCompletion++;
      else report.duplicateStarts.crashDuringBody++;
    }
    if (slot.commits.filter((c) => c.outcome === 'succeeded').length > 1) report.duplicateCompletions++;
    return { record, slot };
  };
  /** A failed record with attempts left: its retry was lost. */
  const retryLost = (task, record, nominalMs) => {
    if (record?.outcome !== 'failed' || task.attempts === undefined || record.attempt >= task.attempts) return false;
    report.retriesLost++;
    report.lost++;
    report.lostSlots.push(`${task.id}@${nominalMs}:failed at attempt ${record.attempt} of ${task.attempts}`);
    return true;
  };

  for (const task of manifest.tasks) {
    if (task.kind === 'once') {
      report.expectedRuns++;
      const { record, slot } = checkSlot(task.id, task.firstMs);
      if (record?.outcome === 'succeeded') {
        report.succeeded++;
        if (slot.starts.length === 0) {
          report.completedWithoutStart++;
          report.lost++;
        }
      } else if (record?.outcome === 'skipped') {
        report.skippedByPolicy++;
        report.skipReasons[record.skip_reason] = (report.skipReasons[record.skip_reason] ?? 0) + 1;
      } else if (record?.outcome === 'failed') {
        if (!retryLost(task, record, task.firstMs)) report.deadLettered++;
      } else {
        report.lost++;
        report.lostSlots.push(`${task.id}@${task.firstMs}:${record?.outcome ?? 'no record'}`);
      }
      continue;
    }
    report.expectedRuns += task.maxExecutions;
    let ran = 0;
    // Walk the grid until the task's runs are all accounted for (or far past where they could be).
    for (let k = 0; ran < task.maxExecutions && k < task.maxExecutions * 100; k++) {
      const nominalMs = task.firstMs + k * task.periodMs;
      const { record, slot } = checkSlot(task.id, nominalMs);
      if (record?.outcome === 'succeeded' || record?.outcome === 'failed') {
        ran++;
        if (record.outcome === 'failed') {
          if (!retryLost(task, record, nominalMs)) report.deadLettered++;
        } else report.succeeded++;
        if (record.outcome === 'succeeded' && slot.starts.length === 0) {
          report.completedWithoutStart++;
          report.lost++;
        }
      } else if (record?.outcome === 'skipped') {
        report.skippedByPolicy++;
        report.skipReasons[record.skip_reason] = (report.skipReasons[record.skip_reason] ?? 0) + 1;
      } else {
        // A slot with no final record: lost, unless the task's runs were all done before it.
        report.lost++;
        report.lostSlots.push(`${task.id}@${nominalMs}:${record?.outcome ?? 'no record'}`);
        ran++;
      }
    }
  }
  lateness.sort((a, b) => a - b);
  report.latenessMs = { p50: percentile(lateness, 50), p99: percentile(lateness, 99), max: lateness.at(-1) ?? null };
  report.lostSlots = report.lostSlots.slice(0, 20);
  return report;
}
