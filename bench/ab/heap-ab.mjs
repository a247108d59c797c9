// Builds of the core's wasm side by side on the heap-hold workload of the core
// suite, interleaved in one process, with the C heap (bench/c/heap4.c, plain
// and indexed) run between them: the A/B that chose the heap's layout and its
// branch-free child choice. Per op (one pop + one push) the process CPU time,
// median (min-max) over the repetitions: CPU rather than wall time because the
// machine is shared (the C binary times itself with the process CPU clock too,
// built with -DHEAP4_CLOCK). wasm-plain = heap4.c's plain heap in
// AssemblyScript (plain-heap.ts), compiled with the core's release flags and
// driven as the core is. bare = the ready heap through benchHeapPop /
// benchHeapPush (the suite's timeslice-core row), cycle = pop, charge, requeue
// under the fair policy (timeslice-task-cycle).
//
//   npx asc assembly/index.ts --target release -o /tmp/a.wasm   (once per revision)
//   node bench/ab/heap-ab.mjs /tmp/a.wasm build/timeslice.wasm [reps]
import '../../scripts/current-dist.mjs';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { layout as L } from '../../dist/core.js';
import { heapWorkload } from '../lib/random.mjs';
import { summarize } from '../lib/stats.mjs';

const rootDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const wasmFiles = process.argv.slice(2).filter((a) => a.endsWith('.wasm'));
const reps = Number(process.argv.slice(2).find((a) => !a.endsWith('.wasm')) ?? 9);
const SIZES = [1e4, 1e5, 1e6];
const OPS = 1e6;
const SEED = 0x5eed;

const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e3;
};

// heap4 with its clock swapped for the process CPU clock, built into the bench cache.
const heap4 = path.join(rootDir, 'bench', '.cache', 'heap4-cpu');
mkdirSync(path.dirname(heap4), { recursive: true });
execFileSync('gcc', ['-O2', '-ffp-contract=off', '-DHEAP4_CLOCK=CLOCK_PROCESS_CPUTIME_ID', '-o', heap4, path.join(rootDir, 'bench', 'c', 'heap4.c')]);
const runC = (workload) => (_w, n, m) => {
  const out = JSON.parse(execFileSync(heap4, [workload, n, m, 1, SEED], { encoding: 'utf8' }));
  return { ms: out.ms[0], checksum: out.checksum };
};

// heap4.c's plain heap as wasm, with the release target's optimisation flags.
const plainWasm = path.join(rootDir, 'bench', '.cache', 'plain-heap.wasm');
const asc = path.join(rootDir, 'node_modules', '.bin', 'asc');
const release = JSON.parse(readFileSync(path.join(rootDir, 'asconfig.json'), 'utf8')).targets.release;
const ascFlags = ['--optimizeLevel', String(release.optimizeLevel), '--shrinkLevel', String(release.shrinkLevel), '--noAssert', '--runtime', 'stub'];
execFileSync(asc, [path.join(rootDir, 'bench', 'ab', 'plain-heap.ts'), ...ascFlags, ...(release.converge ? ['--converge'] : []), '-o', plainWasm]);
const plain = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(plainWasm)), {}).exports;
function wasmPlain(w, n, m) {
  plain.reset(n + 1);
  for (let i = 0; i < n; i++) plain.push(i, w.keys[i]);
  let checksum = 0;
  const startMs = cpuMs();
  for (let i = 0; i < m; i++) {
    const key = plain.topKey();
    const id = plain.topId();
    plain.pop();
    plain.push(id, key + w.increments[i]);
    checksum += key;
  }
  return { ms: cpuMs() - startMs, checksum };
}

function coreOf(file) {
  const module = new WebAssembly.Module(readFileSync(file));
  const ex = new WebAssembly.Instance(module, { env: { abort: () => { throw new Error(`${file}: abort`); } } }).exports;
  const bare = (w, n, m) => {
    ex.init();
    for (let i = 0; i < n; i++) ex.benchHeapPush(i, w.keys[i]);
    const f64 = new Float64Array(ex.memory.buffer);
    const u32 = new Uint32Array(ex.memory.buffer);
    const topKey = ex.columnBaseOf(L.COL_READY_KEY) >>> 3;
    const topSlot = ex.columnBaseOf(L.COL_READY_SLOT) >>> 2;
    let checksum = 0;
    const startMs = cpuMs();
    for (let i = 0; i < m; i++) {
      const key = f64[topKey];
      const slot = u32[topSlot];
      ex.benchHeapPop();
      ex.benchHeapPush(slot, key + w.increments[i]);
      checksum += key;
    }
    const ms = cpuMs() - startMs;
    if (ex.checkInvariants() !== 0) throw new Error(`${file}: heap out of order`);
    return { ms, checksum };
  };
  const cycle = (w, n, m) => {
    ex.init();
    ex.setPolicy(L.POLICY_ROUND_ROBIN);
    for (let i = 0; i < n; i++) ex.register(0, L.CLASS_NORMAL, 0, L.KIND_ONCE, 0, 0);
    const handles = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      handles[i] = ex.pop(0);
      ex.charge(handles[i], w.keys[i]);
    }
    ex.setPolicy(L.POLICY_FAIR);
    for (let i = 0; i < n; i++) ex.requeue(handles[i], 0, L.REQUEUE_TAIL);
    const f64 = new Float64Array(ex.memory.buffer);
    const vruntimes = (ex.columnBaseOf(L.COL_TASKS) + L.FIELD_VRUNTIME) >>> 3;
    const slotMask = 2 ** L.HANDLE_SLOT_BITS - 1;
    let checksum = 0;
    const startMs = cpuMs();
    for (let i = 0; i < m; i++) {
      const handle = ex.pop(0);
      const key = f64[vruntimes + (handle & slotMask) * (L.TASK_ROW_BYTES / 8)];
      ex.charge(handle, w.increments[i]);
      ex.requeue(handle, 0, L.REQUEUE_TAIL);
      checksum += key;
    }
    return { ms: cpuMs() - startMs, checksum };
  };
  return { bare, cycle };
}

const impls = [];
for (const file of wasmFiles) {
  const core = coreOf(file);
  const name = `${path.basename(path.dirname(file))}/${path.basename(file)}`;
  impls.push({ name: `${name} bare`, run: core.bare }, { name: `${name} cycle`, run: core.cycle });
}
impls.push({ name: 'wasm-plain', run: wasmPlain }, { name: 'c-gcc-O2', run: runC('hold') }, { name: 'c-gcc-O2-indexed', run: runC('hold-indexed') });

console.log(`load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}; ns of CPU per pop + push, median (min-max) of ${reps}`);
for (const n of SIZES) {
  const w = heapWorkload(SEED, n, OPS);
  const nsPerOp = new Map(impls.map((impl) => [impl.name, []]));
  const checksums = new Set();
  for (let rep = 0; rep < reps; rep++) {
    for (const impl of rep % 2 === 0 ? impls : [...impls].reverse()) {
      const { ms, checksum } = impl.run(w, n, OPS);
      nsPerOp.get(impl.name).push((ms * 1e6) / OPS);
      checksums.add(checksum);
    }
  }
  if (checksums.size !== 1) throw new Error(`n=${n}: the implementations popped different keys`);
  console.log(`n=${n}`);
  for (const [name, values] of nsPerOp) {
    const s = summarize(values);
    console.log(`  ${name.padEnd(40)} ${s.median.toFixed(1)} (${s.min.toFixed(1)}-${s.max.toFixed(1)})`);
  }
}
console.log(`load average at the end ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
