// The lease campaign at CI size (see lease-campaign.mjs): two schedulers on
// one SQLite file for 15 s, the owner killed and restarted, the next owner
// paused past its lease and resumed. Required: nothing lost, no duplicate
// completion, no slot run by two live owners, no early start, the paused
// owner fenced (it loses the lease and commits no completion after the
// takeover), an intact database. `npm run test:lease -- --seconds 60` runs the long one.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { useCurrentDist } from '../helpers/current-dist.js';

useCurrentDist();

const CAMPAIGN = fileURLToPath(new URL('./lease-campaign.mjs', import.meta.url));

describe('lease campaign', () => {
  it('two schedulers on one store: one owner at a time, the paused one fenced, nothing lost or completed twice', () => {
    const reportPath = join(tmpdir(), `timeslice-lease-${process.pid}.md`);
    const seed = Date.now() % 1000;
    const args = ['--seconds', '15', '--ttl', '1500', '--heartbeat', '300', '--seed', String(seed), '--report', reportPath];
    const run = spawnSync(process.execPath, [CAMPAIGN, ...args], { encoding: 'utf8' });
    expect(run.error).toBeUndefined();
    const jsonPath = reportPath.replace(/\.md$/, '.json');
    const report = JSON.parse(readFileSync(jsonPath, 'utf8'));
    rmSync(reportPath, { force: true });
    rmSync(jsonPath, { force: true });
    expect(report.expectedRuns).toBeGreaterThan(300);
    // The seed replays the campaign: node test/crash/lease-campaign.mjs --seconds 15 --ttl 1500 --heartbeat 300 --seed <seed>
    expect({
      lost: report.lost, lostSlots: report.lostSlots, duplicateCompletions: report.duplicateCompletions, earlyStarts: report.earlyStarts,
      twoLiveOwners: report.duplicateStarts.twoLiveOwners, completionsAfterTakeover: report.completionsAfterTakeover,
      pausedOwnerLostLease: report.pausedOwnerLostLease, integrityCheck: report.integrityCheck, unexpectedExits: report.unexpectedExits,
    }, `seed ${seed}; ownership: ${JSON.stringify(report.ownership)}; paused process took the lease back at ${report.pausedOwnerReacquiredMs}`).toEqual({
      lost: 0, lostSlots: [], duplicateCompletions: 0, earlyStarts: 0, twoLiveOwners: 0, completionsAfterTakeover: 0,
      pausedOwnerLostLease: true, integrityCheck: 'ok', unexpectedExits: [],
    });
  }, 120_000);
});
