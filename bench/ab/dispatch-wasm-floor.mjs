// How close a scheduler backed by wasm could come to the floor-scheduler
// (issue 11: timeslice within 1.25x of it): the floor's own algorithm in
// wasm, and the real core with its crossings paid once per task or once per
// batch of 64. Figures and what they mean: bench/README.md, "What a
// wasm-backed design could reach". The dispatch workload (n tasks of five
// random classes, a closure and an options object made per task in the
// timed region, scheduled in one synchronous loop, then run to completion),
// each implementation in processes of its own, rounds rotated (lib/fresh-
// process.mjs), one long-lived instance per process warmed by an untimed
// round of 2e4 as the suite does, an Immediate kept alive as the suite keeps
// one (lib/keep-alive.mjs), then --warm (3) untimed bursts of n, a full GC
// before each burst:
//
//   floor          lib/floor-scheduler.mjs: five FIFO lanes in JavaScript
//   lanes-batched  the floor's algorithm with its lanes in wasm
//                  (ab/lanes-floor.ts, compiled with the core's release
//                  flags), crossings batched: run() keeps the closure in a
//                  ring by a JS-chosen id and stages the class in a byte
//                  buffer; the loop enters the staged tasks and takes up to
//                  64 ids, most urgent lane first, one crossing each (a
//                  task made ready during a batch waits for the next take)
//   core-per-task  the least JS on the real core, one crossing per step:
//                  exports.register per run(), then pop, call, then
//                  completeAndPop (complete + pop in one crossing) per task,
//                  one clock read per 64 tasks, chargeGroup per 64
//                  (the suite's timeslice-core row, with the fused call)
//   core-batched   the least JS on the real core with batched crossings:
//                  run() writes an OP_REGISTER record into the core's
//                  command buffer (assembly/commands.ts) and keeps the
//                  closure in a staging array; the loop calls runBatch once
//                  per 64 tasks, which enters the staged registrations and the
//                  previous batch's OP_COMPLETE records and pops up to 64
//                  ready tasks into the output buffer; the closures move to
//                  their slots from the records' results. A lower bound,
//                  not a design: run() answers a staging number (no mapping
//                  to the core's handle, so cancel() is not possible), one
//                  clock reading for all the records of a batch (a task's
//                  ready time would be its flush's), and the 64 popped tasks
//                  run even if one of them makes a more urgent task ready.
//   timeslice      scheduler.run(fn, { priority }) on a started Scheduler
//
// Prints per implementation the median CPU and wall ns per task over the
// rounds and its ratio to the floor's, paired by round (its / the floor's),
// each with its range and the 95% interval of its median. BURSTS=1 prints
// every timed burst (stderr). The first bursts of n are slow (new space
// grows): without --warm, a median of 5 mixed them in and put the floor at
// 450-860 ns a task instead of ~140.
//
//   node bench/ab/dispatch-wasm-floor.mjs [--n 1e5] [--rounds 9] [--reps 5] [--impls floor,core-batched] [--semi 64]
//
// --together runs every implementation in each round's one process, taking
// turns burst by burst, the order rotated (as the suite and
// ab/dispatch-deopts.mjs do), instead of a process each.
// --semi 64 runs every process with 64 MB semi-spaces, so no burst of 1e5
// takes a scavenge: what each design costs per task apart from how much it
// allocates.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { FloorScheduler } from '../lib/floor-scheduler.mjs';
import { medianInterval } from '../lib/fresh-process.mjs';
import { keepAlive } from '../lib/keep-alive.mjs';
import { loadAverage } from '../lib/machine.mjs';
import { marksFor, prioritySequence, TIMESLICE_PRIORITIES } from '../suites/dispatch/workload.mjs';

const { values } = parseArgs({
  options: {
    one: { type: 'string' },
    n: { type: 'string', default: '1e5' },
    rounds: { type: 'string', default: '9' },
    reps: { type: 'string', default: '5' },
    impls: { type: 'string', default: 'floor,lanes-batched,core-batched,core-per-task,timeslice' },
    dist: { type: 'string', default: 'dist/index.js' },
    semi: { type: 'string' },
    together: { type: 'boolean', default: false },
    warm: { type: 'string', default: '3' },
  },
});
const n = Number(values.n);
const reps = Number(values.reps);
const dist = path.resolve(values.dist);
const IMPLS = values.impls.split(',');
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const LANES_WASM = path.join(ROOT, 'bench', '.cache', 'lanes-floor.wasm');

// The core's layout (bindings/layout.generated.ts), as numbers: this script runs on dist/.
const SLOT_MASK = 2 ** 24 - 1;
const CMD_CAPACITY = 4096;
const CMD_STRIDE = 32;
const OP_REGISTER = 1;
const OP_COMPLETE = 6;
const NICE_ZERO = 20; // nice 0 - NICE_MIN
const BATCH = 64;
// SLICE_MS=1000 for an instruction count under callgrind, which runs the code ~50x slower (bench/ab/dispatch-count.mjs).
const SLICE_MS = Number(process.env.SLICE_MS ?? 5);

/**
 * The floor's algorithm with its lanes in wasm (lanes-floor.ts), crossings batched: run() keeps the
 * closure in a ring by id and stages the class; the loop enters the staged tasks and takes up to 64 ids a
 * crossing. cancel(id) clears the ring's entry, as the floor's does.
 */
const RING_BITS = 20;
class LanesBatched {
  #w;
  #stage;
  #out;
  #capacity;
  #count = 0;
  #next = 0;
  #fns = new Array(2 ** RING_BITS).fill(undefined);
  #armed = false;
  constructor(instance) {
    const w = instance.exports;
    this.#w = w;
    w.reset(RING_BITS);
    this.#capacity = w.stagingCapacity();
    this.#stage = new Uint8Array(w.memory.buffer, w.stagingPtr(), this.#capacity);
    this.#out = new Uint32Array(w.memory.buffer, w.outputPtr(), this.#capacity);
  }
  run(fn, options) {
    if (this.#count === this.#capacity) this.#enter();
    const id = this.#next++;
    this.#fns[id & (2 ** RING_BITS - 1)] = fn;
    this.#stage[this.#count++] = options.priority;
    if (!this.#armed) {
      this.#armed = true;
      setImmediate(this.#loop);
    }
    return id;
  }
  cancel(id) {
    this.#fns[id & (2 ** RING_BITS - 1)] = undefined;
  }
  #enter() {
    this.#w.enter(this.#count, this.#next - this.#count);
    this.#count = 0;
  }
  #loop = () => {
    const sliceStart = performance.now();
    const fns = this.#fns;
    const out = this.#out;
    for (;;) {
      if (this.#count !== 0) this.#enter();
      const taken = this.#w.take(BATCH);
      if (taken === 0) break;
      for (let k = 0; k < taken; k++) {
        const slot = out[k] & (2 ** RING_BITS - 1);
        const fn = fns[slot];
        if (fn === undefined) continue; // cancelled
        fns[slot] = undefined;
        fn();
      }
      if (performance.now() - sliceStart >= SLICE_MS) {
        setImmediate(this.#loop);
        return;
      }
    }
    this.#armed = false;
  };
}

/** Per-task crossings: the suite's timeslice-core row with complete + pop fused. */
class CorePerTask {
  #w;
  #fns = [];
  #armed = false;
  constructor(core) {
    this.#w = core.exports;
  }
  run(fn, options) {
    const handle = this.#w.register(performance.now(), options.priority, 0, 0, 0, 0);
    this.#fns[handle & SLOT_MASK] = fn;
    if (!this.#armed) {
      this.#armed = true;
      setImmediate(this.#loop);
    }
    return handle;
  }
  #loop = () => {
    const w = this.#w;
    const fns = this.#fns;
    const sliceStart = performance.now();
    let startMs = sliceStart;
    let runs = 0;
    let handle = w.pop(startMs);
    while (handle > 0) {
      const slot = handle & SLOT_MASK;
      const fn = fns[slot];
      fns[slot] = undefined;
      fn();
      if (++runs % BATCH === 0) {
        const endMs = performance.now();
        w.chargeGroup(endMs - startMs);
        startMs = endMs;
        if (endMs - sliceStart >= SLICE_MS) {
          w.complete(handle, endMs, 0);
          setImmediate(this.#loop);
          return;
        }
      }
      handle = w.completeAndPop(handle, startMs);
    }
    this.#armed = false;
  };
}

/** Batched crossings: registrations staged in the command buffer, pops and completions 64 at a time. */
class CoreBatched {
  #w;
  #core;
  #cmd;
  #out;
  #u32;
  #f64;
  #count = 0;
  #staged = new Array(CMD_CAPACITY).fill(undefined);
  #fns = [];
  #seq = 0;
  #armed = false;
  constructor(core) {
    this.#core = core;
    this.#w = core.exports;
    this.#cmd = this.#w.commandBufferPtr();
    this.#out = this.#w.outputBufferPtr() >>> 3;
    this.#views();
  }
  #views() {
    const { u32, f64 } = this.#core.views();
    this.#u32 = u32;
    this.#f64 = f64;
  }
  #write(op, arg, a, fn) {
    if (this.#count === CMD_CAPACITY) this.#flush(performance.now(), 0);
    const i = this.#count++;
    const word = (this.#cmd + i * CMD_STRIDE) >>> 2;
    this.#u32[word] = op;
    this.#u32[word + 1] = arg;
    this.#f64[(word >>> 1) + 1] = a;
    this.#f64[(word >>> 1) + 2] = 0;
    this.#staged[i] = fn;
  }
  run(fn, options) {
    this.#write(OP_REGISTER, options.priority | (NICE_ZERO << 16), 0, fn);
    if (!this.#armed) {
      this.#armed = true;
      setImmediate(this.#loop);
    }
    return this.#seq++;
  }
  /** Runs the staged records, pops up to maxOut; how many were popped. */
  #flush(nowMs, maxOut) {
    const count = this.#count;
    const popped = this.#w.runBatch(count, nowMs, maxOut);
    if (popped < 0) throw new Error(`core-batched: runBatch answered ${popped}`);
    this.#count = 0;
    if (this.#f64.length === 0) this.#views();
    const f64 = this.#f64;
    const staged = this.#staged;
    const fns = this.#fns;
    const results = (this.#cmd >>> 3) + 3;
    for (let i = 0; i < count; i++) {
      const fn = staged[i];
      if (fn === undefined) continue;
      staged[i] = undefined;
      fns[f64[results + i * 4] & SLOT_MASK] = fn;
    }
    return popped;
  }
  #loop = () => {
    const sliceStart = performance.now();
    let nowMs = sliceStart;
    for (;;) {
      const popped = this.#flush(nowMs, BATCH);
      if (popped === 0) break;
      const fns = this.#fns;
      const out = this.#out;
      for (let k = 0; k < popped; k++) {
        const handle = this.#f64[out + k];
        const slot = handle & SLOT_MASK;
        const fn = fns[slot];
        fns[slot] = undefined;
        fn();
        this.#write(OP_COMPLETE, 0, handle, undefined);
      }
      nowMs = performance.now();
      if (nowMs - sliceStart >= SLICE_MS) {
        setImmediate(this.#loop);
        return;
      }
    }
    this.#armed = false;
  };
}

async function implementation(name) {
  if (name === 'floor') return new FloorScheduler({ sliceMs: SLICE_MS });
  if (name === 'lanes-batched') return new LanesBatched(new WebAssembly.Instance(new WebAssembly.Module(readFileSync(LANES_WASM)), {}));
  const { Core } = await import(pathToFileURL(path.join(path.dirname(dist), 'core.js')).href);
  if (name === 'core-per-task') return new CorePerTask(new Core());
  if (name === 'core-batched') return new CoreBatched(new Core());
  if (name === 'timeslice') {
    const { Scheduler } = await import(pathToFileURL(dist).href);
    return new Scheduler({ sliceMs: SLICE_MS }).start();
  }
  throw new Error(`dispatch-wasm-floor: no implementation ${name}`);
}

// Each implementation's schedule loop is a function literal of its own, so that in one process
// (--together) no call site sees more than one implementation (as in suites/dispatch/throughput-impls.mjs).
const SCHEDULE = {
  floor: (impl, size, classes, mark) => {
    for (let i = 0; i < size; i++) impl.run(() => mark(i), { priority: classes[i] });
  },
  'core-per-task': (impl, size, classes, mark) => {
    for (let i = 0; i < size; i++) impl.run(() => mark(i), { priority: classes[i] });
  },
  'lanes-batched': (impl, size, classes, mark) => {
    for (let i = 0; i < size; i++) impl.run(() => mark(i), { priority: classes[i] });
  },
  'core-batched': (impl, size, classes, mark) => {
    for (let i = 0; i < size; i++) impl.run(() => mark(i), { priority: classes[i] });
  },
  timeslice: (impl, size, classes, mark) => {
    for (let i = 0; i < size; i++) impl.run(() => mark(i), { priority: TIMESLICE_PRIORITIES[classes[i]] });
  },
};

if (values.one !== undefined) {
  const names = values.one.split(',');
  const impls = new Map();
  for (const name of names) impls.set(name, keepAlive(await implementation(name)));
  // Every loop here is armed by an inlined setImmediate(): an Immediate kept alive keeps its map, and the
  // optimized code that embeds it, through the full GC before each burst (lib/keep-alive.mjs).
  keepAlive(setImmediate(() => {}));
  let scavenges = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) if (entry.detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) scavenges++;
  }).observe({ entryTypes: ['gc'] });
  /** One burst of size tasks; CPU and wall ms. */
  const burst = async (name, size, classes) => {
    const marks = marksFor(size);
    const done = marks.arm();
    globalThis.gc?.();
    await new Promise(setImmediate); // the full GC's entry is delivered before the count starts
    const scavenges0 = scavenges;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    SCHEDULE[name](impls.get(name), size, classes, marks.mark);
    await done;
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    marks.verify(name);
    await new Promise(setImmediate);
    return { cpuMs: (cpu.user + cpu.system) / 1e3, wallMs, scavenges: scavenges - scavenges0 };
  };
  const classes = prioritySequence(0xd15 + n, n);
  // Untimed: a round of 2e4, then --warm bursts of n. The first bursts of 1e5 grow new space (4 scavenges in
  // the first), and the first three took 5-10x a steady one's CPU (floor: 118, 48, 54, then 9-12 ms).
  for (const name of names) await burst(name, 2e4, prioritySequence(0xd15, 2e4));
  for (let w = 0; w < Number(values.warm); w++) for (const name of names) await burst(name, n, classes);
  const timed = new Map(names.map((name) => [name, []]));
  for (let r = 0; r < reps; r++) {
    // Rotated, as the suite: what ran before a burst moves it.
    for (let k = 0; k < names.length; k++) {
      const name = names[(k + r) % names.length];
      timed.get(name).push(await burst(name, n, classes));
    }
  }
  const median = (list) => [...list].sort((a, b) => a - b)[list.length >> 1];
  const result = {};
  if (process.env.BURSTS) process.stderr.write(`${JSON.stringify(Object.fromEntries(timed))}\n`);
  for (const [name, list] of timed) {
    result[name] = { cpuNs: (median(list.map((t) => t.cpuMs)) * 1e6) / n, wallNs: (median(list.map((t) => t.wallMs)) * 1e6) / n, scavenges: median(list.map((t) => t.scavenges)) };
  }
  console.log(JSON.stringify(names.length === 1 ? result[names[0]] : result));
  process.exit(0);
}

const self = fileURLToPath(import.meta.url);
if (IMPLS.includes('lanes-batched')) {
  // Compiled as bench/ab/heap-ab.mjs compiles plain-heap.ts: the core's release flags.
  const release = JSON.parse(readFileSync(path.join(ROOT, 'asconfig.json'), 'utf8')).targets.release;
  const flags = ['--optimizeLevel', String(release.optimizeLevel), '--shrinkLevel', String(release.shrinkLevel), '--noAssert', '--runtime', 'stub', ...(release.converge ? ['--converge'] : [])];
  execFileSync(path.join(ROOT, 'node_modules', '.bin', 'asc'), [path.join(ROOT, 'bench', 'ab', 'lanes-floor.ts'), ...flags, '-o', LANES_WASM]);
}
const load0 = loadAverage()[0];
const rows = Object.fromEntries(IMPLS.map((impl) => [impl, []]));
const semi = values.semi === undefined ? [] : [`--min-semi-space-size=${values.semi}`, `--max-semi-space-size=${values.semi}`];
const sample = (one) => JSON.parse(execFileSync(process.execPath, ['--expose-gc', ...semi, self, '--dist', dist, '--one', one, '--n', String(n), '--reps', String(reps), '--warm', values.warm], { encoding: 'utf8' }));
for (let round = 0; round < Number(values.rounds); round++) {
  if (values.together) {
    const all = sample(IMPLS.join(','));
    for (const impl of IMPLS) rows[impl].push(all[impl]);
  } else {
    const order = IMPLS.map((_, i) => IMPLS[(i + round) % IMPLS.length]);
    for (const impl of order) rows[impl].push(sample(impl));
  }
  process.stderr.write(`round ${round + 1}: ${IMPLS.map((impl) => `${impl} ${rows[impl][round].cpuNs.toFixed(0)}`).join(', ')} ns CPU\n`);
}
const med = (list) => {
  const sorted = [...list].sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
};
const fmt = (list, digits) => {
  const ci = medianInterval(list);
  const interval = ci === undefined ? '' : `, median 95% ${ci.low.toFixed(digits)}-${ci.high.toFixed(digits)}`;
  return `${med(list).toFixed(digits)} (${Math.min(...list).toFixed(digits)}-${Math.max(...list).toFixed(digits)}${interval})`;
};
console.log(`n = ${n}, ${values.rounds} rounds (${values.together ? 'a fresh process per round, the implementations taking turns in it' : 'a fresh process per sample'}, median of ${reps} bursts${values.semi === undefined ? '' : `, semi-spaces ${values.semi} MB`}), load ${load0} -> ${loadAverage()[0]} (1 min)`);
for (const impl of IMPLS) {
  const r = rows[impl];
  const line = `${impl.padEnd(13)} CPU ns/task ${fmt(r.map((x) => x.cpuNs), 0)}, wall ${fmt(r.map((x) => x.wallNs), 0)}, scavenges a burst ${fmt(r.map((x) => x.scavenges), 0)}`;
  const ratio = rows.floor === undefined ? '' : `; / floor, paired: CPU ${fmt(r.map((x, i) => x.cpuNs / rows.floor[i].cpuNs), 2)}, wall ${fmt(r.map((x, i) => x.wallNs / rows.floor[i].wallNs), 2)}`;
  console.log(line + ratio);
}
