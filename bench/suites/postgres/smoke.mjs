// The postgres suite's harness on tiny counts, for test/bench/postgres-smoke.test.ts:
// each implementation once through a throughput repetition (in this process,
// or in worker processes with --processes) and a few add-to-start samples.
// Prints one JSON object: {impls, notices, runs: [{impl, kind, ...figures}]}.
// Usage: node bench/suites/postgres/smoke.mjs [--impl name] [--n 200] [--processes (2 worker processes)] [--samples 3] [--mode perjob]
//        node bench/suites/postgres/smoke.mjs --n 0 --samples 100 (add-to-start only: the suite's case, one repetition each)
//        node bench/suites/postgres/smoke.mjs --failover (timeslice's failover case once, k = 4)
import { parseArgs } from 'node:util';
import { Stopwatch } from '../../lib/stopwatch.mjs';
import { implsFor } from './cases.mjs';
import { FAILOVER_LEASE, failoverRepetition } from './failover.mjs';
import { availableImpls } from './impls.mjs';
import { latencyRepetition } from './latency.mjs';
import { throughputRepetition } from './throughput.mjs';

const { values } = parseArgs({ options: { impl: { type: 'string' }, n: { type: 'string', default: '200' }, processes: { type: 'boolean', default: false }, samples: { type: 'string', default: '3' }, mode: { type: 'string', default: 'perjob' }, failover: { type: 'boolean', default: false } } });
// A hang guard, not a speed check: the test that runs this allows 120 s a case, and a loaded machine
// (npm run test:load beside helpers' runs) slows 4 starting processes far past their quiet 10 s.
const SMOKE_TIMEOUT_MS = 90_000;
const n = Number(values.n);
const samples = Number(values.samples);
const { impls, notices } = await availableImpls();
const topology = values.processes ? 'p2' : 'w4';
const ctx = { info: { notices }, log: () => {} };
const runs = [];
for (const impl of values.failover ? impls.filter((i) => i.name === 'timeslice') : []) {
  runs.push({ impl: impl.name, kind: 'failover', k: 4, lease: FAILOVER_LEASE, ...(await failoverRepetition(impl, { k: 4, caseName: 'smoke-failover' })) });
}
for (const impl of values.failover ? [] : implsFor(ctx, impls, topology).filter((i) => values.impl === undefined || i.name === values.impl)) {
  if (n > 0) {
    const stopwatch = new Stopwatch();
    const figures = await throughputRepetition(impl, { n, mode: values.mode, topology, timeoutMs: SMOKE_TIMEOUT_MS, caseName: `smoke-${topology}` }, stopwatch);
    runs.push({ impl: impl.name, kind: 'throughput', topology, n, wallMs: stopwatch.wallMs, cpuMs: stopwatch.cpuMs, ...figures });
  }
  if (samples > 0) {
    const latency = await latencyRepetition(impl, { mode: values.mode, topology: 'w4', samples, seed: 1, caseName: 'smoke-latency' });
    runs.push({ impl: impl.name, kind: 'latency', samples, ...latency });
  }
}
process.stdout.write(`${JSON.stringify({ impls: impls.map((i) => i.name), notices, runs })}\n`);
