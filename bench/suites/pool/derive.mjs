// The figures the pool issue sets targets for, from the medians over repetitions.
function median(results, caseName, impl, metric) {
  return results.find((r) => r.case === caseName && r.impl === impl && r.metric === metric)?.median;
}

export function derivePoolFigures(results, plan) {
  const out = [];
  const ratio = (caseName, metric, a, b) => median(results, caseName, a, metric) / median(results, caseName, b, metric);
  const tinyTargets = [
    ['piscina', 'one message per task, its best concurrentTasksPerWorker', 10],
    ['piscina-batch100', 'the user batching 100 tasks per run()', 1],
  ];
  for (const [peer, what, target] of tinyTargets) {
    const wall = ratio('tiny', 'tasksPerSec', 'timeslice', peer);
    const cpu = ratio('tiny', 'tasksPerCpuSec', 'timeslice', peer);
    out.push({ name: `tiny tasks: timeslice / ${peer} (${what}), wall`, value: wall, unit: 'x', note: `target >= ${target}x: ${wall >= target ? 'met' : 'missed'}` });
    out.push({ name: `tiny tasks: timeslice / ${peer}, CPU`, value: cpu, unit: 'x' });
  }
  // The floor: a promise per task and nothing else. If it is behind the batching Piscina user, so is any pool whose run() answers a promise per task.
  out.push({ name: 'tiny tasks: promise-floor / piscina-batch100, wall', value: ratio('tiny', 'tasksPerSec', 'promise-floor', 'piscina-batch100'), unit: 'x' });
  out.push({ name: 'tiny tasks: promise-floor / piscina-batch100, CPU', value: ratio('tiny', 'tasksPerCpuSec', 'promise-floor', 'piscina-batch100'), unit: 'x' });
  out.push({ name: 'tiny tasks: timeslice / promise-floor, CPU', value: ratio('tiny', 'tasksPerCpuSec', 'timeslice', 'promise-floor'), unit: 'x' });
  const target = plan.quantumMs + 2;
  for (const c of ['urgent-idle', 'urgent-backlog']) {
    const p99 = median(results, c, 'timeslice', 'startP99Ms');
    if (p99 === undefined) continue;
    out.push({ name: `${c}: timeslice start p99`, value: p99, unit: 'ms', note: `target <= quantum + 2 = ${target} ms: ${p99 <= target ? 'met' : 'missed'}` });
    out.push({ name: `${c}: piscina-2pools start p99`, value: median(results, c, 'piscina-2pools', 'startP99Ms'), unit: 'ms' });
    out.push({ name: `${c}: piscina start p99`, value: median(results, c, 'piscina', 'startP99Ms'), unit: 'ms' });
    const background = ratio(c, 'backgroundTasksPerSec', 'timeslice', 'piscina-2pools');
    out.push({ name: `${c}: background throughput, timeslice / piscina-2pools`, value: background, unit: 'x', note: `target >= 1.3x: ${background >= 1.3 ? 'met' : 'missed'}` });
    out.push({ name: `${c}: background throughput, timeslice / piscina`, value: ratio(c, 'backgroundTasksPerSec', 'timeslice', 'piscina'), unit: 'x' });
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
