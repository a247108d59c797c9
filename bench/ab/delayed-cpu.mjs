// Delayed tasks, two builds of timeslice against setTimeout (issue 11: 1e4
// after() over 1 s, process CPU <= 1.2x setTimeout's, lateness p99 no worse
// than setTimeout's + 1 ms quiet, within 2x under load). Each sample is a
// fresh process (delayed-run.mjs: the timers suite's delayed run, a warm-up
// first), the three arms rotating (lib/fresh-process.mjs). Prints, per arm,
// the median CPU and lateness with their spread, and paired per round: each
// build's CPU over setTimeout's, build B's over build A's, and each build's
// p99 minus setTimeout's. A revision ending in .mjs is a bundle already made
// (bundle.mjs); the others are bundled from git (the working tree's wasm).
//
//   node bench/ab/delayed-cpu.mjs main worktree [rounds=15] [tasks=1e4] [windowMs=1000] [leadMs=500]
//   node scripts/with-load.mjs node bench/ab/delayed-cpu.mjs main worktree 15 1e4 1000 2000
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { alternate, formatSpread, medianInterval, pairedRatios, sampleInFreshProcess, spread } from '../lib/fresh-process.mjs';
import { loadAverage } from '../lib/machine.mjs';
import { bundle } from './bundle.mjs';

const [revA = 'main', revB = 'worktree', roundsArg = '15', tasksArg = '1e4', windowArg = '1000', leadArg = '500'] = process.argv.slice(2);
const rounds = Number(roundsArg);
const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'delayed-run.mjs');
const moduleOf = (rev) => (rev.endsWith('.mjs') ? path.resolve(rev) : bundle(rev));
const arms = { [`A ${revA}`]: ['timeslice', moduleOf(revA)], [`B ${revB}`]: ['timeslice', moduleOf(revB)], setTimeout: ['setTimeout'] };
const names = Object.keys(arms);
const [nameA, nameB] = names;

const loadBefore = loadAverage()[0];
const samples = alternate(names, rounds, (name, round) => {
  const [impl, module] = arms[name];
  const args = [impl, String(Number(tasksArg)), windowArg, leadArg, '1', ...(module === undefined ? [] : [module])];
  const [sample] = sampleInFreshProcess(script, args).rounds;
  process.stderr.write(`round ${round + 1}/${rounds} ${name}: cpu ${sample.cpuMs.toFixed(1)} ms, p99 ${sample.p99Ms.toFixed(2)} ms\n`);
  return sample;
});
const of = (name, metric) => samples.get(name).map((s) => s[metric]);

console.log(`delayed tasks: ${tasksArg} over ${windowArg} ms, ${rounds} rounds of fresh processes, load ${loadBefore} -> ${loadAverage()[0]} (1 min)`);
for (const metric of ['cpuMs', 'p50Ms', 'p99Ms', 'maxMs']) {
  for (const name of names) console.log(`  ${metric.padEnd(5)} ${name.padEnd(24)} ${formatSpread(spread(of(name, metric)), 3)}`);
}
console.log('paired, round by round:');
for (const name of [nameA, nameB]) {
  const ratios = pairedRatios(of(name, 'cpuMs'), of('setTimeout', 'cpuMs'));
  console.log(`  cpu ${name} / setTimeout: ${formatSpread(spread(ratios), 3, medianInterval(ratios))}`);
}
const bOverA = pairedRatios(of(nameB, 'cpuMs'), of(nameA, 'cpuMs'));
console.log(`  cpu B / A: ${formatSpread(spread(bOverA), 3, medianInterval(bOverA))}; B cheaper in ${bOverA.filter((r) => r < 1).length} of ${rounds}`);
for (const name of [nameA, nameB]) {
  const diff = of(name, 'p99Ms').map((p99, i) => p99 - of('setTimeout', 'p99Ms')[i]);
  console.log(`  p99 ${name} - setTimeout (ms): ${formatSpread(spread(diff))}`);
  const p99Ratios = pairedRatios(of(name, 'p99Ms'), of('setTimeout', 'p99Ms'));
  console.log(`  p99 ${name} / setTimeout: ${formatSpread(spread(p99Ratios), 3, medianInterval(p99Ratios))}`);
}
