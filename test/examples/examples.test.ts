// Every example in examples/ runs as a user would run it (node, against the
// built package by name) and shows what it says it shows. The examples run on
// the real clock, so the checks are about what happened, never how fast.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url);

async function runExample(file: string): Promise<string[]> {
  const { stdout, stderr } = await promisify(execFile)(process.execPath, [`examples/${file}`], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  expect(stderr).toBe('');
  return stdout.trim().split('\n');
}

describe('examples/', () => {
  it('firmware-loop.mjs: urgent cadence kept, background moved, hung probes retried, describe() explains the wait', async () => {
    const out = await runExample('firmware-loop.mjs');
    // Every third probe hangs; on a loaded machine a 5 ms probe may time out as well.
    expect(out.filter((l) => /connectivity check: attempt \d failed \(ERR_TASK_TIMEOUT\)/.test(l)).length).toBeGreaterThanOrEqual(2);
    expect(out.some((l) => /^timeslice scheduler at .* policy deadline/.test(l))).toBe(true);
    expect(out.some((l) => /cleanup \[background\] ready, behind \d+ more urgent tasks? \(deadline policy\)/.test(l))).toBe(true);
    expect(out.some((l) => /^while 200 cleanups ran .* the LED ran \d+ frames/.test(l))).toBe(true);
    expect(out.at(-1)).toMatch(/^done: probes \d+ \([2-9]\d* hung, [2-9]\d* retried\), telemetry 4, cleanup 200 of 200$/);
  });

  it('fair-tenants.mjs: the CPU is shared in the order of the weights', async () => {
    const out = await runExample('fair-tenants.mjs');
    const share = (name: string) => Number(out.find((l) => l.startsWith(name))!.match(/: ([\d.]+)% of the CPU/)![1]);
    expect(share('enterprise')).toBeGreaterThan(share('pro'));
    expect(share('pro')).toBeGreaterThan(share('free'));
    expect(out.at(-1)).toMatch(/^\d+ times a job handed the thread back and resumed later$/);
  });

  it('worker-pool.mjs: interactive requests answered while background jobs run; interrupted jobs resume to the right result', async () => {
    const out = await runExample('worker-pool.mjs');
    for (const key of ['profile', 'settings', 'inbox']) expect(out.some((l) => new RegExp(`^${key} via connection-[01] after \\d+ ms`).test(l))).toBe(true);
    expect(out.some((l) => /results match a run on one thread/.test(l))).toBe(true);
    expect(out.at(-1)).toMatch(/^they yielded \d+ times and resumed from their saved state; \d+ thread terminations$/);
  });

  it('persistent-module.mjs: events with description and owner survive a restart; run now adds a manual execution and keeps the grid', async () => {
    const out = await runExample('persistent-module.mjs');
    expect(out[0]).toMatch(/^after a restart: 'Remove expired sessions' of module sessions, ([2-9]|\d{2,}) executions, status pending$/);
    expect(out[1]).toMatch(/^run now: execution sessions\.cleanup\/0\/\d+ claimed; the next scheduled run stays on its 150 ms grid$/);
    expect(out[2]).toMatch(/^history: \d+ ended executions, 1 manual$/);
    expect(out.filter((l) => /^ {2}manual {4}attempt 1 succeeded -> \{"removed":70,"manual":true\}$/.test(l))).toHaveLength(1);
  });

  it('missed-runs.mjs: every slot due while stopped is run or recorded as skipped, as its policy says', async () => {
    const out = await runExample('missed-runs.mjs');
    expect(out).toContain('restart: recovered 3 tasks');
    const counts: Record<string, { due: number; ran: number; skipped: number }> = Object.fromEntries(
      out.flatMap((l) => {
        const m = l.match(/^ {2}([\w-]+) *: of (\d+) slots due while stopped, (\d+) ran and (\d+) were recorded as skipped$/);
        return m ? [[m[1], { due: Number(m[2]), ran: Number(m[3]), skipped: Number(m[4]) }]] : [];
      }),
    );
    expect(Object.keys(counts)).toEqual(['skip', 'run-once', 'catch-up']);
    for (const { due, ran, skipped } of Object.values(counts)) {
      expect(due).toBeGreaterThanOrEqual(5); // a second stopped, a slot every 100 ms
      expect(ran + skipped).toBe(due); // nothing lost
    }
    // The slot due just before recovery may be within the grace window: it then simply runs, whatever the policy.
    expect(counts.skip!.ran).toBeLessThanOrEqual(1);
    expect(counts['run-once']!.ran).toBeGreaterThanOrEqual(1);
    expect(counts['run-once']!.ran).toBeLessThanOrEqual(2);
    expect(counts['catch-up']!.ran).toBeGreaterThanOrEqual(3);
    expect(counts['catch-up']!.ran).toBeLessThanOrEqual(4);
  });
});
