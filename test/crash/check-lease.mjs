// The lease campaign's checker (lease-campaign.mjs): the expected slots
// against the database's records and the ledger the bodies kept.
//
// - lost: an expected slot without a final record (succeeded, failed, or
//   skipped with its reason), or recorded succeeded without a start in the ledger;
// - duplicate completions: a slot whose completion was reported committed (C)
//   more than once, or with two records in the store (must be 0);
// - duplicate starts, by cause: the earlier start was in the process that was
//   killed, or in the one that was paused (at-least-once: its attempt was cut
//   off and retried by the new owner), or in neither: two live owners running
//   the same slot (must be 0);
// - early starts: a start before the slot's nominal time (must be 0);
// - completions after the takeover: the paused process reported a completion
//   committed whose end it measured after the other process took the store
//   over and before it acquired the lease again itself (a loaded machine can
//   starve the new owner's heartbeat, and the resumed process then rightly
//   takes the store back with a newer epoch): a write fencing should have
//   refused (must be 0);
// - fenced writes: the writes of the paused process the store refused after it resumed.
import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';

function parseLedger(path) {
  const slots = new Map();
  const slotOf = (key) => {
    let slot = slots.get(key);
    if (slot === undefined) slots.set(key, (slot = { starts: [], commits: [] }));
    return slot;
  };
  const fenced = [];
  const lost = [];
  const acquired = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const f = line.split(' ');
    if (f[0] === 'S' && f.length === 6) slotOf(`${f[1]} ${f[2]}`).starts.push({ attempt: Number(f[3]), pid: Number(f[4]), wallMs: Number(f[5]) });
    else if (f[0] === 'C' && f.length === 6) slotOf(`${f[1]} ${f[2]}`).commits.push({ attempt: Number(f[3]), pid: Number(f[4]), outcome: f[5] });
    else if (f[0] === 'F' && f.length === 4) fenced.push({ pid: Number(f[1]), operation: f[2], wallMs: Number(f[3]) });
    else if (f[0] === 'L' && f.length === 3) lost.push({ pid: Number(f[1]), wallMs: Number(f[2]) });
    else if (f[0] === 'A' && f.length === 5) acquired.push({ pid: Number(f[1]), epoch: Number(f[2]), wallMs: Number(f[3]) });
  }
  return { slots, fenced, lost, acquired };
}

/** The nominal slots a task is expected to run: one for a one-off, its first maxExecutions for a recurring one. */
function expectedSlots(task, record) {
  if (task.at !== undefined) return [Math.round(task.at)];
  if (task.every !== undefined) {
    const first = Math.round(record.created_at_ms + task.every);
    return Array.from({ length: task.maxExecutions }, (_, k) => first + k * task.every);
  }
  // '* * * * * *': every whole second after the registration.
  const first = Math.floor(record.created_at_ms / 1000) * 1000 + 1000;
  return Array.from({ length: task.maxExecutions }, (_, k) => first + k * 1000);
}

export function checkLeaseCampaign({ dbPath, ledgerPath, tasks, killedPid, pausedPid, afterPauseMs }) {
  const { slots: ledger, fenced, lost: lostLease, acquired } = parseLedger(ledgerPath);
  // The paused process owns the store again from here on (its next acquisition after the takeover), if it does.
  const pausedReacquiredMs = acquired.find((a) => a.pid === pausedPid && a.wallMs > afterPauseMs)?.wallMs;
  const fencedWindow = (endedAtMs) => endedAtMs > afterPauseMs && (pausedReacquiredMs === undefined || endedAtMs < pausedReacquiredMs);
  const db = new Database(dbPath, { readonly: true });
  const integrity = db.pragma('integrity_check', { simple: true });
  const records = new Map();
  let storeDuplicates = 0;
  for (const row of db.prepare('SELECT task_id, nominal_ms, outcome, ended_at_ms FROM executions').all()) {
    const key = `${row.task_id} ${row.nominal_ms}`;
    if (records.has(key)) storeDuplicates++;
    records.set(key, row);
  }
  const taskRows = new Map(db.prepare('SELECT id, created_at_ms FROM tasks').all().map((r) => [r.id, r]));
  db.close();

  const report = {
    tasks: tasks.length,
    expectedRuns: 0,
    succeeded: 0,
    lost: 0,
    lostSlots: [],
    duplicateCompletions: storeDuplicates,
    duplicateStarts: { total: 0, afterKill: 0, afterPause: 0, twoLiveOwners: 0 },
    /** The first slots started more than once, with their starts and commits, to see why. */
    duplicateStartSlots: [],
    earlyStarts: 0,
    completionsAfterTakeover: 0,
    fencedWrites: 0,
    fencedByOperation: {},
    pausedOwnerLostLease: lostLease.some((l) => l.pid === pausedPid),
    /** When the paused process acquired the lease again after the takeover (wall ms), or null. */
    pausedOwnerReacquiredMs: pausedReacquiredMs ?? null,
    /** Every acquisition and loss of the lease, in ledger order: who owned the store when. */
    ownership: [...acquired.map((a) => `A ${a.pid} epoch ${a.epoch} at ${a.wallMs}`), ...lostLease.map((l) => `L ${l.pid} at ${l.wallMs}`)],
    integrityCheck: integrity,
  };
  for (const f of fenced) {
    if (f.pid !== pausedPid) continue;
    report.fencedWrites++;
    report.fencedByOperation[f.operation] = (report.fencedByOperation[f.operation] ?? 0) + 1;
  }
  for (const task of tasks) {
    const row = taskRows.get(task.id);
    if (row === undefined) {
      report.lost += task.maxExecutions ?? 1;
      report.lostSlots.push(`${task.id}: no task record`);
      continue;
    }
    for (const nominalMs of expectedSlots(task, row)) {
      report.expectedRuns++;
      const key = `${task.id} ${nominalMs}`;
      const record = records.get(key);
      const slot = ledger.get(key) ?? { starts: [], commits: [] };
      for (const start of slot.starts) if (start.wallMs < nominalMs) report.earlyStarts++;
      const starts = [...slot.starts].sort((a, b) => a.attempt - b.attempt || a.wallMs - b.wallMs);
      if (starts.length > 1 && report.duplicateStartSlots.length < 10) {
        report.duplicateStartSlots.push({ slot: key, starts, commits: slot.commits, ended: record?.ended_at_ms });
      }
      for (let i = 1; i < starts.length; i++) {
        report.duplicateStarts.total++;
        const before = starts[i - 1].pid;
        if (before === killedPid) report.duplicateStarts.afterKill++;
        else if (before === pausedPid) report.duplicateStarts.afterPause++;
        else report.duplicateStarts.twoLiveOwners++;
      }
      if (slot.commits.filter((c) => c.outcome === 'succeeded').length > 1) report.duplicateCompletions++;
      for (const commit of slot.commits) {
        if (commit.pid === pausedPid && record !== undefined && fencedWindow(record.ended_at_ms)) report.completionsAfterTakeover++;
      }
      if (record?.outcome === 'succeeded' && slot.starts.length > 0) report.succeeded++;
      else if (record?.outcome === 'failed' || record?.outcome === 'skipped') report.succeeded += 0;
      else {
        report.lost++;
        report.lostSlots.push(`${key}: ${record?.outcome ?? 'no record'}${record?.outcome === 'succeeded' ? ' without a start' : ''}`);
      }
    }
  }
  report.lostSlots = report.lostSlots.slice(0, 20);
  return report;
}
