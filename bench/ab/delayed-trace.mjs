// Where the loaded lateness goes: the timers suite's delayed tasks (1e4 over
// 1 s, 2 s of lead) while busy-loop processes keep every core busy, timeslice
// against setTimeout, each sample a fresh process (the arms rotating, as in
// suites/timers/delayed-loaded.mjs).
//
//   node bench/ab/delayed-trace.mjs [rounds=3] [tasks=1e4] [warmUps=1]
//
// warmUps: untimed rounds (1 s windows, 100 ms of lead) before the traced one,
// in the same process: how warm the firing path is (delayed-loaded.mjs).
//
// Each sample records when every task ran. Runs less than 0.05 ms apart are
// one batch (one wake-up of the process); the gap from one batch to the next
// is how long the process slept, plus how long the OS then kept it waiting
// for a core. Printed per sample: lateness p50/p99, batches, the gaps'
// p50/p90/p99 and how many exceeded 3 ms, the process CPU of the window
// (from 20 ms before its start to the last run: what firing the timers cost,
// registration excluded), and, on Linux, each thread's run time and
// run-queue wait over the same span (/proc/self/task/*/schedstat).
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { alternate, sampleInFreshProcess } from '../lib/fresh-process.mjs';
import { loadAverage } from '../lib/machine.mjs';
import { windowOffsets } from '../lib/random.mjs';
import { percentile } from '../lib/stats.mjs';
import { startBusyLoops } from '../suites/timers/busy-loops.mjs';

const WINDOW_MS = 1000;
const LEAD_MS = 2000;
/** Task runs closer than this, ms, belong to one wake-up. */
const BATCH_GAP_MS = 0.05;
/** A gap between batches above this, ms, is a stall: the process waited for a core (the host timers wake it about every 1.1 ms). */
const STALL_MS = 3;

/** Per thread of this process: CPU run and run-queue wait, ns, and its name (Linux; empty elsewhere). */
function threadTimes() {
  const out = new Map();
  let tids;
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      const [runNs, waitNs] = readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ').map(Number);
      out.set(tid, { name: readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim(), runNs, waitNs });
    } catch {
      // The thread ended meanwhile.
    }
  }
  return out;
}

async function sample(implName, tasks, warmUps) {
  let after;
  let scheduler;
  if (implName === 'timeslice') {
    const timeslice = await import('../../dist/index.js');
    scheduler = new timeslice.Scheduler().start();
    after = (delayMs, fn) => scheduler.after(delayMs, fn);
  } else {
    after = (delayMs, fn) => setTimeout(fn, delayMs);
  }
  const round = async (offsets, leadMs, record) => {
    const n = offsets.length;
    const intended = new Float64Array(n);
    const ranAt = new Float64Array(n);
    let count = 0;
    let finish;
    const done = new Promise((resolve) => {
      finish = resolve;
    });
    const windowStartMs = performance.now() + leadMs;
    for (let i = 0; i < n; i++) {
      intended[i] = windowStartMs + offsets[i];
      after(Math.max(0, intended[i] - performance.now()), () => {
        ranAt[i] = performance.now();
        if (++count === n) finish();
      });
    }
    let before;
    // The same extra timer for both: the snapshot just before the window.
    if (record) setTimeout(() => (before = { threads: threadTimes(), cpu: process.cpuUsage() }), leadMs - 20);
    await done;
    if (!record) return undefined;
    const cpu = process.cpuUsage(before.cpu);
    const threads = [];
    for (const [tid, now] of threadTimes()) {
      const then = before.threads.get(tid) ?? { runNs: 0, waitNs: 0 };
      const runMs = (now.runNs - then.runNs) / 1e6;
      if (runMs >= 0.5) threads.push({ thread: `${tid} ${now.name}`, runMs, waitMs: (now.waitNs - then.waitNs) / 1e6 });
    }
    return { intended, ranAt, windowCpuMs: (cpu.user + cpu.system) / 1000, threads };
  };
  for (let w = 0; w < warmUps; w++) await round(windowOffsets(0x7153 + 16 + w, tasks, WINDOW_MS), 100, false);
  const { intended, ranAt, windowCpuMs, threads } = await round(windowOffsets(0x7153 + 3, tasks, WINDOW_MS), LEAD_MS, true);
  await scheduler?.stop();
  const lateness = ranAt.map((t, i) => t - intended[i]).sort();
  const order = [...ranAt].sort((a, b) => a - b);
  const gaps = [];
  let last = order[0];
  for (const t of order) {
    if (t - last > BATCH_GAP_MS) gaps.push(t - last);
    last = t;
  }
  gaps.sort((a, b) => a - b);
  const q = (sorted, p) => percentile(sorted, p);
  return {
    impl: implName,
    p50Ms: q(lateness, 0.5),
    p99Ms: q(lateness, 0.99),
    batches: gaps.length + 1,
    gapP50Ms: q(gaps, 0.5),
    gapP90Ms: q(gaps, 0.9),
    gapP99Ms: q(gaps, 0.99),
    stalls: gaps.filter((g) => g > STALL_MS).length,
    windowCpuMs,
    threads,
  };
}

if (process.argv[2] === '--sample') {
  const result = await sample(process.argv[3], Number(process.argv[4]), Number(process.argv[5]));
  process.stdout.write(`${JSON.stringify(result)}\n`);
} else {
  const [roundsArg = '3', tasksArg = '1e4', warmUpsArg = '1'] = process.argv.slice(2);
  const rounds = Number(roundsArg);
  const tasks = Number(tasksArg);
  const script = fileURLToPath(import.meta.url);
  const stopLoops = await startBusyLoops();
  try {
    alternate(['timeslice', 'setTimeout'], rounds, (impl) => {
      const load = loadAverage()[0];
      const s = sampleInFreshProcess(script, ['--sample', impl, String(tasks), warmUpsArg]);
      const f = (x) => x.toFixed(2);
      console.log(
        `${impl.padEnd(10)} load ${load}: lateness p50 ${f(s.p50Ms)} p99 ${f(s.p99Ms)} ms | ${s.batches} batches, gaps p50 ${f(s.gapP50Ms)} p90 ${f(s.gapP90Ms)} p99 ${f(s.gapP99Ms)} ms, ${s.stalls} > ${STALL_MS} ms | window CPU ${s.windowCpuMs.toFixed(1)} ms`,
      );
      for (const t of s.threads) console.log(`    thread ${t.thread}: run ${t.runMs.toFixed(1)} ms, waited ${t.waitMs.toFixed(1)} ms`);
      return s;
    });
  } finally {
    await stopLoops();
  }
}
