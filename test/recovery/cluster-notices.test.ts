// The runner's use of the store's notices (ClusterStore.watchOffers), on
// MemoryClusterStore and VirtualClocks: a row another process offers for
// later brings this process's timer forward to its due time, so it starts
// then, not at the next poll; a store without notices is found by the poll.
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/testing/index.js';
import { type ClusterProcess, clusterDatabase, clusterProcess, useStartedProcesses } from './cluster-processes.js';
import { WALL_START_MS } from './helpers.js';

const start = useStartedProcesses();
const POLL_MS = 600_000;

/** A worker polling every 10 minutes (started), and a producer on the same database (never started: it only offers). */
async function pair(hideNotices: boolean): Promise<{ clock: VirtualClock; producer: ClusterProcess; ran: number[] }> {
  const clock = new VirtualClock({ wallStartMs: WALL_START_MS });
  const database = clusterDatabase(clock);
  const producer = await clusterProcess(database, clock, 'producer');
  const worker = await clusterProcess(database, clock, 'worker', { pollMs: POLL_MS });
  if (hideNotices) (worker.store as { watchOffers?: unknown }).watchOffers = undefined;
  const ran: number[] = [];
  worker.define('job', async () => void ran.push(clock.wallNow() - WALL_START_MS));
  await start(worker);
  // Its first claim round is over (nothing pending: its poll armed 10 minutes away) before anything is offered.
  await run(clock, 1_000);
  return { clock, producer, ran };
}

async function run(clock: VirtualClock, totalMs: number, stepMs = 100): Promise<void> {
  for (let elapsed = 0; elapsed < totalMs; elapsed += stepMs) await clock.advance(Math.min(stepMs, totalMs - elapsed));
}

describe('a cluster process told of offers', () => {
  it('starts a row another process offered for later at its due time, not at its next poll', async () => {
    const { clock, producer, ran } = await pair(false);
    await producer.schedule({ id: 'later', fn: 'job', after: '5s' });
    await run(clock, 4_900);
    expect(ran).toEqual([]);
    await run(clock, 200);
    expect(ran).toEqual([6_000]);
  });

  it('without notices, finds that row at its next poll', async () => {
    const { clock, producer, ran } = await pair(true);
    await producer.schedule({ id: 'later', fn: 'job', after: '5s' });
    await run(clock, 60_000, 1_000);
    expect(ran).toEqual([]);
    await run(clock, POLL_MS, 10_000);
    expect(ran).toEqual([POLL_MS]);
  });
});
