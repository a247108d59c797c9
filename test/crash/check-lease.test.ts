// The lease campaign's checker counts a completion the paused process
// committed after the takeover as a fencing failure, but not one it committed
// after it legitimately took the store back with a newer epoch (a loaded
// machine can starve the new owner's heartbeat past its lease).
import { writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { taskRecord } from '../../src/store/records.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { tempDir } from '../persistence/temp-dir.js';
import { checkLeaseCampaign } from './check-lease.mjs';

let dispose: (() => Promise<void>) | undefined;
afterEach(async () => {
  await dispose?.();
  dispose = undefined;
});

/** One-offs `id` due at `nominalMs`, each run and completed at `nominalMs + 1`. */
async function database(path: string, runs: Array<[string, number]>): Promise<void> {
  const store = new SqliteStore({ path, synchronous: 'normal' });
  await store.open();
  await store.putTasks(runs.map(([id, atMs]) => taskRecord({ id, functionName: 'work', scheduleKind: 'once', createdAtMs: 0, atMs })));
  for (const [taskId, nominalMs] of runs) {
    const [claim] = await store.claim([{ taskId, scheduleVersion: 1, nominalMs, startedAtMs: nominalMs }]);
    if (claim?.status !== 'claimed') throw new Error('claim refused');
    await store.complete({ executionId: claim.execution.id, fencingToken: claim.execution.fencingToken, outcome: 'succeeded', endedAtMs: nominalMs + 1 });
  }
  await store.close();
}

const PAUSED = 2;
const tasks = [
  { id: 'before', at: 100 },
  { id: 'between', at: 200 },
  { id: 'after', at: 300 },
];

async function check(ownership: string[]) {
  const dir = await tempDir();
  dispose = dir.dispose;
  const dbPath = dir.file('c.db');
  const ledgerPath = dir.file('ledger.txt');
  await database(
    dbPath,
    tasks.map((t) => [t.id, t.at]),
  );
  // Process 2 ran and reported committed all three; process 3 took the store over at 150.
  const bodies = tasks.flatMap((t) => [`S ${t.id} ${t.at} 1 ${PAUSED} ${t.at}`, `C ${t.id} ${t.at} 1 ${PAUSED} succeeded`]);
  writeFileSync(ledgerPath, `${[...ownership, ...bodies].join('\n')}\n`);
  return checkLeaseCampaign({ dbPath, ledgerPath, tasks, killedPid: 1, pausedPid: PAUSED, pausedAtMs: 120, resumedAtMs: 180, afterPauseMs: 150 });
}

describe('the lease campaign checker', () => {
  it('counts the paused process’s completions between the takeover and its own next acquisition', async () => {
    const report = await check(['A 1 1 0 0', `A ${PAUSED} 2 50 1`, 'A 3 3 150 1', `L ${PAUSED} 190`, `A ${PAUSED} 4 250 1`]);
    expect(report.pausedOwnerReacquiredMs).toBe(250);
    expect(report.completionsAfterTakeover).toBe(1);
    expect(report.lost).toBe(0);
  });

  it('counts every later completion when the paused process never owned the store again', async () => {
    const report = await check(['A 1 1 0 0', `A ${PAUSED} 2 50 1`, 'A 3 3 150 1', `L ${PAUSED} 190`]);
    expect(report.pausedOwnerReacquiredMs).toBeNull();
    expect(report.completionsAfterTakeover).toBe(2);
  });
});
