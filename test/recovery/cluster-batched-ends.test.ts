// A cluster process writes the ends of runs that finish together and the
// claim for their room in one transaction (cluster-writes.ts): the batches it
// makes, and what a batch whose transaction fails does (nothing of it is
// written; every end in it is written again, none reported before).
import { describe, expect, it } from 'vitest';
import type { ClaimDueRequest, FinishAndClaimResult, FinishRequest } from '../../src/store/cluster.js';
import { MemoryClusterStore } from '../../src/store/memory-cluster-store.js';
import { VirtualClock } from '../../src/testing/index.js';
import { clusterDatabase, clusterProcess, useStartedProcesses } from './cluster-processes.js';
import { WALL_START_MS } from './helpers.js';

const start = useStartedProcesses();

/** A store that logs each finishAndClaim() as [ends, claim limit or 0, 'ok' | 'failed'], and fails those `fail` picks. */
class LoggedStore extends MemoryClusterStore {
  readonly log: Array<[number, number, string]> = [];
  fail: (finishes: readonly FinishRequest[]) => boolean = () => false;

  override async finishAndClaim(finishes: readonly FinishRequest[], claim?: ClaimDueRequest): Promise<FinishAndClaimResult> {
    if (this.fail(finishes)) {
      this.log.push([finishes.length, claim?.limit ?? 0, 'failed']);
      throw new Error('connection lost before COMMIT');
    }
    this.log.push([finishes.length, claim?.limit ?? 0, 'ok']);
    return super.finishAndClaim(finishes, claim);
  }
}

async function oneProcess(jobs: number, localQueue = 0) {
  const clock = new VirtualClock({ wallStartMs: WALL_START_MS });
  const database = clusterDatabase(clock);
  const store = new LoggedStore({ database });
  const [p] = await start(clusterProcess(() => store, clock, 'p', { maxConcurrent: 4, localQueue }));
  const ran: string[] = [];
  p!.define('job', async (params) => void ran.push((params as { id: string }).id));
  for (let i = 0; i < jobs; i++) await p!.schedule({ id: `job-${i}`, fn: 'job', params: { id: `job-${i}` }, after: '1s' });
  return { clock, store, p: p!, ran };
}

describe('a cluster process batches its ends and claims', () => {
  it('ends the runs that finished together and claims the rows for their room in one transaction', async () => {
    const { clock, store, p, ran } = await oneProcess(12);
    store.log.length = 0;
    await clock.advance(1_000);
    for (let i = 0; i < 10; i++) await clock.advance(0);
    expect(ran.sort()).toEqual(Array.from({ length: 12 }, (_, i) => `job-${i}`).sort());
    // Claim 4; then each batch ends 4 runs and claims 4 rows for their room; the last ends 4 and finds none.
    // Fewer transactions than jobs: runs that ended together shared one, with the claim for all of their room.
    expect(store.log.length).toBeLessThan(12);
    expect(store.log).toContainEqual([4, 4, 'ok']);
    const history = await Promise.all(ran.map((id) => p.store.history(id)));
    expect(history.map((h) => h.executions.map((e) => [e.outcome, e.attempt]))).toEqual(ran.map(() => [['succeeded', 1]]));
  });

  it('waits for the rows of its local queue that start turn after turn: their ends share one batch, not one small and one large', async () => {
    const { clock, store, p, ran } = await oneProcess(1, 100);
    await clock.advance(1_000);
    for (let i = 0; i < 10; i++) await clock.advance(0);
    // A run time measured (short): the next claim takes the local queue's depth beyond the 4 places.
    for (let i = 0; i < 40; i++) await p.schedule({ id: `q-${i}`, fn: 'job', params: { id: `q-${i}` }, after: '1s' });
    store.log.length = 0;
    await clock.advance(1_000);
    for (let i = 0; i < 100; i++) await clock.advance(0);
    expect(ran).toHaveLength(41);
    // One claim of the 40 rows, then one batch with all 40 ends: the queued rows started (4 at a time, a host turn
    // each) while that batch waited, instead of it leaving with the first few ends and the rest following in another.
    // One claim took the 40 rows (4 to start, 36 queued); the batch after it waited while the queued rows started (4 at
    // a time, a host turn each) and left once the queue was empty: it holds every end but those of the last rows still
    // running then, instead of leaving with the first few ends and the rest following in a batch of their own.
    const ends = store.log.filter(([n]) => n > 0).map(([n]) => n);
    expect(ends.reduce((a, b) => a + b, 0)).toBe(40);
    expect(ends[0]).toBeGreaterThanOrEqual(36);
  });

  it('writes a failed batch again whole: each end is reported once, after the commit that holds it', async () => {
    const { clock, store, p, ran } = await oneProcess(4);
    let failures = 1;
    store.fail = (finishes) => finishes.length > 0 && failures-- > 0;
    await clock.advance(1_000);
    for (let i = 0; i < 5; i++) await clock.advance(0);
    expect(ran).toHaveLength(4);
    // The batch of ends failed: nothing of it was written (its runs are still running in the store) and none of it was reported.
    const failed = store.log.filter(([ends, , outcome]) => outcome === 'failed' && ends > 0);
    expect(failed).toHaveLength(1);
    const running = await Promise.all(ran.map((id) => p.store.history(id)));
    expect(running.filter((h) => h.executions[0]?.outcome === 'running')).toHaveLength(failed[0]![0]);
    expect(p.events.filter(([type]) => type === 'slotcomplete')).toHaveLength(4 - failed[0]![0]);
    expect(p.events.filter(([type]) => type === 'storeerror').length).toBeGreaterThanOrEqual(1);
    // After the store's backoff (1 s doubling, one step per end that failed), the ends are written again: each once, reported once.
    for (let i = 0; i < 100; i++) await clock.advance(100);
    const ended = await Promise.all(ran.map((id) => p.store.history(id)));
    expect(ended.map((h) => h.executions.map((e) => [e.outcome, e.attempt]))).toEqual(ran.map(() => [['succeeded', 1]]));
    expect(p.events.filter(([type]) => type === 'slotcomplete')).toHaveLength(4);
    expect(p.events.filter(([type]) => type === 'writefenced')).toHaveLength(0);
  });
});
