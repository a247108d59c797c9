// The lease campaign: two durable schedulers on one SQLite file, both started
// as standbys and both registering the same tasks at every start (a rolling
// deploy, or a second `node app.js` by mistake). One owns the store at a time
// (C6). Halfway through (40% of the run) the owner is SIGKILLed and
// restarted; at 70% the owner then is SIGSTOPped for twice the lease, so the
// other takes over, and SIGCONTed: its late writes must be refused (fenced).
// A last process then runs every task to its end, and the ledger the bodies
// kept outside the database is checked (check-lease.mjs).
//
//   node test/crash/lease-campaign.mjs --seconds 60 [--ttl 2000] [--heartbeat 500] [--seed 1] [--report file.md]
//   npm run test:lease -- --seconds 60
import '../../scripts/current-dist.mjs';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadNote } from './campaign.mjs';
import { checkLeaseCampaign } from './check-lease.mjs';
// mulberry32, seeded: a campaign's plan can be replayed from its seed.
import { mulberry32 as random } from '../../bench/lib/random.mjs';

const CHILD = fileURLToPath(new URL('./lease-child.mjs', import.meta.url));


const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function startChild(env) {
  const child = spawn(process.execPath, [CHILD], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderrText = '';
  child.stderr.on('data', (chunk) => {
    child.stderrText += chunk;
  });
  child.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return child;
}

/** The ledger's ownership lines so far: [pid, epoch, wallMs] for each acquisition. */
function acquisitions(ledgerPath) {
  if (!existsSync(ledgerPath)) return [];
  return readFileSync(ledgerPath, 'utf8').split('\n').filter((l) => l.startsWith('A ')).map((l) => l.split(' ').slice(1).map(Number));
}

/** Waits until a process other than `exceptPid` (or any, with none given) owns the store; returns [pid, epoch, wallMs]. */
async function nextOwner(ledgerPath, afterEpoch, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = acquisitions(ledgerPath).find(([, epoch]) => epoch > afterEpoch);
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`no process took the store over within ${timeoutMs} ms (epoch still ${afterEpoch})`);
    await sleep(20);
  }
}

/** Waits until `pid` wrote that it stops itself (a P line); returns the time it wrote. */
async function stoppedAt(ledgerPath, pid, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const line = readFileSync(ledgerPath, 'utf8').split('\n').find((l) => l.startsWith(`P ${pid} `));
    if (line !== undefined) return Number(line.split(' ')[2]);
    if (Date.now() > deadline) throw new Error(`process ${pid} did not stop itself within ${timeoutMs} ms`);
    await sleep(10);
  }
}

export async function runLeaseCampaign(options = {}) {
  const { seconds = 60, ttlMs = 2000, heartbeatMs = 500, seed = 1, log = () => {} } = options;
  const rand = random(seed);
  const dir = mkdtempSync(join(tmpdir(), 'timeslice-lease-'));
  const dbPath = join(dir, 'campaign.db');
  const ledgerPath = join(dir, 'ledger.txt');
  const manifestPath = join(dir, 'manifest.json');
  const startedMs = Date.now();
  const children = [];
  try {
    const runMs = seconds * 1000;
    const t0 = Date.now() + 1000;
    const lastSlotMs = runMs - 3000;
    const missed = { policy: 'catch-up', graceMs: '10m' };
    const retry = { attempts: 100, backoff: 'fixed', delayMs: 0, jitter: 0 };
    const tasks = [];
    for (let i = 0; i < seconds * 10; i++) {
      tasks.push({ id: `once-${i}`, fn: 'work', at: Math.round(t0 + rand() * lastSlotMs), params: { workMs: Math.floor(rand() * 80) }, retry, missed });
    }
    for (let i = 0; i < 4; i++) {
      tasks.push({ id: `every-${i}`, fn: 'work', every: 250, maxExecutions: Math.floor(lastSlotMs / 250), params: { workMs: Math.floor(rand() * 60) }, retry, missed });
    }
    for (let i = 0; i < 2; i++) {
      tasks.push({ id: `cron-${i}`, fn: 'work', cron: '* * * * * *', maxExecutions: Math.floor(lastSlotMs / 1000), params: { workMs: Math.floor(rand() * 60) }, retry, missed });
    }
    writeFileSync(manifestPath, JSON.stringify({ tasks }));
    const env = { LEASE_DB: dbPath, LEASE_LEDGER: ledgerPath, LEASE_MANIFEST: manifestPath, LEASE_TTL_MS: String(ttlMs), LEASE_HEARTBEAT_MS: String(heartbeatMs) };
    const start = () => {
      const child = startChild(env);
      children.push(child);
      return child;
    };

    const byPid = new Map();
    const first = start();
    byPid.set(first.pid, first);
    const [ownerPid, firstEpoch] = await nextOwner(ledgerPath, 0, 30_000);
    const second = start();
    byPid.set(second.pid, second);
    log(`process ${ownerPid} owns the store (epoch ${firstEpoch}); ${second.pid} waits as a standby`);

    // The owner is killed at 40%, and restarted (a standby from then on).
    await sleep(Math.max(0, startedMs + runMs * 0.4 - Date.now()));
    const [killedPid, killedEpoch] = acquisitions(ledgerPath).at(-1);
    const killedAtMs = Date.now();
    byPid.get(killedPid).kill('SIGKILL');
    log(`SIGKILL ${killedPid} (epoch ${killedEpoch})`);
    const [afterKillPid, afterKillEpoch, afterKillMs] = await nextOwner(ledgerPath, killedEpoch, ttlMs * 10);
    const restarted = start();
    byPid.set(restarted.pid, restarted);
    log(`${afterKillPid} took over after ${afterKillMs - killedAtMs} ms (epoch ${afterKillEpoch}); ${restarted.pid} restarted as a standby`);

    // The owner is paused at 70% for twice the lease, then resumed.
    await sleep(Math.max(0, startedMs + runMs * 0.7 - Date.now()));
    const [pausedPid, pausedEpoch] = acquisitions(ledgerPath).at(-1);
    // The owner stops itself at its next turn of the event loop (SIGUSR2, see lease-child.mjs), bodies in flight.
    byPid.get(pausedPid).kill('SIGUSR2');
    const pausedAtMs = await stoppedAt(ledgerPath, pausedPid, 10_000);
    log(`SIGSTOP ${pausedPid} (epoch ${pausedEpoch})`);
    const [afterPausePid, afterPauseEpoch, afterPauseMs] = await nextOwner(ledgerPath, pausedEpoch, ttlMs * 10);
    await sleep(Math.max(0, pausedAtMs + 2 * ttlMs - Date.now()));
    const resumedAtMs = Date.now();
    byPid.get(pausedPid).kill('SIGCONT');
    log(`${afterPausePid} took over ${afterPauseMs - pausedAtMs} ms after the pause (epoch ${afterPauseEpoch}); SIGCONT ${pausedPid} after ${resumedAtMs - pausedAtMs} ms`);

    await sleep(Math.max(0, startedMs + runMs - Date.now()));
    const unexpected = [];
    for (const child of children) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      child.kill('SIGTERM');
    }
    for (const child of children) {
      const exit = await child.exited;
      const killedOnPurpose = child.pid === killedPid && exit.signal === 'SIGKILL';
      if (!killedOnPurpose && exit.code !== 0) unexpected.push({ pid: child.pid, ...exit, stderr: child.stderrText.slice(0, 2000) });
    }
    const final = startChild({ ...env, LEASE_MODE: 'final' });
    const finalExit = await final.exited;
    if (finalExit.code !== 0) unexpected.push({ pid: final.pid, ...finalExit, stderr: final.stderrText.slice(0, 2000) });

    const report = checkLeaseCampaign({
      dbPath, ledgerPath, tasks, killedPid, pausedPid, pausedAtMs, resumedAtMs, afterPauseMs,
    });
    return {
      seconds, ttlMs, heartbeatMs, seed, durationMs: Date.now() - startedMs, unexpectedExits: unexpected,
      afterPauseMs, takeoverAfterKillMs: afterKillMs - killedAtMs, takeoverAfterPauseMs: afterPauseMs - pausedAtMs, pausedForMs: resumedAtMs - pausedAtMs,
      ...report,
    };
  } catch (error) {
    const exits = children.map((c) => `process ${c.pid}: exit ${c.exitCode ?? c.signalCode ?? 'running'}${c.stderrText ? `, stderr: ${c.stderrText.slice(0, 1000)}` : ''}`);
    const ownership = existsSync(ledgerPath) ? readFileSync(ledgerPath, 'utf8').split('\n').filter((l) => /^[ALFPWX] /.test(l)).slice(-40) : [];
    throw new Error(`${error.message}\n${exits.join('\n')}\nlast ownership lines of the ledger:\n${ownership.join('\n')}`, { cause: error });
  } finally {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    if (process.env.LEASE_KEEP_DIR === undefined) rmSync(dir, { recursive: true, force: true });
    else log(`kept ${dir}`);
  }
}

export function leaseReportMarkdown(r, command) {
  return [
    '# Lease campaign',
    '',
    `Command: \`${command}\` (${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${r.durationMs / 1000} s).${loadNote()}`,
    '',
    `Two durable schedulers on one SQLite file for ${r.seconds} s (lease ${r.ttlMs} ms, heartbeat ${r.heartbeatMs} ms), both standbys, both ` +
      `registering the same ${r.tasks} tasks at every start. The owner was SIGKILLed at 40% and restarted; the owner then was SIGSTOPped at 70% ` +
      `for ${r.pausedForMs} ms (with bodies in flight) and resumed. Seed ${r.seed}.`,
    '',
    '| measure | value |',
    '| --- | --- |',
    `| expected runs | ${r.expectedRuns} |`,
    `| succeeded | ${r.succeeded} |`,
    `| **lost** | **${r.lost}** of ${r.expectedRuns} |`,
    `| **duplicate completions** | **${r.duplicateCompletions}** |`,
    `| duplicate starts | ${r.duplicateStarts.total} (after the kill ${r.duplicateStarts.afterKill}, after the pause ${r.duplicateStarts.afterPause}, **two live owners ${r.duplicateStarts.twoLiveOwners}**) |`,
    `| **early starts** | **${r.earlyStarts}** |`,
    `| takeover after the kill | ${r.takeoverAfterKillMs} ms (lease ${r.ttlMs} ms) |`,
    `| takeover after the pause | ${r.takeoverAfterPauseMs} ms (lease ${r.ttlMs} ms) |`,
    `| writes of the paused owner refused after it resumed (fenced) | ${r.fencedWrites} (${Object.entries(r.fencedByOperation).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}) |`,
    `| **completions committed by the paused owner after the takeover** | **${r.completionsAfterTakeover}** |`,
    `| the paused owner took the lease back (a newer epoch) | ${r.pausedOwnerReacquiredMs === null ? 'no' : `yes, ${r.pausedOwnerReacquiredMs - r.afterPauseMs} ms after the takeover`} |`,
    `| the paused owner reported the lease lost | ${r.pausedOwnerLostLease ? 'yes' : 'no'} |`,
    `| **PRAGMA integrity_check** | **${r.integrityCheck}** |`,
    `| unexpected exits | ${r.unexpectedExits.length} |`,
    '',
  ].join('\n');
}

/**
 * What must hold whatever the machine's load. The takeover times are
 * reported, not judged: how soon a standby takes over after the lease lapses
 * depends on when it next gets the CPU (test/recovery/store-lease.test.ts
 * checks the lease arithmetic itself on the virtual clock).
 */
export function leaseCampaignFailed(r) {
  return r.lost > 0 || r.duplicateCompletions > 0 || r.earlyStarts > 0 || r.duplicateStarts.twoLiveOwners > 0 ||
    r.completionsAfterTakeover > 0 || !r.pausedOwnerLostLease || r.integrityCheck !== 'ok' || r.unexpectedExits.length > 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const option = (name, fallback) => {
    const i = args.indexOf(`--${name}`);
    return i < 0 ? fallback : args[i + 1];
  };
  const report = await runLeaseCampaign({
    seconds: Number(option('seconds', 60)), ttlMs: Number(option('ttl', 2000)), heartbeatMs: Number(option('heartbeat', 500)),
    seed: Number(option('seed', 1)), log: (line) => process.stderr.write(`${line}\n`),
  });
  const markdown = leaseReportMarkdown(report, `npm run test:lease -- ${args.join(' ')}`.trim());
  process.stdout.write(`${markdown}\n`);
  const reportPath = option('report', undefined);
  if (reportPath !== undefined) {
    writeFileSync(reportPath, markdown);
    writeFileSync(reportPath.replace(/\.md$/, '.json'), `${JSON.stringify(report, null, 2)}\n`);
  }
  process.exitCode = leaseCampaignFailed(report) ? 1 : 0;
}
