// What one `taskfail` listener costs (issue 11: <= 5%), measured so that a
// few percent can be seen: the dispatch workload (n tasks of random classes,
// a closure and options made per task, through Scheduler.run) with one
// listener and without, each sample in a fresh process
// (suites/dispatch/listener-run.mjs: same warm-up, a full GC before each timed
// round, the median of its rounds), the two alternating in A B B A order
// (lib/fresh-process.mjs). Prints the median CPU and wall of each with their
// spread, and the paired ratio (with / without, sample i against sample i:
// above 1 is the listener's cost) with its spread and a 95% interval for its
// median.
//
//   npm run build && node bench/ab/listener-cost.mjs [pairs=21] [n=1e5] [rounds=3] [module]
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAverage } from '../lib/machine.mjs';
import { alternate, formatSpread, medianInterval, pairedRatios, sampleInFreshProcess, spread } from '../lib/fresh-process.mjs';

const [pairsArg = '21', nArg = '1e5', roundsArg = '3', modulePath] = process.argv.slice(2);
const pairs = Number(pairsArg);
const n = Number(nArg);
const rounds = Number(roundsArg);
const script = path.join(path.dirname(fileURLToPath(import.meta.url)), '../suites/dispatch/listener-run.mjs');
const SEED = 0xd15;

const median = (values) => spread(values).median;
const loadBefore = loadAverage()[0];
const samples = alternate(['without', 'with'], pairs, (variant, round) => {
  const args = [variant, String(n), String(rounds), String(SEED), ...(modulePath === undefined ? [] : [modulePath])];
  const { rounds: timed } = sampleInFreshProcess(script, args);
  process.stderr.write(`pair ${round + 1}/${pairs} ${variant}: cpu ${median(timed.map((r) => r.cpuMs)).toFixed(1)} ms\n`);
  return { cpuMs: median(timed.map((r) => r.cpuMs)), wallMs: median(timed.map((r) => r.wallMs)) };
});

console.log(`one taskfail listener, n ${n}, ${pairs} pairs of fresh processes (median of ${rounds} rounds each), load ${loadBefore} -> ${loadAverage()[0]} (1 min)`);
for (const metric of ['cpuMs', 'wallMs']) {
  for (const variant of ['without', 'with']) {
    console.log(`  ${metric.padEnd(6)} ${variant.padEnd(7)} ${formatSpread(spread(samples.get(variant).map((s) => s[metric])), 1)}`);
  }
  const ratios = pairedRatios(
    samples.get('with').map((s) => s[metric]),
    samples.get('without').map((s) => s[metric]),
  );
  const cheaper = ratios.filter((r) => r < 1).length;
  // The raw pairs, for pooling runs: without, with.
  process.stderr.write(`${metric} pairs ${JSON.stringify(samples.get('without').map((s, i) => [s[metric], samples.get('with')[i][metric]]))}\n`);
  console.log(`  ${metric.padEnd(6)} with / without, paired: ${formatSpread(spread(ratios), 3, medianInterval(ratios))}; the listener's run cheaper in ${cheaper} of ${pairs}`);
}
