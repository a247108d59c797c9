// A claimed row's body starts only while its process's lease is live. The
// chaos campaign (10 minutes, 85 SIGSTOPs) saw a process stopped between its
// claim's commit and its body's start, past its lease: another process rescued
// the row and ran it as attempt 2; the stopped one, resumed, read its claim's
// answer and started attempt 1 at once, before its heartbeat (a round trip)
// told it it had been declared dead: the slot's body ran twice, in the wrong
// order of attempts. Here a's store answers its heartbeats a round trip
// (1 ms of a's clock) after they are asked, as a real one does, and a stands
// still (VirtualClock.suspend: SIGSTOP) while its claim's answer is in flight.
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/testing/index.js';
import { type ClusterProcess, clusterDatabase, clusterProcess, holdNextClaim, useStartedProcesses } from './cluster-processes.js';
import { WALL_START_MS } from './helpers.js';

const start = useStartedProcesses();

/** Each heartbeat of the process is answered 1 ms of its own clock after the store ran it (a round trip). */
function heartbeatRoundTrip(p: ClusterProcess): void {
  const store = p.store;
  const real = store.heartbeat.bind(store);
  store.heartbeat = async (...args: Parameters<typeof real>) => {
    const result = await real(...args);
    await new Promise<void>((resolve) => p.clock.setTimer(resolve, 1));
    return result;
  };
}

async function run(clock: VirtualClock, totalMs: number, stepMs = 1_000): Promise<void> {
  for (let elapsed = 0; elapsed < totalMs; elapsed += stepMs) await clock.advance(stepMs);
}

/** a, on a clock of its own, with the job scheduled and claimed: the claim committed, its answer held. */
async function claimedThenStopped(ran: Array<[string, number]>) {
  const clock = new VirtualClock({ wallStartMs: WALL_START_MS });
  const aClock = new VirtualClock({ wallStartMs: WALL_START_MS });
  const database = clusterDatabase(clock);
  const a = await clusterProcess(database, aClock, 'a');
  heartbeatRoundTrip(a);
  await start(a);
  a.define('job', async (_params, ctx) => void ran.push(['a', ctx.attempt]));
  await a.schedule({ id: 'job', fn: 'job', after: '1s', retry: 5 });
  for (let i = 0; i < 5; i++) await aClock.advance(0);
  const claim = holdNextClaim(a, 'after');
  await clock.advance(1_000);
  await aClock.advance(1_000);
  expect(claim.held()).toBe(true);
  return { clock, aClock, database, a, claim };
}

describe('a process stopped between its claim and the start of the body', () => {
  it('does not start the body when it resumes past its lease and the row was rescued and run elsewhere', async () => {
    const ran: Array<[string, number]> = [];
    const { clock, aClock, database, a, claim } = await claimedThenStopped(ran);
    const [b] = await start(clusterProcess(database, clock, 'b'));
    b!.define('job', async (_params, ctx) => void ran.push(['b', ctx.attempt]));
    // a stands still (SIGSTOP) past its lease; b rescues a's claim and runs the job as attempt 2.
    await run(clock, 45_000);
    aClock.suspend(45_000);
    expect(ran).toEqual([['b', 2]]);
    // a resumes: its claim's answer arrives, and its overdue heartbeat goes out (answered a round trip later).
    claim.release();
    for (let i = 0; i < 5; i++) await aClock.advance(0);
    await aClock.advance(5_000);
    expect(ran).toEqual([['b', 2]]);
    expect(a.events.filter(([type]) => type === 'leaselost')).toHaveLength(1);
    expect((await b!.store.getExecution(`job/1/${WALL_START_MS + 1_000}`))?.attempt).toBe(2);
  });

  it('renews and starts the body once when nobody rescued it meanwhile', async () => {
    const ran: Array<[string, number]> = [];
    const { clock, aClock, a, claim } = await claimedThenStopped(ran);
    // The database's time goes on past a's lease, with no other process to rescue a.
    await run(clock, 45_000);
    aClock.suspend(45_000);
    claim.release();
    for (let i = 0; i < 5; i++) await aClock.advance(0);
    await aClock.advance(5_000);
    expect(ran).toEqual([['a', 1]]);
    expect(a.events.filter(([type]) => type === 'leaselost')).toHaveLength(0);
    const execution = await a.store.getExecution(`job/1/${WALL_START_MS + 1_000}`);
    expect([execution?.outcome, execution?.attempt]).toEqual(['succeeded', 1]);
  });
});
