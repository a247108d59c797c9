// Insert + cancel through the public API, two builds compared: 1e5
// `after(delayMs, () => fire(i))` with a closure made per timer in the timed
// region, then every handle's `cancel()` in the order set, on one started
// Scheduler, as bench/suites/timers insert-cancel does. Each build runs in
// processes of its own, alternating A, B, B, A, ... (the order swaps each
// round: what ran before a process moves it); a process does `--reps`
// repetitions and reports the median CPU and wall ms of the repetitions after
// the first (the first compiles). Prints per build the median of the process
// medians with p25-p75, and in how many rounds B cost less CPU than A.
//
//   node --expose-gc bench/ab/timers-insert-cancel-ab.mjs A/dist/index.js B/dist/index.js
//        [--pattern random|one-delay] [--rounds 9] [--reps 7] [--n 100000]
//
// For an instruction count (load-insensitive), run one build's process under
// callgrind:
//   valgrind --tool=callgrind node --single-threaded --predictable-gc-schedule \
//     bench/ab/timers-insert-cancel-ab.mjs --one A/dist/index.js --reps 3
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { requireCurrentBuildOf } from '../../scripts/build-inputs.mjs';
import { mulberry32 } from '../lib/random.mjs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    one: { type: 'string' },
    pattern: { type: 'string', default: 'random' },
    rounds: { type: 'string', default: '9' },
    reps: { type: 'string', default: '7' },
    n: { type: 'string', default: '100000' },
  },
});
const n = Number(values.n);
const reps = Number(values.reps);

if (values.one !== undefined) {
  const { Scheduler } = await import(pathToFileURL(path.resolve(values.one)).href);
  const delays = delaysFor(values.pattern, 7, n);
  let fired = 0;
  const fire = (i) => {
    fired += i + 1;
  };
  const scheduler = new Scheduler().start();
  const handles = new Array(n).fill(null);
  const samples = [];
  for (let r = 0; r < reps; r++) {
    globalThis.gc?.();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < n; i++) handles[i] = scheduler.after(delays[i], () => fire(i));
    for (let i = 0; i < n; i++) handles[i].cancel();
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    samples.push({ wallMs, cpuMs: (cpu.user + cpu.system) / 1000 });
  }
  if (fired !== 0 || scheduler.stats().live !== 0) throw new Error('timers insert-cancel A/B: a timer fired or was left live');
  await scheduler.stop();
  const steady = samples.length > 1 ? samples.slice(1) : samples;
  console.log(JSON.stringify({ cpuMs: median(steady.map((s) => s.cpuMs)), wallMs: median(steady.map((s) => s.wallMs)) }));
} else {
  if (positionals.length !== 2) throw new Error('give two builds: A/dist/index.js B/dist/index.js');
  // Checked here, not in --one: callgrind counts every instruction of a --one run.
  for (const dist of positionals) requireCurrentBuildOf(dist);
  const self = fileURLToPath(import.meta.url);
  const runOne = (dist) => {
    const args = ['--expose-gc', self, '--one', dist, '--pattern', values.pattern, '--reps', String(reps), '--n', String(n)];
    return JSON.parse(execFileSync(process.execPath, args, { encoding: 'utf8' }));
  };
  const results = { A: [], B: [] };
  let bCheaper = 0;
  const rounds = Number(values.rounds);
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? ['A', 'B'] : ['B', 'A'];
    const got = {};
    for (const name of order) got[name] = runOne(positionals[name === 'A' ? 0 : 1]);
    results.A.push(got.A);
    results.B.push(got.B);
    if (got.B.cpuMs < got.A.cpuMs) bCheaper++;
  }
  const summary = (rows, key) => {
    const sorted = rows.map((r) => r[key]).sort((a, b) => a - b);
    const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))].toFixed(1);
    return `${median(sorted).toFixed(1)} (p25-p75 ${at(0.25)}-${at(0.75)})`;
  };
  for (const name of ['A', 'B']) {
    console.log(`${name} ${values.pattern} n=${n}: cpu ms ${summary(results[name], 'cpuMs')}, wall ms ${summary(results[name], 'wallMs')}`);
  }
  console.log(`B cost less CPU than A in ${bCheaper} of ${rounds} rounds; median B/A CPU ${(median(results.B.map((r) => r.cpuMs)) / median(results.A.map((r) => r.cpuMs))).toFixed(3)}`);
}

/** The insert-cancel case's delays (suites/timers/insert-cancel.mjs, which this does not import: it loads the checkout's dist). */
function delaysFor(pattern, seed, count) {
  const delays = new Float64Array(count);
  if (pattern === 'one-delay') return delays.fill(1e9);
  const next = mulberry32(seed);
  for (let i = 0; i < count; i++) delays[i] = Math.floor(1e8 + next() * 1.9e9);
  return delays;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
}
