// The chaos campaign (issue 13): four Scheduler processes in cluster mode on
// one PostgreSQL database (chaos-child.mjs, the built package), running
// one-off, fixed-rate, fixed-delay and per-second cron tasks whose bodies
// append to a ledger outside the database, fsynced. Throughout the window:
// every 5 s a random process is SIGKILLed and a new one started; random
// processes are SIGSTOPped for longer than the lease, then SIGCONTed; in the
// middle the database server is restarted (fast shutdown: every connection
// cut). After the window the faults stop and the processes run until every
// task has ended; then they stop cleanly and the ledger and the store's
// records are checked against the expected slots (check-chaos.mjs).
//
// Every task uses the `catch-up` missed-run policy: a process that dies (or
// stalls) holding a recurring task's slot holds up that task's later slots
// until the rescue (lease + heartbeat), and only under catch-up does each of
// them still run, once (docs/design/cluster.md, "The price").
//
// The database is the campaign's own server (chaos-postgres.mjs), so that its
// restart does not break the other test files using the shared one.
//
//   node test/crash/chaos-campaign.mjs --minutes 10 [--ttl 2000] [--heartbeat 500] [--seed 1] [--report file.md]
//   npm run test:chaos -- --minutes 10
import '../../scripts/current-dist.mjs';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { loadNote } from './campaign.mjs';
import { startCampaignDatabase } from './chaos-postgres.mjs';
import { checkChaos } from './check-chaos.mjs';
// mulberry32, seeded: a campaign's plan can be replayed from its seed.
import { mulberry32 as random } from '../../bench/lib/random.mjs';

const CHILD = fileURLToPath(new URL('./chaos-child.mjs', import.meta.url));
/** The exit code of a child whose start the store refused (its database was down). */
const START_REFUSED = 75;
/** How long the final stop may take before the campaign kills what is left (an unexpected exit). */
const STOP_GUARD_MS = 180_000;


const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The workload: a few runs a second in all (the CI run shares the machine
 * with the rest of the suite), every kind the issue names, all from the
 * window's start to its end. Fixed-rate and cron tasks run maxExecutions
 * times, so their expected slots are known; a fixed-delay task runs until
 * its endAt, the window's end, and its runs must form one unbroken chain
 * until then. The drain after the window runs what the faults left late.
 */
function workload(rand, startMs, windowMs) {
  const missed = { policy: 'catch-up' };
  const retry = { attempts: 1000, backoff: 'fixed', delayMs: 0, jitter: 0 };
  const tasks = [];
  const seconds = Math.floor(windowMs / 1000);
  for (let i = 0; i < seconds * 2; i++) {
    tasks.push({ id: `once-${i}`, kind: 'once', fn: 'work', at: Math.round(startMs + rand() * (windowMs - 1000)), params: { workMs: Math.floor(rand() * 300) }, retry, missed });
  }
  for (const [i, periodMs] of [500, 700].entries()) {
    tasks.push({ id: `rate-${i}`, kind: 'fixed-rate', fn: 'work', every: periodMs, startAt: startMs, maxExecutions: Math.floor(windowMs / periodMs), params: { workMs: Math.floor(rand() * 100) }, retry, missed });
  }
  // A fixed-delay chain's length depends on how long each run and its hand-over take: it ends at the window's end.
  for (const [i, delayMs] of [300, 450].entries()) {
    tasks.push({ id: `delay-${i}`, kind: 'fixed-delay', fn: 'work', recurring: delayMs, startAt: startMs, endAt: startMs + windowMs, params: { workMs: Math.floor(rand() * 100) }, retry, missed });
  }
  for (let i = 0; i < 2; i++) {
    tasks.push({ id: `cron-${i}`, kind: 'cron', fn: 'work', cron: '* * * * * *', startAt: startMs, maxExecutions: seconds, params: { workMs: Math.floor(rand() * 100) }, retry, missed });
  }
  return tasks;
}

function spawnChild(env) {
  const child = spawn(process.execPath, [CHILD], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdoutText = '';
  child.stderrText = '';
  child.stdout.on('data', (chunk) => {
    child.stdoutText += chunk;
  });
  child.stderr.on('data', (chunk) => {
    child.stderrText += chunk;
  });
  child.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return child;
}

/** Runs the seeding child: schedules the tasks (nothing runs), returns each task's first slot. */
async function seed(env, tasks, manifestPath) {
  writeFileSync(manifestPath, JSON.stringify({ tasks: tasks.map(({ kind, ...task }) => task) }));
  const child = spawnChild({ ...env, CHAOS_MODE: 'seed' });
  const exit = await child.exited;
  if (exit.code !== 0) throw new Error(`seeding failed (${exit.code ?? exit.signal}): ${child.stderrText}`);
  return new Map(JSON.parse(child.stdoutText.trim().split('\n').at(-1)));
}

/** The store's execution records, as the checker reads them. */
async function readRecords(connectionString) {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    const { rows } = await client.query(
      `SELECT task_id, nominal_ms::float8 AS nominal_ms, outcome, attempt::float8 AS attempt, fencing_token::float8 AS fencing_token,
              started_at_ms, ended_at_ms, skip_reason FROM timeslice.executions`,
    );
    const open = await client.query('SELECT count(*)::int AS n FROM timeslice.open_slots');
    return {
      records: rows.map((r) => ({
        taskId: r.task_id, nominalMs: r.nominal_ms, outcome: r.outcome, attempt: r.attempt, fencingToken: r.fencing_token,
        startedAtMs: r.started_at_ms, endedAtMs: r.ended_at_ms, skipReason: r.skip_reason,
      })),
      openSlots: open.rows[0].n,
    };
  } finally {
    await client.end();
  }
}

/** How many tasks have not ended, or null while the database does not answer. */
async function unfinishedTasks(connectionString) {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    const { rows } = await client.query("SELECT count(*)::int AS n FROM timeslice.tasks WHERE status IN ('pending', 'running')");
    return rows[0].n;
  } catch {
    return null;
  } finally {
    await client.end().catch(() => {});
  }
}

export async function runChaosCampaign(options = {}) {
  const { minutes = 2, ttlMs = 2000, heartbeatMs = 500, pollMs = 250, processes = 4, killEveryMs = 5000, seed: seedValue = 1, log = () => {} } = options;
  const rand = random(seedValue);
  const startedMs = Date.now();
  const database = await startCampaignDatabase();
  const dir = mkdtempSync(join(tmpdir(), 'timeslice-chaos-'));
  const ledgerPath = join(dir, 'ledger.txt');
  const env = {
    CHAOS_DB: database.connectionString, CHAOS_LEDGER: ledgerPath, CHAOS_MANIFEST: join(dir, 'manifest.json'),
    CHAOS_TTL_MS: String(ttlMs), CHAOS_HEARTBEAT_MS: String(heartbeatMs), CHAOS_POLL_MS: String(pollMs),
  };
  const all = [];
  const exits = [];
  const faults = { kills: [], pauses: [], dbRestarts: [] };
  const refusedStarts = [];
  let cleaned;
  /** Ends every process, stops (and deletes) the database and the ledger: at the end, or when the campaign is interrupted. */
  const cleanUp = () => {
    cleaned ??= (async () => {
      for (const child of all) {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGCONT');
          child.kill('SIGKILL');
        }
      }
      await Promise.all(all.map((c) => c.exited));
      await database.stop().catch((error) => log(`stopping the database: ${error.message}`));
      if (process.env.CHAOS_KEEP_DIR === undefined) rmSync(dir, { recursive: true, force: true });
      else log(`kept ${dir}`);
    })();
    return cleaned;
  };
  // Interrupted (Ctrl-C, a runner's timeout): no process or server of the campaign's is left behind.
  const interrupted = (signal) => {
    log(`${signal}: cleaning up`);
    void cleanUp().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    log(`database: ${database.description}`);
    const windowMs = Math.round(minutes * 60_000);
    // The window opens once the seeding and the processes' starts are done (a few seconds even on a busy machine).
    const windowStartMs = Math.ceil((Date.now() + 6_000) / 1000) * 1000;
    const windowEndMs = windowStartMs + windowMs;
    const tasks = workload(rand, windowStartMs, windowMs);
    const firstSlots = await seed(env, tasks, env.CHAOS_MANIFEST);
    const manifest = tasks.map((t) => ({
      id: t.id, kind: t.kind, firstMs: firstSlots.get(t.id), periodMs: t.every, delayMs: t.recurring, maxExecutions: t.maxExecutions, endAtMs: t.endAt,
    }));

    // The live processes, by slot: a killed one is replaced in its slot.
    const live = [];
    const paused = new Set();
    let stopping = false;
    const watch = (child) => {
      all.push(child);
      child.exited.then((exit) => {
        exits.push({ pid: child.pid, ...exit, killed: child.killedOnPurpose === true, stopped: child.stoppedOnPurpose === true, stderr: child.stderrText.slice(0, 2000) });
        const index = live.indexOf(child);
        // A start the store refused (its database was down): started again, as a supervisor would.
        if (exit.code === START_REFUSED && index >= 0 && !stopping) {
          refusedStarts.push({ pid: child.pid, atMs: Date.now() });
          setTimeout(() => {
            if (!stopping && live[index] === child) live[index] = watch(spawnChild(env));
          }, 500);
        }
      });
      return child;
    };
    for (let i = 0; i < processes; i++) live.push(watch(spawnChild(env)));

    const killLoop = async () => {
      for (let next = windowStartMs + killEveryMs; next < windowEndMs; next += killEveryMs) {
        await sleep(next - Date.now());
        const index = Math.floor(rand() * live.length);
        const child = live[index];
        child.killedOnPurpose = true;
        const atMs = Date.now();
        child.kill('SIGKILL');
        faults.kills.push({ pid: child.pid, atMs });
        paused.delete(child);
        await child.exited;
        live[index] = watch(spawnChild(env));
        log(`SIGKILL ${child.pid}; started ${live[index].pid}`);
      }
    };
    const pauseLoop = async () => {
      await sleep(windowStartMs - Date.now());
      for (;;) {
        await sleep(1_000 + rand() * 4_000);
        const pauseMs = Math.round(ttlMs * (1.25 + rand() * 1.5));
        if (Date.now() + pauseMs > windowEndMs) return;
        const candidates = live.filter((c) => !paused.has(c) && !c.killedOnPurpose && c.exitCode === null && c.signalCode === null);
        if (candidates.length === 0) continue;
        const child = candidates[Math.floor(rand() * candidates.length)];
        paused.add(child);
        const fromMs = Date.now();
        child.kill('SIGSTOP');
        await sleep(pauseMs);
        // Killed meanwhile: the pause ended with the kill.
        const kill = faults.kills.find((k) => k.pid === child.pid && k.atMs >= fromMs);
        if (kill === undefined) child.kill('SIGCONT');
        paused.delete(child);
        faults.pauses.push({ pid: child.pid, fromMs, toMs: kill?.atMs ?? Date.now() });
        log(`SIGSTOP ${child.pid} for ${(kill?.atMs ?? Date.now()) - fromMs} ms`);
      }
    };
    const restartLoop = async () => {
      if (database.restart === null) return;
      await sleep(windowStartMs + windowMs / 2 - Date.now());
      const restart = await database.restart();
      faults.dbRestarts.push(restart);
      log(`PostgreSQL restarted: down ${restart.upAtMs - restart.downAtMs} ms`);
    };
    await Promise.all([killLoop(), pauseLoop(), restartLoop()]);
    log('window over: no more faults; draining');

    // The drain: every process runs (none paused) until no task is left, or the ledger stops growing for a minute.
    const drainStartMs = Date.now();
    let size = -1;
    let grewAtMs = Date.now();
    let drained = false;
    while (!drained && Date.now() - grewAtMs < 60_000) {
      await sleep(500);
      drained = (await unfinishedTasks(database.connectionString)) === 0;
      const now = existsSync(ledgerPath) ? statSync(ledgerPath).size : 0;
      if (now !== size) {
        size = now;
        grewAtMs = Date.now();
      }
    }
    const drainMs = Date.now() - drainStartMs;
    stopping = true;
    const stopStartMs = Date.now();
    const stopMs = [];
    for (const child of live) {
      child.stoppedOnPurpose = true;
      child.kill('SIGTERM');
      child.exited.then(() => stopMs.push(Date.now() - stopStartMs));
    }
    // Only a stop that never ends is cut short (and reported as an unexpected exit,
    // with the phases it wrote to stderr). A clean stop first writes the ends it
    // holds, and while the store fails it tries them again after a backoff of up
    // to 30 s (cluster-runner.ts stop(), store-backoff.ts): a guard of 30 s, as
    // this once was, killed one such stop in a full run on a loaded machine.
    const stopGuard = setTimeout(() => {
      for (const child of live) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }, STOP_GUARD_MS);
    await Promise.all(live.map((c) => c.exited));
    clearTimeout(stopGuard);
    await sleep(0);

    const { records, openSlots } = await readRecords(database.connectionString);
    const check = checkChaos({ ledgerText: readFileSync(ledgerPath, 'utf8'), records, tasks: manifest, faults, leaseMs: ttlMs });
    const unexpectedExits = exits.filter((e) => !(e.killed && e.signal === 'SIGKILL') && !(e.stopped && e.code === 0) && e.code !== START_REFUSED);
    const pauseLengths = faults.pauses.map((p) => p.toMs - p.fromMs).sort((a, b) => a - b);
    return {
      minutes, ttlMs, heartbeatMs, pollMs, processes, killEveryMs, seed: seedValue,
      database: database.description, ownServer: database.own,
      durationMs: Date.now() - startedMs, windowMs, drainMs, drained, openSlotsLeft: openSlots, slowestStopMs: Math.max(0, ...stopMs),
      tasks: Object.fromEntries(['once', 'fixed-rate', 'fixed-delay', 'cron'].map((k) => [k, tasks.filter((t) => t.kind === k).length])),
      faults: {
        kills: faults.kills.length, pauses: faults.pauses.length, pauseMs: { min: pauseLengths[0] ?? null, max: pauseLengths.at(-1) ?? null },
        dbRestarts: faults.dbRestarts.map((r) => ({ downMs: r.upAtMs - r.downAtMs })), refusedStarts: refusedStarts.length,
      },
      processesStarted: all.length,
      unexpectedExits,
      // Every fault with its process and times: a duplicate start the checker could not explain can be read against them.
      faultLog: faults,
      ...check,
    };
  } catch (error) {
    const lines = all.map((c) => `process ${c.pid}: exit ${c.exitCode ?? c.signalCode ?? 'running'}${c.stderrText ? `, stderr: ${c.stderrText.slice(0, 1000)}` : ''}`);
    throw new Error(`${error.message}\n${lines.join('\n')}`, { cause: error });
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    await cleanUp();
  }
}

/** What must hold whatever the machine's load (the issue's required zeros, and a campaign that ran as planned). */
export function chaosCampaignFailed(r) {
  const cronOnce = r.cron.seconds > 0 && r.cron.runCounts[1] === r.cron.seconds;
  return r.lost > 0 || r.duplicateCompletions > 0 || r.earlyStarts > 0 || !cronOnce || r.unfencedLateCompletions > 0 ||
    r.fixedDelay.chainBreaks > 0 || !r.drained || r.unexpectedExits.length > 0;
}

const entries = (o) => Object.entries(o).map(([k, v]) => `${k}: ${v}`).join(', ') || 'none';

export function chaosReportMarkdown(r, command) {
  const restart = r.faults.dbRestarts.length === 0
    ? 'no restart (the shared server cannot be restarted under the other tests)'
    : `restarted once in the middle (pg_ctl stop -m fast, then start: down ${r.faults.dbRestarts.map((d) => d.downMs).join(', ')} ms)`;
  return [
    '# Chaos campaign',
    '',
    `Command: \`${command}\` (${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${(r.durationMs / 1000).toFixed(1)} s).${loadNote()}`,
    '',
    `${r.processes} Scheduler processes in cluster mode (the built package: \`new Scheduler({ store: postgresStore({ connectionString }), ` +
      `cluster: { pollMs: ${r.pollMs} }, lease: { ttlMs: ${r.ttlMs}, heartbeatMs: ${r.heartbeatMs} } })\`) on one database, ${r.database}. ` +
      `For ${r.windowMs / 1000} s: ${r.tasks.once} one-offs, ${r.tasks['fixed-rate']} fixed-rate, ${r.tasks['fixed-delay']} fixed-delay and ` +
      `${r.tasks.cron} per-second cron tasks, every one with the \`catch-up\` missed-run policy (docs/design/cluster.md: a process that dies holding ` +
      `a recurring task's slot holds up its later slots until the rescue; under catch-up each of them still runs once, under the default run-once ` +
      `they would be recorded skipped). Each body appends its start and end to a ledger outside the database (fsynced); each process appends the ` +
      `ends it was told were committed, its fenced writes and its lost leases. Seed ${r.seed}.`,
    '',
    `Faults: a random process SIGKILLed every ${r.killEveryMs / 1000} s and a new one started (${r.faults.kills} kills); ` +
      `${r.faults.pauses} SIGSTOPs of ${r.faults.pauseMs.min}-${r.faults.pauseMs.max} ms (lease ${r.ttlMs} ms), then SIGCONT; the database ${restart}` +
      `${r.faults.refusedStarts > 0 ? `; ${r.faults.refusedStarts} process starts refused while it was down (started again)` : ''}. ` +
      `${r.processesStarted} processes started in all. After the window the faults stop and the processes run until every task has ended ` +
      `(${(r.drainMs / 1000).toFixed(1)} s), then stop cleanly.`,
    '',
    '| measure | value |',
    '| --- | --- |',
    `| expected runs | ${r.expectedRuns} (${entries(Object.fromEntries(Object.entries(r.byKind).map(([k, v]) => [k, v.expected])))}) |`,
    `| succeeded | ${r.succeeded} |`,
    `| **lost** | **${r.lost}** of ${r.expectedRuns} (recorded done without a start: ${r.completedWithoutStart}) |`,
    `| duplicate starts | ${r.duplicateStarts.total} (after a SIGKILL ${r.duplicateStarts.kill}, after a SIGSTOP ${r.duplicateStarts.pause}, ` +
      `lease lost through the database restart ${r.duplicateStarts.dbRestart}, lease lost otherwise ${r.duplicateStarts.leaseLost}, ` +
      `**unexplained ${r.duplicateStarts.unexplained}**; the superseded body had ended in ${r.duplicateStarts.earlierBodyHadEnded}, ` +
      `had not started yet in ${r.duplicateStarts.startedAfterSuccessor}; both starts of the same attempt in ${r.duplicateStarts.sameAttempt}) |`,
    `| **duplicate completions** | **${r.duplicateCompletions}** (ends committed whose ledger line a kill cut off, counted from the store's record: ${r.committedWithoutLedgerLine}) |`,
    `| **completions committed by a superseded attempt** (unfenced late writes) | **${r.unfencedLateCompletions}** |`,
    `| **early starts** | **${r.earlyStarts}** |`,
    `| fenced late writes (refused) | ${r.fencedLateWrites.total} from ${r.fencedLateWrites.processes} processes (${entries(r.fencedLateWrites.byOperation)}) |`,
    `| processes told they were declared dead | ${r.leaseLostReports} |`,
    `| **cron seconds run exactly once** | **${r.cron.runCounts[1] ?? 0} of ${r.cron.seconds}** (runs per second: ${entries(r.cron.runCounts)}; starts per second: ${entries(r.cron.startCounts)}) |`,
    `| fixed-delay runs | ${r.fixedDelay.runs} in ${r.fixedDelay.tasks} chains, each slot its delay after the run before ended, to the window's end; **chain breaks ${r.fixedDelay.chainBreaks}** |`,
    `| lateness of first start p50 / p99 / max | ${r.latenessMs.p50} / ${r.latenessMs.p99} / ${r.latenessMs.max} ms ` +
      `(${Object.entries(r.latenessMsByKind).map(([k, l]) => `${k} ${l.p50} / ${l.p99} / ${l.max}`).join('; ')}) |`,
    `| store errors ridden out | ${r.storeErrors} |`,
    `| ledger lines torn by a kill | ${r.tornLedgerLines} |`,
    `| open slots left after the drain | ${r.openSlotsLeft} |`,
    `| unexpected exits | ${r.unexpectedExits.length} |`,
    `| slowest clean stop (SIGTERM to exit) | ${r.slowestStopMs} ms |`,
    '',
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const option = (name, fallback) => {
    const i = args.indexOf(`--${name}`);
    return i < 0 ? fallback : args[i + 1];
  };
  const report = await runChaosCampaign({
    minutes: Number(option('minutes', 2)), ttlMs: Number(option('ttl', 2000)), heartbeatMs: Number(option('heartbeat', 500)),
    seed: Number(option('seed', 1)), log: (line) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`),
  });
  const markdown = chaosReportMarkdown(report, `npm run test:chaos -- ${args.filter((a, i) => a !== '--report' && args[i - 1] !== '--report').join(' ')}`.trim());
  process.stdout.write(`${markdown}\n`);
  const reportPath = option('report', undefined);
  if (reportPath !== undefined) {
    writeFileSync(reportPath, markdown);
    writeFileSync(reportPath.replace(/\.md$/, '.json'), `${JSON.stringify(report, null, 2)}\n`);
  }
  process.exitCode = chaosCampaignFailed(report) ? 1 : 0;
}
