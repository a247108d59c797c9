// Builds and instantiates the two timer structures of bench/timer-structure/.
//
// Each is compiled with asc at run time into bench/.cache (git-ignored), and
// again only when a source is newer than its wasm: bench/timer-structure/*.ts
// and, because heap.ts imports the core's own heap, assembly/*.ts. asc runs in
// a child process so its memory and JIT state stay out of the measured process.
// `--config bench/timer-structure/asconfig.json` matters: without it asc reads
// the project's asconfig.json from the working directory and compiles
// assembly/index.ts into the same module as a second entry. A --quick run (only
// checking that the suite works) compiles without optimisation, into files of
// its own (<name>.O0.wasm), which takes half the time on a fresh clone.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const SOURCE_DIRS = ['bench/timer-structure', 'assembly'];

function newestSourceMs(rootDir) {
  let newest = 0;
  for (const dir of SOURCE_DIRS) {
    for (const name of readdirSync(path.join(rootDir, dir))) {
      if (name.endsWith('.ts') || name.endsWith('.json')) newest = Math.max(newest, statSync(path.join(rootDir, dir, name)).mtimeMs);
    }
  }
  return newest;
}

function compile(rootDir, cacheDir, name, log, optimize) {
  const out = path.join(cacheDir, optimize ? `${name}.wasm` : `${name}.O0.wasm`);
  if (existsSync(out) && statSync(out).mtimeMs >= newestSourceMs(rootDir)) return out;
  mkdirSync(cacheDir, { recursive: true });
  const asc = path.join(rootDir, 'node_modules', 'assemblyscript', 'bin', 'asc.js');
  const args = [
    asc,
    `bench/timer-structure/${name}.ts`,
    '--config',
    'bench/timer-structure/asconfig.json',
    '--runtime',
    'stub',
    optimize ? '-O3' : '-O0',
    '--noAssert',
    '-o',
    path.relative(rootDir, out),
  ];
  log(`asc ${args.slice(1).join(' ')}`);
  execFileSync(process.execPath, args, { cwd: rootDir, stdio: ['ignore', 'inherit', 'inherit'] });
  return out;
}

/** {heap, wheel}: compiled WebAssembly.Module of each structure; optimize: false for a --quick run. */
export function buildModules(rootDir, cacheDir, log, { optimize = true } = {}) {
  const modules = {};
  for (const name of ['heap', 'wheel']) modules[name] = new WebAssembly.Module(readFileSync(compile(rootDir, cacheDir, name, log, optimize)));
  return modules;
}

function importsFor(module) {
  const imports = {};
  for (const { module: from, name } of WebAssembly.Module.imports(module)) {
    imports[from] ??= {};
    imports[from][name] = () => {
      throw new Error(`timer-structure wasm called its import ${from}.${name}`);
    };
  }
  return imports;
}

// V8 calls an export through a generic JS-to-wasm wrapper until the export
// has been called about a thousand times, then compiles a specific one: ~0.1 ms
// spent inside whichever call crosses the budget, per export, per instance.
// Every export the workloads time is called this often first, with arguments
// it refuses, so the timed loops never pay it.
const WRAPPER_WARM_CALLS = 1500;

function warmWrappers(exports) {
  let refused = 0;
  for (let i = 0; i < WRAPPER_WARM_CALLS; i++) {
    refused += exports.insert(0xffffffff, 0) + exports.cancel(0xffffffff) + exports.advance(-1);
    exports.nextDue();
    exports.pending();
    exports.noop();
  }
  if (refused !== -3 * WRAPPER_WARM_CALLS) throw new Error('timer-structure: a warm-up call was not refused');
}

/**
 * A fresh instance (fresh linear memory) set up for ids 0..capacity-1. With
 * logCapacity > 0 it also records released ids, for the strict checks.
 * levelBits (wheel only): 6 for levels of 64 slots, 8 for levels of 256.
 */
export function instantiate(module, { capacity, ordered = true, levelBits, logCapacity = 0 }) {
  const { exports } = new WebAssembly.Instance(module, importsFor(module));
  if (levelBits !== undefined && exports.configure(levelBits) !== 0) throw new Error(`timer-structure: configure(${levelBits}) refused`);
  if (exports.init(capacity, logCapacity) !== 0) throw new Error(`timer-structure: init(${capacity}) refused (out of memory?)`);
  // Only the wheel has a choice; the heap's order is its structure.
  if (!ordered) exports.setOrdered(0);
  warmWrappers(exports);
  return exports;
}

/** The ids logged since the last clearLog(), copied out. */
export function loggedIds(exports) {
  return new Uint32Array(exports.memory.buffer, exports.logPtr(), exports.logCount()).slice();
}

/** The u32 mix of release.ts, so expected checksums are computed independently. */
export function hashId(id) {
  let h = Math.imul(id, 0x9e3779b1) >>> 0;
  h = (h ^ (h >>> 15)) >>> 0;
  h = Math.imul(h, 0x85ebca77) >>> 0;
  return (h ^ (h >>> 13)) >>> 0;
}
