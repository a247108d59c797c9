// The shared-memory build of the core, for the worker pool: one memory, one
// instance per thread. Its own module so that `timeslice` (and `timeslice/core`)
// never embed it; only `timeslice/pool` does.
//
// The memory is a shared WebAssembly.Memory (a SharedArrayBuffer underneath)
// with a fixed maximum (SHARED_MAXIMUM_PAGES, as the build declares: a shared
// memory must have one, and it reserves address space, not RAM). The first
// instance is made from the module without all-zero data segments and
// initialises the core; every other instance is made from the module with no
// data segments and attaches without init() (scripts/wasm-sections.mjs says why).
import { SHARED_ATTACH_BASE64, SHARED_FIRST_BASE64 } from './wasm-shared.generated.js';
import { Core } from './core.js';
import { decodeBase64 } from './load.js';

/** The shared build's maximum memory, in 64 KiB pages (asconfig.json, target "shared"): 1 GiB. */
export const SHARED_MAXIMUM_PAGES = 16384;
/** The pages the shared build needs for its static data. */
export const SHARED_INITIAL_PAGES = 4;

let first: WebAssembly.Module | undefined;
let attach: WebAssembly.Module | undefined;

/** The shared build for the first instance on a memory (compiled once). */
export function sharedFirstModule(): WebAssembly.Module {
  first ??= new WebAssembly.Module(decodeBase64(SHARED_FIRST_BASE64));
  return first;
}

/** The shared build for instances that attach to a live memory (compiled once; can be posted to workers). */
export function sharedAttachModule(): WebAssembly.Module {
  attach ??= new WebAssembly.Module(decodeBase64(SHARED_ATTACH_BASE64));
  return attach;
}

/** A new shared memory for the shared build. */
export function newSharedMemory(): WebAssembly.Memory {
  return new WebAssembly.Memory({ initial: SHARED_INITIAL_PAGES, maximum: SHARED_MAXIMUM_PAGES, shared: true });
}

/** A core on a new shared memory, initialised: the one every other instance attaches to. */
export function createSharedCore(memory: WebAssembly.Memory = newSharedMemory()): Core {
  return new Core({ module: sharedFirstModule(), memory });
}

/** Another instance of the core on a memory a shared core already initialised (no data written, no init()). */
export function attachSharedCore(memory: WebAssembly.Memory, module: WebAssembly.Module = sharedAttachModule()): Core {
  return new Core({ module, memory, attach: true });
}
