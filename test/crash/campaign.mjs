// The crash campaign: a durable scheduler over a SqliteStore in a child
// process (child.mjs), killed with SIGKILL again and again, at random moments
// and at named crash points, restarted each time; at the end one last child
// runs until every task has ended, and the ledger the task bodies kept outside
// the database is checked against the expected slots (check-ledger.mjs).
//
//   node test/crash/campaign.mjs --kills 500 [--once N] [--recurring 20] [--runs N] [--seed 1] [--report file.md]
//   (defaults: once = max(1500, 30 x kills), runs = max(30, 0.6 x kills))
//   npm run test:crash -- --kills 500
//
// The workload: `once` one-off tasks spread over the campaign, and
// `recurring` fixed-rate tasks of `runs` runs each, their periods spread so
// that they too run throughout; a third each under the missed-run policies
// catch-up, skip and run-once (grace: half a period), so restarts make some
// slots missed. Every task gets many attempts (a crash counts as one). A
// quarter of the one-offs and of the recurring tasks fail each slot's first
// attempt on purpose (failFirst), retried after a 300 ms backoff, so kills
// land between a failed attempt's end and its retry's start too.
// Each restart draws its fault: a named crash point (after-claim, after-body,
// in-batch-write, after-failed-end) at its n-th passage, a kill at a random
// moment after the child is ready, or a kill during start-up (recovery itself
// interrupted).
import '../../scripts/current-dist.mjs';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkCampaign } from './check-ledger.mjs';
// mulberry32, seeded: a campaign's plan can be replayed from its seed.
import { mulberry32 as random } from '../../bench/lib/random.mjs';

const CHILD = fileURLToPath(new URL('./child.mjs', import.meta.url));


/**
 * Runs the child. `timeoutMs` bounds its life; `stalledAfterMs` kills it only
 * when the ledger has not grown for that long (counted from its `ready` with
 * `stallFromReady`): how long the backlog of a loaded machine takes to drain
 * is not known in advance, a run that makes no progress is.
 * `killAfterLedgerBytes` kills it once it has written that much to the ledger:
 * a life bounded by the work it did, not by wall time, so a loaded machine
 * gives a named crash point the same chance to be reached as a quiet one.
 */
function runChild(env, { killAfterReadyMs, killAfterSpawnMs, killAfterLedgerBytes, timeoutMs, stalledAfterMs, stallFromReady = false }) {
  return new Promise((resolve, reject) => {
    const ledgerSize = () => (existsSync(env.CRASH_LEDGER) ? statSync(env.CRASH_LEDGER).size : 0);
    const ledgerAtSpawn = ledgerSize();
    const child = spawn(process.execPath, [CHILD], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let killedByParent = false;
    let ready = false;
    const timers = [];
    const kill = () => {
      if (child.exitCode === null && child.signalCode === null) {
        killedByParent = true;
        child.kill('SIGKILL');
      }
    };
    if (killAfterSpawnMs !== undefined) timers.push(setTimeout(kill, killAfterSpawnMs));
    timers.push(setTimeout(kill, timeoutMs));
    let grewAtMs = Date.now();
    if (stalledAfterMs !== undefined || killAfterLedgerBytes !== undefined) {
      let size = -1;
      const watch = setInterval(
        () => {
          const now = ledgerSize();
          if (killAfterLedgerBytes !== undefined && now - ledgerAtSpawn >= killAfterLedgerBytes) kill();
          if (now !== size) {
            size = now;
            grewAtMs = Date.now();
          } else if (stalledAfterMs !== undefined && (ready || !stallFromReady) && Date.now() - grewAtMs > stalledAfterMs) {
            kill();
          }
        },
        killAfterLedgerBytes !== undefined ? 20 : 1_000,
      );
      timers.push(watch);
    }
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      if (!ready && stdout.includes('ready\n')) {
        ready = true;
        grewAtMs = Date.now();
        if (killAfterReadyMs !== undefined) timers.push(setTimeout(kill, killAfterReadyMs));
      }
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      for (const timer of timers) clearTimeout(timer);
      resolve({ code, signal, killedByParent, ready, stdout, stderr });
    });
  });
}

/** Whether the run had the cores kept busy (scripts/with-load.mjs sets TIMESLICE_LOAD_PIDS). */
export function loadNote() {
  const pids = process.env.TIMESLICE_LOAD_PIDS;
  return pids ? ` With ${pids.split(',').length} busy-loop processes keeping the cores busy (scripts/with-load.mjs).` : '';
}

const NAMED_POINTS = ['after-claim', 'after-body', 'in-batch-write', 'after-failed-end'];
// A named point's life: lives that reached their point wrote 0.1-2.7 KB of
// ledger first, a random kill's life (50-750 ms after ready) up to 35 KB
// (seed 5, npm test's size, a quiet machine).
const NAMED_POINT_LEDGER_BYTES = 32_768;

/** Runs a campaign and returns its report (see check-ledger.mjs for the definitions). */
export async function runCampaign(options = {}) {
  // The work grows with the kills, so that the last kills still land on a busy scheduler.
  const { kills = 50, recurring = 20, seed = 1, log = () => {} } = options;
  const once = options.once ?? Math.max(1500, kills * 30);
  const runs = options.runs ?? Math.max(30, Math.round(kills * 0.6));
  const rand = random(seed);
  const dir = mkdtempSync(join(tmpdir(), 'timeslice-crash-'));
  const dbPath = join(dir, 'campaign.db');
  const ledgerPath = join(dir, 'ledger.txt');
  const manifestPath = join(dir, 'manifest.json');
  const startedMs = Date.now();
  try {
    // A life lasts about 0.5 s (start-up, then the fault): spread the work over the lives to come.
    const spanMs = Math.max(5_000, kills * 500);
    const t0 = Date.now() + 1_500;
    const retry = { attempts: 1000, backoff: 'fixed', delayMs: 0, jitter: 0 };
    // A planned failure's retry waits 300 ms: long enough for random kills to land in it.
    const failRetry = { ...retry, delayMs: 300 };
    const tasks = [];
    for (let i = 0; i < once; i++) {
      const failFirst = i % 4 === 0;
      tasks.push({
        id: `once-${i}`, fn: 'work', at: Math.round(t0 + rand() * spanMs), params: { workMs: Math.floor(rand() * 20), failFirst },
        retry: failFirst ? failRetry : retry,
      });
    }
    const policies = ['catch-up', 'skip', 'run-once'];
    for (let i = 0; i < recurring; i++) {
      const periodMs = Math.round((spanMs / runs) * (0.6 + 0.4 * rand()));
      const policy = policies[i % 3];
      const failFirst = i % 4 === 1;
      tasks.push({
        id: `every-${i}`, fn: 'work', every: periodMs, maxExecutions: runs, params: { workMs: Math.floor(rand() * 20), failFirst },
        retry: failFirst ? failRetry : retry,
        missed: policy === 'catch-up' ? { policy } : { policy, graceMs: Math.round(periodMs / 2) },
      });
    }
    writeFileSync(manifestPath, JSON.stringify({ tasks }));
    const env = { CRASH_DB: dbPath, CRASH_LEDGER: ledgerPath, CRASH_MANIFEST: manifestPath };
    const seeded = await runChild({ ...env, CRASH_MODE: 'seed' }, { timeoutMs: 60_000 });
    if (seeded.code !== 0) throw new Error(`seeding failed: ${seeded.stderr}`);
    const firstSlots = new Map(JSON.parse(seeded.stdout.trim().split('\n').at(-1)));
    const manifest = {
      tasks: tasks.map((t) => ({
        id: t.id, kind: t.at === undefined ? 'every' : 'once', firstMs: firstSlots.get(t.id), periodMs: t.every, maxExecutions: t.maxExecutions,
        attempts: t.retry.attempts,
      })),
    };

    const faults = { 'after-claim': 0, 'after-body': 0, 'in-batch-write': 0, 'after-failed-end': 0, random: 0, 'during-start': 0 };
    const unexpected = [];
    for (let k = 0; k < kills; k++) {
      const draw = rand();
      let result;
      if (draw < 0.45) {
        const point = NAMED_POINTS[Math.floor(rand() * NAMED_POINTS.length)];
        const at = 1 + Math.floor(rand() * (point === 'in-batch-write' ? 30 : 8));
        // The point may not be reached (its n-th passage may never come): after
        // NAMED_POINT_LEDGER_BYTES of work, or 4 s after its ready without any,
        // the parent's kill counts as a random one. A wall-time bound here (it
        // was 4 s from spawn) let a loaded machine reach no named point at all.
        result = await runChild(
          { ...env, CRASH_POINT: point, CRASH_AT: String(at) },
          { killAfterLedgerBytes: NAMED_POINT_LEDGER_BYTES, stalledAfterMs: 4_000, stallFromReady: true, timeoutMs: 600_000 },
        );
        faults[result.killedByParent ? 'random' : point]++;
      } else if (draw < 0.55) {
        result = await runChild(env, { killAfterSpawnMs: Math.floor(rand() * 400), timeoutMs: 4_000 });
        faults[result.ready ? 'random' : 'during-start']++;
      } else {
        result = await runChild(env, { killAfterReadyMs: 50 + Math.floor(rand() * 700), timeoutMs: 4_000 });
        faults.random++;
      }
      if (result.signal !== 'SIGKILL') unexpected.push({ life: k, code: result.code, signal: result.signal, stderr: result.stderr.slice(0, 2000) });
      log(`kill ${k + 1}/${kills}: ${result.killedByParent ? 'killed by the campaign' : 'killed itself at its crash point'}`);
    }
    // The final run drains what the lives left; under load that takes long, so only a stall (no ledger line for 2 min) stops it.
    const final = await runChild({ ...env, CRASH_MODE: 'final' }, { timeoutMs: 3_600_000, stalledAfterMs: 120_000 });
    if (final.code !== 0) unexpected.push({ life: 'final', code: final.code, signal: final.signal, stderr: final.stderr.slice(0, 2000) });
    const report = checkCampaign({ dbPath, ledgerPath, manifest });
    const failFirst = tasks.filter((t) => t.params.failFirst).length;
    return { kills, faults, tasks: { once, recurring, runsPerRecurring: runs, failFirst }, seed, durationMs: Date.now() - startedMs, unexpectedExits: unexpected, ...report };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The report as Markdown, for test/reports/. */
export function reportMarkdown(report, command) {
  const lines = [
    '# Crash campaign',
    '',
    `Command: \`${command}\` (${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${report.durationMs / 1000} s).${loadNote()}`,
    '',
    `Workload: ${report.tasks.once} one-off tasks and ${report.tasks.recurring} fixed-rate tasks of ${report.tasks.runsPerRecurring} runs each ` +
      `(missed-run policies catch-up, skip and run-once in turn; ${report.tasks.failFirst} of them fail each slot's first attempt, retried after 300 ms), ` +
      `a durable Scheduler over a SqliteStore (WAL, synchronous=FULL) ` +
      `in a child process, killed ${report.kills} times with SIGKILL, then run to the end. Seed ${report.seed}.`,
    '',
    `Kills: ${Object.entries(report.faults).map(([k, v]) => `${k} ${v}`).join(', ')}.`,
    '',
    '| measure | value |',
    '| --- | --- |',
    `| expected runs | ${report.expectedRuns} |`,
    `| succeeded | ${report.succeeded} |`,
    `| **lost** | **${report.lost}** of ${report.expectedRuns} (recorded done without a start: ${report.completedWithoutStart}) |`,
    `| skipped by policy | ${report.skippedByPolicy} slots (${Object.entries(report.skipReasons).map(([r, n]) => `${n} "${r}"`).join('; ') || 'none'}) |`,
    `| dead-lettered (attempts exhausted) | ${report.deadLettered} |`,
    `| duplicate starts | ${report.duplicateStarts.total} (crash during the body ${report.duplicateStarts.crashDuringBody}, crash after the body before its completion ${report.duplicateStarts.crashAfterBodyBeforeCompletion}) |`,
    `| retries of a planned failure | ${report.retriesAfterFailure} (not duplicates: the attempt before failed; **retries lost** (a slot ended failed with attempts left): **${report.retriesLost}**, counted as lost) |`,
    `| **duplicate completions** | **${report.duplicateCompletions}** |`,
    `| **early starts** | **${report.earlyStarts}** |`,
    `| retries resumed from saved state | ${report.resumedFromSavedState} |`,
    `| lateness of first start p50 / p99 / max | ${report.latenessMs.p50} / ${report.latenessMs.p99} / ${report.latenessMs.max} ms |`,
    `| ledger lines torn by a kill | ${report.tornLedgerLines} |`,
    `| **PRAGMA integrity_check** | **${report.integrityCheck}** |`,
    `| unexpected exits | ${report.unexpectedExits.length} |`,
    '',
  ];
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const option = (name, fallback) => {
    const i = args.indexOf(`--${name}`);
    return i < 0 ? fallback : args[i + 1];
  };
  const options = {
    kills: Number(option('kills', 50)),
    once: option('once', undefined) === undefined ? undefined : Number(option('once')),
    recurring: Number(option('recurring', 20)),
    runs: option('runs', undefined) === undefined ? undefined : Number(option('runs')),
    seed: Number(option('seed', 1)),
    log: (line) => process.stderr.write(`${line}\n`),
  };
  const report = await runCampaign(options);
  const markdown = reportMarkdown(report, `npm run test:crash -- ${args.join(' ')}`.trim());
  process.stdout.write(`${markdown}\n`);
  const reportPath = option('report', undefined);
  if (reportPath !== undefined) {
    writeFileSync(reportPath, markdown);
    writeFileSync(reportPath.replace(/\.md$/, '.json'), `${JSON.stringify(report, null, 2)}\n`);
  }
  const failed = report.lost > 0 || report.duplicateCompletions > 0 || report.earlyStarts > 0 || report.integrityCheck !== 'ok' || report.unexpectedExits.length > 0;
  process.exitCode = failed ? 1 : 0;
}
