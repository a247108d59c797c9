// The figures a reader comparing schedulers asks for first, computed from the
// medians: time ratios (> 1 means timeslice takes longer), throughput
// speedups (> 1 means timeslice is faster) and bytes per pending timer.
import { formatSize } from '../../lib/format.mjs';
import { C_IMPL, C_INDEXED_IMPL } from './c-reference.mjs';
import { JS_PEERS } from './heap-peers.mjs';

const JS_NAMES = JS_PEERS.filter((p) => p.js).map((p) => p.name);

function medianOf(results, caseName, n, impl, metric) {
  return results.find((r) => r.case === caseName && r.n === n && r.impl === impl && r.metric === metric)?.median;
}

function sizesOf(results, caseName) {
  return [...new Set(results.filter((r) => r.case === caseName && r.n !== undefined).map((r) => r.n))];
}

function heapRatios(results, caseName, metric, clock = '') {
  const out = [];
  for (const n of sizesOf(results, caseName)) {
    const ours = medianOf(results, caseName, n, 'timeslice-core', metric);
    if (ours === undefined) continue;
    const peers = JS_NAMES.map((name) => ({ name, value: medianOf(results, caseName, n, name, metric) })).filter((p) => p.value !== undefined);
    const fastest = peers.reduce((best, p) => (p.value < best.value ? p : best));
    out.push({ name: `${caseName} n=${formatSize(n)}: timeslice-core / fastest JS heap${clock}`, value: ours / fastest.value, unit: 'x', note: `time ratio; fastest was ${fastest.name}` });
    for (const cImpl of [C_IMPL, C_INDEXED_IMPL]) {
      const c = medianOf(results, caseName, n, cImpl, metric);
      if (c !== undefined) out.push({ name: `${caseName} n=${formatSize(n)}: timeslice-core / ${cImpl}${clock}`, value: ours / c, unit: 'x', note: 'time ratio' });
    }
  }
  return out;
}

function timerFigures(results) {
  const caseName = 'timers-insert-cancel';
  const out = [];
  for (const n of sizesOf(results, caseName)) {
    const at = (impl, metric) => medianOf(results, caseName, n, impl, metric);
    for (const ours of ['timeslice-core', 'timeslice-batch']) {
      for (const theirs of ['setTimeout', 'setTimeout-one-delay']) {
        const a = at(ours, 'opsPerSec');
        const b = at(theirs, 'opsPerSec');
        if (a !== undefined && b !== undefined) {
          out.push({ name: `${caseName} n=${formatSize(n)}: ${ours} / ${theirs}`, value: a / b, unit: 'x', note: 'insert+cancel throughput speedup' });
        }
      }
    }
    for (const impl of ['timeslice-core', 'setTimeout', 'setTimeout-one-delay']) {
      const bytes = medianOf(results, 'timers-memory', n, impl, 'bytesPerTimer');
      if (bytes !== undefined) out.push({ name: `bytes per pending timer n=${formatSize(n)}: ${impl}`, value: bytes, unit: 'bytes' });
    }
  }
  return out;
}

export function deriveCoreFigures(results) {
  return [
    ...heapRatios(results, 'heap-hold', 'nsPerOp'),
    ...heapRatios(results, 'heap-hold', 'cpuNsPerOp', ' (CPU)'),
    ...heapRatios(results, 'heap-push-pop-all', 'nsPerKey'),
    ...timerFigures(results),
  ];
}
