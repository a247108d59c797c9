// The figures issue 11 sets targets for, from the medians: timeslice's jobs/s
// over each peer's in the same case (> 1: timeslice is faster), and its
// process CPU per job end to end.

const TARGETS = [
  { casePrefix: 'enqueue-', peer: 'plainjob', atLeast: 1.0 },
  { casePrefix: 'end-to-end-', peer: 'plainjob', atLeast: 1.5 },
  { casePrefix: 'end-to-end-c8-full', peer: 'bullmq', atLeast: 1.0 },
];
const CPU_TARGET_US = 100;

const medianOf = (results, caseName, impl, metric) => results.find((r) => r.case === caseName && r.impl === impl && r.metric === metric)?.median;

function targetFor(caseName, peer) {
  return TARGETS.find((t) => t.peer === peer && caseName.startsWith(t.casePrefix));
}

export function deriveDurableFigures(results) {
  const out = [];
  const cases = [...new Set(results.map((r) => r.case))];
  for (const caseName of cases) {
    const ours = medianOf(results, caseName, 'timeslice', 'jobsPerSec');
    const peers = [...new Set(results.filter((r) => r.case === caseName && r.impl !== 'timeslice').map((r) => r.impl))];
    for (const peer of peers) {
      const theirs = medianOf(results, caseName, peer, 'jobsPerSec');
      if (ours === undefined || theirs === undefined) continue;
      const target = targetFor(caseName, peer);
      const ratio = ours / theirs;
      const note = target === undefined ? 'jobs/s, no target' : `jobs/s; target >= ${target.atLeast}x: ${ratio >= target.atLeast ? 'met' : 'missed'}`;
      out.push({ name: `${caseName}: timeslice / ${peer}`, value: ratio, unit: 'x', note });
    }
    const cpuNs = medianOf(results, caseName, 'timeslice', 'cpuNsPerJob');
    if (caseName.startsWith('end-to-end-') && cpuNs !== undefined) {
      const us = cpuNs / 1000;
      out.push({ name: `${caseName}: timeslice CPU per durable job`, value: us, unit: 'us', note: `process CPU; target <= ${CPU_TARGET_US} us: ${us <= CPU_TARGET_US ? 'met' : 'missed'}` });
    }
  }
  return out;
}
