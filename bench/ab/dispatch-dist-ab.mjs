// Two builds of timeslice on the dispatch suite's throughput case, each
// sample a fresh process (lib/fresh-process.mjs), the builds alternating:
// every sample is bench/ab/dispatch-deopts.mjs with QUIET=1 run in a
// checkout of its own (its dist/ built: the suite's implementations, keep-
// alive and warm-up, timeslice as shipped), so the floor-scheduler and
// fastq run in the same process as timeslice and their ratios are taken
// within it, as the suite takes them. Prints, per build, the medians over
// the rounds of timeslice's CPU and wall ms, the floor's and fastq's ratio
// to it, and the paired B / A ratios of timeslice's CPU and wall (each
// round's B against its A) with their spread.
//
//   node bench/ab/dispatch-dist-ab.mjs /tmp/base . [rounds=6] [n=1e5] [reps=7]
import path from 'node:path';
import { alternate, sampleInFreshProcess } from '../lib/fresh-process.mjs';
import { percentile } from '../lib/stats.mjs';

const [dirA, dirB, roundsArg = '6', nArg = '1e5', repsArg = '7'] = process.argv.slice(2);
if (dirA === undefined || dirB === undefined) throw new Error('usage: dispatch-dist-ab.mjs <checkout A> <checkout B> [rounds] [n] [reps]');
const impls = 'timeslice,floor-scheduler,fastq';
process.env.QUIET = '1';
const arms = { A: path.resolve(dirA), B: path.resolve(dirB) };
const samples = alternate(Object.keys(arms), Number(roundsArg), (arm) =>
  sampleInFreshProcess(path.join(arms[arm], 'bench/ab/dispatch-deopts.mjs'), [nArg, repsArg, impls]),
);
const med = (values) => percentile([...values].sort((x, y) => x - y), 0.5);
const spread = (values) => {
  const sorted = [...values].sort((x, y) => x - y);
  return `${med(sorted).toFixed(3)} (${sorted[0].toFixed(3)}-${sorted[sorted.length - 1].toFixed(3)})`;
};
console.log(`n = ${nArg}, ${roundsArg} rounds of ${repsArg} reps, medians over rounds`);
for (const [arm, dir] of Object.entries(arms)) {
  const rounds = samples.get(arm);
  const t = (key) => med(rounds.map((r) => r.timeslice[key]));
  const lead = (peer, key) => spread(rounds.map((r) => r.timeslice[key] / r[peer][key]));
  console.log(`${arm} ${dir}: timeslice ${t('cpuMs').toFixed(1)} ms CPU, ${t('wallMs').toFixed(1)} ms wall; timeslice / floor cpu ${lead('floor-scheduler', 'cpuMs')}, wall ${lead('floor-scheduler', 'wallMs')}; fastq / timeslice cpu ${spread(rounds.map((r) => r.fastq.cpuMs / r.timeslice.cpuMs))}, wall ${spread(rounds.map((r) => r.fastq.wallMs / r.timeslice.wallMs))}`);
}
const [a, b] = [samples.get('A'), samples.get('B')];
const paired = (key) => spread(b.map((r, i) => r.timeslice[key] / a[i].timeslice[key]));
console.log(`B / A timeslice, paired by round: cpu ${paired('cpuMs')}, wall ${paired('wallMs')}`);
