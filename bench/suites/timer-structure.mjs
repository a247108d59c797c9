// Timer structure: the core's indexed 4-ary heap against a hierarchical timing
// wheel, both AssemblyScript compiled with the same flags, behind one numeric
// interface (init, insert(id, dueMs), cancel(id), advance(nowMs) -> released,
// nextDue), driven by the same JavaScript. The benchmark that decided which one
// the core uses; bench/timer-structure/README.md has the decision.
//
// Impls: 4-ary-heap (assembly/heap.ts itself), timing-wheel (level-0 slots
// kept in (due, arrival) order: releases exactly what the heap releases, in
// the same order), timing-wheel-fifo (the textbook wheel, unordered inside a
// tick: what the order costs).
//
// Cases (n = pending timers; delays whole ms in [1, 60000]):
//   crossing        one call to an empty export: the share of every per-call figure that is the boundary
//   insert-cancel   n inserts, then n cancels in random order (ns per call)
//   memory          bytes of the structure per pending timer; the shipped core's whole wasm growth per timer
//   drain-1ms       n inserted, then advance(t) every 1 ms until all fired (ns per timer, advances included)
//   drain-16ms      the same every 16 ms, and the slowest single advance (us)
//   timeout-mix     ~n pending, 90% cancelled before due, 1 ms steps for 10 s with advance and nextDue
//                   each ms (ns per insert, cancel or release, the per-ms calls included)
//   idle            advance(t) every 1 ms with n pending and nothing due for 100 s, alone and followed by
//                   nextDue(); then the one advance at the earliest due time (firstDue, us)
//
// Run alone: node bench/suites/timer-structure.mjs [--quick] [--json FILE]
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { requireCurrentDist } from '../../scripts/build-inputs.mjs';
import { machineInfo } from '../lib/machine.mjs';
import { interleave, memorySnapshot } from '../lib/measure.mjs';
import { mulberry32 } from '../lib/random.mjs';
import { renderMarkdown } from '../lib/report.mjs';
import { markInternals, toRows } from '../lib/rows.mjs';
import { modelCheck } from './timer-structure/model-check.mjs';
import { buildModules } from './timer-structure/modules.mjs';
import { drainData, idleData, insertCancelData, MAX_DELAY_MS, timeoutMixData, worstCall } from './timer-structure/workloads.mjs';

const NAME = 'timer-structure';
const HEAP = '4-ary-heap';
const WHEEL = 'timing-wheel';
/** Context rows: the shipped core (dist/), whose timers are the heap plus the rest of a task. */
const CORE = 'core (dist, whole task)';

const PLANS = {
  full: { sizes: [1e4, 1e5, 1e6], reps: 7, mixMs: 10000, idleMs: 100000, crossingCalls: 2e6, checkSeeds: [1, 2, 3, 4], checkSteps: 20000 },
  quick: { sizes: [1e4], reps: 1, mixMs: 1000, idleMs: 10000, crossingCalls: 2e5, checkSeeds: [1], checkSteps: 5000 },
};

/** The shipped core's Core class (dist/core.js), of a build of the sources here (else this throws: npm run build). */
async function shippedCore(rootDir) {
  requireCurrentDist(rootDir);
  return (await import(pathToFileURL(path.join(rootDir, 'dist', 'core.js')).href)).Core;
}

/** Bytes of wasm memory the shipped core grows by per registered timer (the whole task, not just its heap entry). */
function coreBytesPerTimer(Core, n) {
  const random = mulberry32(7);
  const ex = new Core().exports;
  memorySnapshot();
  const before = ex.memory.buffer.byteLength;
  for (let i = 0; i < n; i++) {
    const handle = ex.register(0, 2, 0, 0, 1 + Math.floor(random() * MAX_DELAY_MS), 0);
    if (!(handle > 0)) throw new Error(`${NAME}: the core refused register (${handle})`);
  }
  if (ex.nextDue() < 1) throw new Error(`${NAME}: the core's timers are not pending`);
  return (ex.memory.buffer.byteLength - before) / n;
}

/**
 * The workload functions, loaded once per implementation (the same file, a
 * distinct module instance). V8 keeps call-site feedback per function: with
 * one shared loop, the first implementation through it gets a monomorphic,
 * inlined call into wasm and the others a slower polymorphic one, which
 * measured as several ns per call in favour of whichever ran first.
 */
function workloadsFor(implName) {
  return import(new URL(`./timer-structure/workloads.mjs?impl=${encodeURIComponent(implName)}`, import.meta.url).href);
}

function timed(impls, reps, run) {
  for (const impl of impls) run(impl); // warm-up, also checked
  return interleave(impls, reps, run);
}

async function run(ctx) {
  const plan = ctx.quick ? PLANS.quick : PLANS.full;
  const log = ctx.log ?? (() => {});
  const modules = buildModules(ctx.rootDir, ctx.cacheDir, log, { optimize: !ctx.quick });
  const impls = [
    { name: HEAP, module: modules.heap, ordered: true },
    { name: WHEEL, module: modules.wheel, ordered: true, levelBits: 8 },
    { name: `${WHEEL}-64`, module: modules.wheel, ordered: true, levelBits: 6 },
    { name: `${WHEEL}-fifo`, module: modules.wheel, ordered: false, levelBits: 8 },
  ];
  const coreImpl = { name: CORE, core: true };
  for (const impl of [...impls, coreImpl]) impl.work = await workloadsFor(impl.name);
  const Core = await shippedCore(ctx.rootDir);
  const checked = modelCheck(modules, { seeds: plan.checkSeeds, steps: plan.checkSteps });
  log(`model check passed: ${checked} releases compared with the JS model`);
  const info = ctx.info ?? {};
  info.plan = plan;
  info.fifoWheelOutOfOrder = {};
  info.timeoutMixPending = {};

  const rows = [];
  rows.push(...toRows('crossing', undefined, timed(impls, plan.reps, (impl) => impl.work.crossing(impl, plan.crossingCalls)), { noop: 'ns/call' }));

  for (const n of plan.sizes) {
    log(`n = ${n}`);
    const ic = insertCancelData(1000 + n, n);
    const icSamples = timed([...impls, coreImpl], plan.reps, (impl) => (impl.core ? impl.work.coreInsertCancel(Core, ic) : impl.work.insertCancel(impl, ic)));
    rows.push(...toRows('insert-cancel', n, icSamples, { insert: 'ns/op', cancel: 'ns/op' }));
    rows.push(...toRows('memory', n, icSamples, { bytesPerPending: 'bytes/timer' }));
    const bytes = coreBytesPerTimer(Core, n);
    rows.push({ case: 'memory', n, impl: CORE, metric: 'bytesPerPending', unit: 'bytes/timer', median: bytes, min: bytes, max: bytes, reps: 1 });

    const dr = drainData(2000 + n, n);
    for (const stepMs of [1, 16]) {
      for (const impl of impls) {
        const outOfOrder = impl.work.drainStrict(impl, dr, stepMs);
        if (!impl.ordered) info.fifoWheelOutOfOrder[`n=${n}, ${stepMs} ms`] = outOfOrder;
      }
      const samples = timed(impls, plan.reps, (impl) => impl.work.drain(impl, dr, stepMs));
      rows.push(...toRows(`drain-${stepMs}ms`, n, samples, { drain: 'ns/timer' }));
    }
    for (const [impl, { callUs }] of timed(impls, plan.reps, (impl) => impl.work.drainCallTimes(impl, dr, 16))) {
      const us = worstCall(callUs);
      rows.push({ case: 'drain-16ms', n, impl, metric: 'worstAdvance', unit: 'us', median: us, min: us, max: us, reps: callUs.length });
    }

    const mix = timeoutMixData(3000 + n, n, plan.mixMs);
    const mixSamples = timed(impls, plan.reps, (impl) => impl.work.timeoutMix(impl, mix));
    const first = mixSamples.get(HEAP);
    for (const [impl, samples] of mixSamples) {
      if (samples.nextDueSum.some((sum) => sum !== first.nextDueSum[0])) throw new Error(`${NAME} timeout-mix: ${impl} answered nextDue differently from ${HEAP}`);
    }
    info.timeoutMixPending[`n=${n}`] = { atStart: first.pendingAtStart[0], atEnd: first.pendingAtEnd[0], opsPerRep: first.ops[0] };
    for (const impl of impls) if (!impl.ordered) info.fifoWheelOutOfOrder[`n=${n}, timeout-mix`] = mixSamples.get(impl.name).seqBreaks[0];
    rows.push(...toRows('timeout-mix', n, mixSamples, { op: 'ns/op' }));

    const idle = idleData(4000 + n, n, plan.idleMs);
    rows.push(...toRows('idle', n, timed(impls, plan.reps, (impl) => impl.work.idleAdvance(impl, idle, false)), { advance: 'ns/call', firstDue: 'us' }));
    rows.push(...toRows('idle', n, timed(impls, plan.reps, (impl) => impl.work.idleAdvance(impl, idle, true)), { advanceNextDue: 'ns/call' }));
  }
  // Structures compared inside the core, never the product's speed.
  return markInternals(rows.map((row) => ({ suite: NAME, ...row })));
}

/** heap median / wheel median for every case, metric and size: above 1, the wheel is faster (or smaller). */
function derive(results) {
  const derived = [];
  for (const heap of results.filter((r) => r.impl === HEAP)) {
    const wheel = results.find((r) => r.impl === WHEEL && r.case === heap.case && r.metric === heap.metric && r.n === heap.n);
    if (!wheel || heap.case === 'crossing') continue;
    derived.push({
      name: `${heap.case} ${heap.metric}${heap.n === undefined ? '' : ` n=${heap.n}`}: ${HEAP} / ${WHEEL}`,
      value: heap.median / wheel.median,
      unit: 'x',
    });
  }
  return derived;
}

const suite = {
  name: NAME,
  description: 'Timer structure for the core: indexed 4-ary heap (assembly/heap.ts) vs hierarchical timing wheel (ordered and FIFO), insert/cancel/drain/timeout-mix/idle advance and bytes per pending timer.',
  run,
  derive,
};
export default suite;

// ---- run alone ----

async function main(argv) {
  const benchDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
  const rootDir = path.dirname(benchDir);
  const quick = argv.includes('--quick');
  const jsonAt = argv.indexOf('--json');
  const log = (message) => process.stderr.write(`[${NAME}] ${message}\n`);
  const info = {};
  const results = await run({ name: NAME, quick, rootDir, cacheDir: path.join(benchDir, '.cache'), log, info });
  const report = { meta: { suite: NAME, description: suite.description, ...machineInfo(rootDir), quick, info }, results, derived: derive(results) };
  process.stdout.write(`${renderMarkdown(report)}\n`);
  if (jsonAt >= 0) writeFileSync(argv[jsonAt + 1], `${JSON.stringify(report, null, 2)}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  if (typeof globalThis.gc === 'function') {
    await main(process.argv.slice(2));
  } else {
    // The shared measure helpers collect garbage between samples: start again with --expose-gc.
    const { spawnSync } = await import('node:child_process');
    const child = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
    process.exitCode = child.status ?? 1;
  }
}
