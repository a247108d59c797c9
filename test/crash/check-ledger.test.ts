// The crash campaign's checker catches what it must: a lost slot, a slot
// recorded done that never started, a duplicate completion, an early start,
// and it tells the causes of duplicate starts apart. (A checker that cannot
// fail proves nothing.)
import { writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { taskRecord } from '../../src/store/records.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { tempDir } from '../persistence/temp-dir.js';
import { checkCampaign } from './check-ledger.mjs';

let dispose: (() => Promise<void>) | undefined;
afterEach(async () => {
  await dispose?.();
  dispose = undefined;
});

async function database(path: string, finished: Array<[string, number, 'succeeded' | 'skipped' | 'failed']>): Promise<void> {
  const store = new SqliteStore({ path, synchronous: 'normal' });
  await store.open();
  const ids = [...new Set(finished.map(([id]) => id))];
  await store.putTasks(ids.map((id) => taskRecord({ id, functionName: 'work', scheduleKind: 'once', createdAtMs: 0 })));
  for (const [taskId, nominalMs, outcome] of finished) {
    if (outcome === 'skipped') {
      await store.recordSkipped([{ taskId, scheduleVersion: 1, nominalMs, reason: 'missed', recordedAtMs: nominalMs }]);
      continue;
    }
    const [claim] = await store.claim([{ taskId, scheduleVersion: 1, nominalMs, startedAtMs: nominalMs }]);
    if (claim?.status !== 'claimed') throw new Error('claim refused');
    await store.complete({ executionId: claim.execution.id, fencingToken: claim.execution.fencingToken, outcome, endedAtMs: nominalMs + 1 });
  }
  await store.close();
}

describe('the crash campaign checker', () => {
  it('counts lost, recorded-without-start, duplicate completions, early starts and duplicate starts by cause', async () => {
    const dir = await tempDir();
    dispose = dir.dispose;
    const dbPath = dir.file('c.db');
    const ledgerPath = dir.file('ledger.txt');
    await database(dbPath, [['a', 1000, 'succeeded'], ['b', 1000, 'succeeded'], ['c', 1000, 'succeeded'], ['d', 1000, 'skipped'], ['f', 1000, 'succeeded']]);
    writeFileSync(ledgerPath, [
      // a: started, crashed mid-body, started again, ended, committed: one duplicate start (during the body).
      'S a 1000 1 1000 0', 'S a 1000 2 1500 1', 'E a 1000 2 1510', 'C a 1000 2 succeeded',
      // b: ended, crashed before its completion, ran again, committed twice: a duplicate completion.
      'S b 1000 1 1001 0', 'E b 1000 1 1002', 'S b 1000 2 1600 0', 'E b 1000 2 1601', 'C b 1000 2 succeeded', 'C b 1000 2 succeeded',
      // c: recorded succeeded in the store, but never started: lost.
      // e: expected, no record at all: lost. f: started before its time.
      'S f 1000 1 999 0', 'E f 1000 1 1000', 'C f 1000 1 succeeded',
      'S x 5',
    ].join('\n'));
    const manifest = { tasks: ['a', 'b', 'c', 'd', 'e', 'f'].map((id) => ({ id, kind: 'once' as const, firstMs: 1000 })) };
    const report = checkCampaign({ dbPath, ledgerPath, manifest });
    expect(report).toMatchObject({
      expectedRuns: 6,
      lost: 2,
      completedWithoutStart: 1,
      skippedByPolicy: 1,
      duplicateCompletions: 1,
      earlyStarts: 1,
      duplicateStarts: { total: 2, crashDuringBody: 1, crashAfterBodyBeforeCompletion: 1 },
      resumedFromSavedState: 1,
      tornLedgerLines: 1,
      integrityCheck: 'ok',
    });
    expect(report.lostSlots).toEqual(['e@1000:no record']);
  });

  it('takes a start after a planned failure for its retry, and a slot recorded failed with attempts left for a lost retry', async () => {
    const dir = await tempDir();
    dispose = dir.dispose;
    const dbPath = dir.file('c.db');
    const ledgerPath = dir.file('ledger.txt');
    await database(dbPath, [['g', 1000, 'succeeded'], ['h', 1000, 'failed'], ['i', 1000, 'failed']]);
    writeFileSync(ledgerPath, [
      // g: attempt 1 failed as planned, attempt 2 ran: a retry, no duplicate start.
      'S g 1000 1 1000 0', 'F g 1000 1 1001', 'C g 1000 1 failed', 'S g 1000 2 1300 0', 'E g 1000 2 1301', 'C g 1000 2 succeeded',
      // h: attempt 1 failed with 1000 attempts: its retry never ran (lost). i: failed after its last attempt (dead-lettered).
      'S h 1000 1 1000 0', 'F h 1000 1 1001', 'C h 1000 1 failed',
      'S i 1000 1 1000 0', 'F i 1000 1 1001', 'C i 1000 1 failed',
    ].join('\n'));
    const manifest = {
      tasks: [
        { id: 'g', kind: 'once' as const, firstMs: 1000, attempts: 1000 },
        { id: 'h', kind: 'once' as const, firstMs: 1000, attempts: 1000 },
        { id: 'i', kind: 'once' as const, firstMs: 1000, attempts: 1 },
      ],
    };
    const report = checkCampaign({ dbPath, ledgerPath, manifest });
    expect(report).toMatchObject({
      expectedRuns: 3, succeeded: 1, lost: 1, retriesLost: 1, deadLettered: 1, retriesAfterFailure: 1,
      duplicateStarts: { total: 0, crashDuringBody: 0, crashAfterBodyBeforeCompletion: 0 },
    });
    expect(report.lostSlots).toEqual(['h@1000:failed at attempt 1 of 1000']);
  });
});
