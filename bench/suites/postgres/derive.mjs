// The figures issue 13 sets targets for, from the medians: timeslice's jobs/s
// over the better peer's at 4 workers (in one process and as 4 processes),
// its add-to-start p99 (the median of the repetitions' p99s), each implementation's throughput under a held
// snapshot relative to the same case without it, and the duplicate runs of
// every row (the one target every implementation is held to).

const PEERS = ['graphile-worker', 'pg-boss'];
const rowOf = (results, caseName, n, impl, metric) => results.find((r) => r.case === caseName && r.n === n && r.impl === impl && r.metric === metric);
const medianOf = (results, caseName, n, impl, metric) => rowOf(results, caseName, n, impl, metric)?.median;
const met = (ok) => (ok ? 'met' : 'missed');
const fixed = (x) => x.toFixed(2);

/**
 * timeslice's jobs/s over the better peer's in each repetition (repetition r of
 * every implementation ran in the same round, cases.mjs), as "median (min-max)
 * over k paired repetitions", or undefined without per-repetition samples.
 */
function pairedRatios(results, caseName, n) {
  const ours = rowOf(results, caseName, n, 'timeslice', 'jobsPerSec')?.samples;
  const peers = PEERS.map((peer) => rowOf(results, caseName, n, peer, 'jobsPerSec')?.samples).filter((s) => s !== undefined && s.length === ours?.length);
  if (ours === undefined || peers.length === 0) return undefined;
  const ratios = ours.map((rate, r) => rate / Math.max(...peers.map((s) => s[r]))).sort((a, b) => a - b);
  const mid = ratios.length >> 1;
  const median = ratios.length % 2 === 1 ? ratios[mid] : (ratios[mid - 1] + ratios[mid]) / 2;
  return `paired by repetition (each over that round's better peer): median ${fixed(median)}x (${fixed(ratios[0])}-${fixed(ratios[ratios.length - 1])}) over ${ratios.length}`;
}

export function derivePostgresFigures(results) {
  const out = [];
  const sizes = [...new Set(results.filter((r) => r.n !== undefined).map((r) => r.n))];
  for (const n of sizes) {
    for (const caseName of ['w4-perjob', 'w4-batched', 'p4-perjob', 'p4-batched']) {
      const ours = medianOf(results, caseName, n, 'timeslice', 'jobsPerSec');
      const peers = PEERS.map((peer) => ({ peer, rate: medianOf(results, caseName, n, peer, 'jobsPerSec') })).filter((p) => p.rate !== undefined);
      if (ours === undefined || peers.length === 0) continue;
      const best = peers.reduce((a, b) => (b.rate > a.rate ? b : a));
      const ratio = ours / best.rate;
      const paired = pairedRatios(results, caseName, n);
      out.push({ name: `${caseName} n=${n}: timeslice / best peer (${best.peer})`, value: ratio, unit: 'x', note: `jobs/s, of the medians; target >= 2x: ${met(ratio >= 2)}${paired === undefined ? '' : `; ${paired}`}` });
    }
    for (const mode of ['perjob', 'batched']) {
      for (const impl of [...new Set(results.filter((r) => r.case === `snapshot-w4-${mode}` && r.n === n).map((r) => r.impl))]) {
        const held = medianOf(results, `snapshot-w4-${mode}`, n, impl, 'jobsPerSec');
        const free = medianOf(results, `w4-${mode}`, n, impl, 'jobsPerSec');
        if (held === undefined || free === undefined) continue;
        const drop = (1 - held / free) * 100;
        const note = impl === 'timeslice' ? `jobs/s lost to the held snapshot; target <= 20%: ${met(drop <= 20)}` : 'jobs/s lost to the held snapshot';
        out.push({ name: `snapshot-w4-${mode} n=${n}: ${impl} throughput drop`, value: drop, unit: '%', note });
      }
    }
  }
  for (const row of results.filter((r) => r.case.startsWith('add-to-start-') && r.impl === 'timeslice' && r.metric === 'startP99Ms')) {
    const spread = row.reps > 1 ? `; ${fixed(row.min)}-${fixed(row.max)} ms over ${row.reps} repetitions` : '';
    out.push({ name: `${row.case}: timeslice start p99`, value: row.median, unit: 'ms', note: `median of the repetitions' p99; target <= 20 ms: ${met(row.median <= 20)}${spread}` });
  }
  for (const impl of [...new Set(results.map((r) => r.impl))]) {
    const worst = Math.max(...results.filter((r) => r.impl === impl && r.metric === 'duplicateRuns').map((r) => r.max));
    out.push({ name: `${impl}: duplicate runs, worst repetition of any case`, value: worst, unit: 'runs', note: `target 0: ${met(worst === 0)}` });
  }
  return out;
}
