// A process declared dead learns it once, whichever of its calls in flight
// answers first. The chaos campaign saw a process register three times in
// 50 ms: its heartbeat learnt it had been rescued and it registered again;
// then its claim round, sent before, answered `not-registered` for the old
// epoch, and it registered once more, orphaning (and so aborting) what it had
// claimed under the new one. And a claim answered after the process
// registered again hands it rows held under the replaced epoch: orphans the
// rescue gives back, which it must not run (another process would run them too).
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/testing/index.js';
import { type ClusterProcess, clusterDatabase, clusterProcess, holdNextClaim, useStartedProcesses } from './cluster-processes.js';
import { WALL_START_MS } from './helpers.js';

const start = useStartedProcesses();

async function run(clock: VirtualClock, totalMs: number, stepMs = 1_000): Promise<void> {
  for (let elapsed = 0; elapsed < totalMs; elapsed += stepMs) await clock.advance(stepMs);
}

const leaseLost = (p: ClusterProcess) => p.events.filter(([type]) => type === 'leaselost').length;

describe('a process declared dead with a heartbeat and a claim in flight', () => {
  it('registers again once, not once per call that learns it', async () => {
    const clock = new VirtualClock({ wallStartMs: WALL_START_MS });
    const aClock = new VirtualClock({ wallStartMs: WALL_START_MS });
    const database = clusterDatabase(clock);
    const [a, b] = await start(clusterProcess(database, aClock, 'a'), clusterProcess(database, clock, 'b'));
    const claim = holdNextClaim(a!, 'before');
    await aClock.advance(1_000);
    expect(claim.held()).toBe(true);
    // a stands still past its lease; b rescues it.
    await run(clock, 45_000);
    expect((await b!.runner.cluster()).map((p) => p.ownerId)).toEqual(['b']);
    // a's heartbeat learns it and registers again; then its old claim answers not-registered.
    await aClock.advance(9_000);
    const epoch = a!.runner.process!.epoch;
    claim.release();
    for (let i = 0; i < 5; i++) await aClock.advance(0);
    expect(leaseLost(a!)).toBe(1);
    expect(a!.runner.process!.epoch).toBe(epoch);
    expect((await b!.runner.cluster()).map((p) => [p.ownerId, p.epoch])).toEqual([['b', b!.runner.process!.epoch], ['a', epoch]]);
  });

  it('does not run what a claim of the replaced registration took', async () => {
    const clock = new VirtualClock({ wallStartMs: WALL_START_MS });
    const aClock = new VirtualClock({ wallStartMs: WALL_START_MS });
    const database = clusterDatabase(clock);
    const ran: Array<[string, number]> = [];
    const [a] = await start(clusterProcess(database, aClock, 'a'));
    a!.define('job', async (_params, ctx) => void ran.push(['a', ctx.attempt]));
    await a!.schedule({ id: 'job', fn: 'job', after: '1s', retry: 5 });
    // The rounds asked for so far (before the job was due) are written first.
    for (let i = 0; i < 5; i++) await aClock.advance(0);
    // a claims the job, and stands still before it hears the answer.
    const claim = holdNextClaim(a!, 'after');
    await clock.advance(1_000);
    await aClock.advance(1_000);
    expect(claim.held()).toBe(true);
    const [b] = await start(clusterProcess(database, clock, 'b'));
    b!.define('job', async (_params, ctx) => void ran.push(['b', ctx.attempt]));
    // b rescues a's claim and runs the job.
    await run(clock, 45_000);
    expect(ran).toEqual([['b', 2]]);
    // a wakes: its heartbeat learns it was declared dead, it registers again, and its old claim's answer arrives.
    await aClock.advance(9_000);
    claim.release();
    for (let i = 0; i < 5; i++) await aClock.advance(0);
    await aClock.advance(5_000);
    expect(ran).toEqual([['b', 2]]);
    expect(a!.events.filter(([type]) => type === 'writefenced')).toHaveLength(0);
    expect(leaseLost(a!)).toBe(1);
  });
});
