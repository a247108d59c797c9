// The figures the pool issue sets targets for, from the medians over repetitions.
function median(results, caseName, impl, metric) {
  return results.find((r) => r.case === caseName && r.impl === impl && r.metric === metric)?.median;
}

export function derivePoolFigures(results, plan) {
  const out = [];
  const tiny = median(results, 'tiny', 'timeslice', 'tasksPerSec') / median(results, 'tiny', 'piscina', 'tasksPerSec');
  out.push({ name: 'tiny tasks: timeslice / piscina', value: tiny, unit: 'x', note: `target >= 10x: ${tiny >= 10 ? 'met' : 'missed'}` });
  const target = plan.quantumMs + 2;
  for (const c of ['urgent-idle', 'urgent-backlog']) {
    const p99 = median(results, c, 'timeslice', 'startP99Ms');
    if (p99 !== undefined) {
      out.push({ name: `${c}: timeslice start p99`, value: p99, unit: 'ms', note: `target <= quantum + 2 = ${target} ms: ${p99 <= target ? 'met' : 'missed'}` });
      out.push({ name: `${c}: piscina start p99`, value: median(results, c, 'piscina', 'startP99Ms'), unit: 'ms' });
    }
  }
  const dev = median(results, 'fairness', 'timeslice', 'maxDeviationPct');
  out.push({ name: 'fairness: timeslice worst share deviation from target', value: dev, unit: '%', note: `relative, |share / target - 1|; target <= 3%: ${dev <= 3 ? 'met' : 'missed'}` });
  out.push({ name: 'fairness: timeslice worst share deviation, absolute', value: median(results, 'fairness', 'timeslice', 'maxDeviationPoints'), unit: 'points' });
  out.push({ name: 'fairness: timeslice Jain index over share/target', value: median(results, 'fairness', 'timeslice', 'jain'), unit: '' });
  out.push({ name: 'fairness: piscina worst share deviation from target', value: median(results, 'fairness', 'piscina', 'maxDeviationPct'), unit: '%' });
  const eff = median(results, 'efficiency', 'timeslice', 'efficiencyPct') / median(results, 'efficiency', 'piscina', 'efficiencyPct');
  out.push({ name: 'efficiency: timeslice / piscina', value: eff, unit: 'x', note: `target >= 0.95x (within 5%): ${eff >= 0.95 ? 'met' : 'missed'}` });
  return out;
}
