// How far any timer API could lead setTimeout + clearTimeout, against how far
// timeslice's after() + cancel() does: insert n timers, then cancel them all
// in the order set, a closure per timer made in the timed region (as
// suites/timers insert-cancel), each implementation in processes of its own,
// interleaved round by round (one process's heap is not another's garbage).
//
//   setTimeout   setTimeout(() => fire(i), delayMs), then clearTimeout
//   timer-floor  not a timer: the closure and a clock read kept in arrays, the
//                index as the handle, the slot cleared (suites/timers)
//   wasm-floor   not a timer API (internals): the least a timer API on the
//                wasm core does. A clock read, the core's `register` (one
//                crossing), the closure kept by slot, and a two-field handle
//                object returned, as after() must; cancel is the core's
//                `cancel` (one crossing) and the slot cleared. No options, no
//                outcome kept for `done`, no host timer.
//   timeslice    scheduler.after(delayMs, () => fire(i)), then handle.cancel()
//
// A process does --reps repetitions and reports the median CPU (and wall) ns
// per timer of those after the first (the first compiles). Printed: per
// implementation the median over rounds, and each one's lead over setTimeout
// (setTimeout's CPU / its CPU, paired by round).
//
//   node --expose-gc bench/ab/timers-floors.mjs [dist/index.js] [--n 1000000] [--rounds 5] [--reps 4]
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    one: { type: 'string' },
    pattern: { type: 'string', default: 'one-delay' },
    n: { type: 'string', default: '1000000' },
    rounds: { type: 'string', default: '5' },
    reps: { type: 'string', default: '4' },
  },
});
const n = Number(values.n);
const reps = Number(values.reps);
const dist = path.resolve(positionals[0] ?? 'dist/index.js');
/** A handle's slot: its low 24 bits (src/engine/task-slots.ts slotOf). */
const SLOT_MASK = 2 ** 24 - 1;

class WasmFloor {
  #w;
  #fns = [];
  constructor(w) {
    this.#w = w;
  }
  after(delayMs, fn) {
    // NORMAL class (2), nice 0, a one-shot task (kind 0), no period.
    const id = this.#w.register(performance.now(), 2, 0, 0, delayMs, 0);
    this.#fns[id & SLOT_MASK] = fn;
    return new FloorHandle(this, id);
  }
  cancel(id) {
    this.#w.cancel(id);
    this.#fns[id & SLOT_MASK] = undefined;
  }
  /** True while a timer is queued in the core or a closure is kept. */
  get live() {
    return this.#w.nextDue() !== Number.POSITIVE_INFINITY || this.#fns.some((fn) => fn !== undefined);
  }
}

/** Two fields, as a TaskHandle. */
class FloorHandle {
  #floor;
  id;
  constructor(floor, id) {
    this.#floor = floor;
    this.id = id;
  }
  cancel() {
    this.#floor.cancel(this.id);
  }
}

const IMPLS = ['setTimeout', 'timer-floor', 'wasm-floor', 'timeslice'];
const PATTERNS = ['one-delay', 'random'];

if (values.one !== undefined) {
  const { delaysFor } = await import('../suites/timers/insert-cancel.mjs');
  const { Scheduler } = await import(pathToFileURL(dist).href);
  const { Core } = await import(pathToFileURL(path.join(path.dirname(dist), 'core.js')).href);
  const delays = delaysFor(values.pattern, 0x7153 + 1, n);
  let fired = 0;
  const fire = (i) => {
    fired += i + 1;
  };
  const handles = new Array(n).fill(null);
  const run = implementation(values.one, delays, handles, fire, Scheduler, Core);
  const cpuNs = [];
  const wallNs = [];
  for (let r = 0; r < reps; r++) {
    globalThis.gc?.();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    run();
    wallNs.push(((performance.now() - t0) * 1e6) / n);
    const cpu = process.cpuUsage(cpu0);
    cpuNs.push(((cpu.user + cpu.system) * 1e3) / n);
  }
  if (fired !== 0) throw new Error(`timers floors: a ${values.one} timer fired`);
  console.log(JSON.stringify({ cpuNs: median(cpuNs.slice(1)), wallNs: median(wallNs.slice(1)) }));
  process.exit(0);
}

const self = fileURLToPath(import.meta.url);
for (const pattern of PATTERNS) {
  const rows = Object.fromEntries(IMPLS.map((impl) => [impl, []]));
  for (let round = 0; round < Number(values.rounds); round++) {
    // Rotated: which implementation ran just before moves each round.
    const order = IMPLS.map((_, i) => IMPLS[(i + round) % IMPLS.length]);
    for (const impl of order) {
      const args = ['--expose-gc', self, dist, '--one', impl, '--pattern', pattern, '--n', String(n), '--reps', String(reps)];
      rows[impl].push(JSON.parse(execFileSync(process.execPath, args, { encoding: 'utf8' })));
    }
  }
  for (const impl of IMPLS) {
    const cpu = rows[impl].map((r) => r.cpuNs);
    const lead = rows[impl].map((r, i) => rows.setTimeout[i].cpuNs / r.cpuNs);
    console.log(
      `${pattern} n=${n} ${impl.padEnd(11)} CPU ns/timer ${median(cpu).toFixed(0)} (${Math.min(...cpu).toFixed(0)}-${Math.max(...cpu).toFixed(0)}), ` +
        `wall ${median(rows[impl].map((r) => r.wallNs)).toFixed(0)}; CPU lead over setTimeout ${median(lead).toFixed(2)}x (${Math.min(...lead).toFixed(2)}-${Math.max(...lead).toFixed(2)})`,
    );
  }
}

/** One repetition of an implementation: n timers set, then all cancelled in the order set. */
function implementation(name, delays, handles, fire, Scheduler, Core) {
  if (name === 'setTimeout') {
    return () => {
      for (let i = 0; i < n; i++) handles[i] = setTimeout(() => fire(i), delays[i]);
      for (let i = 0; i < n; i++) clearTimeout(handles[i]);
    };
  }
  if (name === 'timer-floor') {
    const fns = new Array(n).fill(null);
    const dueMs = new Float64Array(n);
    return () => {
      for (let i = 0; i < n; i++) {
        dueMs[i] = performance.now() + delays[i];
        fns[i] = () => fire(i);
      }
      for (let i = 0; i < n; i++) fns[i] = null;
    };
  }
  if (name === 'wasm-floor') {
    const floor = new WasmFloor(new Core().exports);
    return () => {
      for (let i = 0; i < n; i++) handles[i] = floor.after(delays[i], () => fire(i));
      for (let i = 0; i < n; i++) handles[i].cancel();
      if (floor.live) throw new Error('timers floors: wasm-floor left a timer');
    };
  }
  const scheduler = new Scheduler().start();
  return () => {
    for (let i = 0; i < n; i++) handles[i] = scheduler.after(delays[i], () => fire(i));
    for (let i = 0; i < n; i++) handles[i].cancel();
    if (scheduler.stats().live !== 0) throw new Error('timers floors: timeslice left a timer');
  };
}

function median(list) {
  const sorted = [...list].sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
}
