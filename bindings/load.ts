// Finds and compiles the core. Two ways in:
// - synchronously, from the release wasm embedded as a string (~19 KB), where
//   the build has it at hand: under Node's "node" condition `#wasm-sync` is
//   that copy (bindings/wasm-sync.node.ts), so `new Core()` just works;
// - asynchronously, with loadCore(): browser (and other non-Node) builds
//   leave the embedded copy out of their first bundle (bindings/wasm-sync.ts)
//   and compile the core before the first `new Core()`: from the raw
//   `timeslice.wasm` the package ships (a URL, a Response, bytes) or, given
//   nothing, from the embedded copy, imported on demand (its own chunk in a
//   bundler that splits). Async compilation also keeps a large compile off a
//   browser's main thread, where synchronous compilation is capped (Chrome:
//   4 KB in older versions, 8 MB in recent ones).
// The module is compiled once per process and instantiated once per Core. The
// exports are plain numeric functions, so no glue library sits between a call
// and the wasm: a call is one crossing.
import { WASM_SYNC } from '#wasm-sync';
import { describeValue, InvalidArgumentError, mustBe, NotLoadedError } from './errors.js';

/** The core's exports, as the AssemblyScript sources declare them. */
export interface CoreExports {
  memory: WebAssembly.Memory;
  init(): number;
  setPolicy(policy: number): number;
  getPolicy(): number;
  setQuantum(ms: number): number;
  setClassDeadline(cls: number, ms: number): number;
  niceWeight(nice: number): number;
  setFirstGeneration(base: number): number;
  highestGeneration(): number;
  register(nowMs: number, cls: number, nice: number, kind: number, delayMs: number, periodMs: number): number;
  advance(nowMs: number): number;
  pop(nowMs: number): number;
  take(handle: number, nowMs: number): number;
  peek(): number;
  nextDue(): number;
  charge(handle: number, elapsedMs: number): number;
  chargeWeighted(handle: number, elapsedMs: number, weight: number): number;
  chargeGroup(elapsedMs: number): number;
  completeAndPop(handle: number, nowMs: number): number;
  requeue(handle: number, nowMs: number, mode: number): number;
  complete(handle: number, nowMs: number, failed: number): number;
  finish(handle: number, nowMs: number, elapsedMs: number, flags: number): number;
  completeAt(handle: number, nowMs: number, nextDueMs: number, failed: number): number;
  retry(handle: number, nowMs: number, delayMs: number): number;
  cancel(handle: number): number;
  setClass(handle: number, cls: number): number;
  setNice(handle: number, nice: number): number;
  pause(handle: number): number;
  resume(handle: number, nowMs: number): number;
  runNow(handle: number, nowMs: number): number;
  taskState(handle: number): number;
  readyRank(handle: number): number;
  lastPopSkippedTicks(): number;
  runBatch(count: number, nowMs: number, maxOut: number): number;
  commandBufferPtr(): number;
  outputBufferPtr(): number;
  countersPtr(): number;
  columnBasesPtr(): number;
  groupCapacitiesPtr(): number;
  columnBaseOf(col: number): number;
  columnBytes(col: number): number;
  columnGroupOf(col: number): number;
  taskFieldBytes(field: number): number;
  checkInvariants(): number;
  noop(): void;
  benchHeapPush(slot: number, key: number): number;
  benchHeapPop(): number;
  benchHeapClear(): void;
  poolTake(nowMs: number, maxClass: number, max: number): number;
  poolTopKey(maxClass: number): number;
  poolTopClass(maxClass: number): number;
  poolClaimKey(handle: number): number;
  poolRequeueKey(handle: number, nowMs: number): number;
  poolVruntime(handle: number): number;
  poolRunningCount(): number;
  sharedStatePtr(): number;
}

let embedded: WebAssembly.Module | undefined;
let loading: Promise<WebAssembly.Module> | undefined;

/**
 * The bytes of an embedded wasm build written one char per byte (the release
 * core: scripts/generate-layout.mjs says why not base64).
 */
export function decodeLatin1(text: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/** The bytes of a base64 text (the shared-memory builds of the worker pool). */
export function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * The release core module: the one loadCore() compiled, or (where the build
 * embeds it synchronously, as in Node) compiled now, on first use.
 * NotLoadedError where neither is at hand: a browser build before loadCore().
 */
export function embeddedModule(): WebAssembly.Module {
  if (embedded === undefined) {
    if (WASM_SYNC === undefined) {
      throw new NotLoadedError(
        'the WebAssembly core is not loaded yet: in a browser build, await loadCore() (or load() from timeslice) once before new Core() or new Scheduler()',
      );
    }
    embedded = new WebAssembly.Module(decodeLatin1(WASM_SYNC));
  }
  return embedded;
}

/** Whether `new Core()` can get its module synchronously now (loaded, or embedded in this build). */
export function coreLoaded(): boolean {
  return embedded !== undefined || WASM_SYNC !== undefined;
}

/**
 * Where loadCore() gets the core: a compiled module, the .wasm file's bytes,
 * a fetch Response of it (or the promise of one), or its URL.
 */
export type WasmSource = WebAssembly.Module | BufferSource | Response | PromiseLike<Response> | URL | string;

/**
 * Compiles the core asynchronously, once, so that `new Core()` and
 * `new Scheduler()` can then be made synchronously. Needed in browser builds
 * (where the core is not embedded in the first bundle), a no-op where the
 * build embeds it (Node). `source` is the `timeslice.wasm` the package ships
 * (`timeslice/timeslice.wasm`), as a URL, a Response, bytes or a compiled
 * module; by default the embedded copy is imported on demand. The first
 * load wins: later calls resolve at once. Rejects with NotLoadedError when
 * the file cannot be fetched or compiled, InvalidArgumentError for a source
 * of the wrong type or a module that is not timeslice's core.
 * @example
 * await loadCore(); // or the shipped file, served: with Vite, import wasmUrl from 'timeslice/timeslice.wasm?url'; await loadCore(wasmUrl)
 * const core = new Core();
 */
export function loadCore(source?: WasmSource): Promise<void> {
  if (embedded !== undefined) return Promise.resolve();
  if (source === undefined && WASM_SYNC !== undefined) {
    embeddedModule();
    return Promise.resolve();
  }
  let pending: Promise<WebAssembly.Module>;
  try {
    pending = loading ?? compileFrom(source);
  } catch (error) {
    return Promise.reject(error);
  }
  loading = pending;
  return pending.then(
    (module) => {
      embedded ??= module;
    },
    (error: unknown) => {
      // A failed load can be tried again (with another source, say).
      if (loading === pending) loading = undefined;
      throw error;
    },
  );
}

function compileFrom(source: WasmSource | undefined): Promise<WebAssembly.Module> {
  // Each its own chunk in a bundler that splits: a page fetches the embedded copy only when it loads
  // the core so, and the code that reads a URL, a Response or bytes only when it gives one (wasm-source.ts).
  if (source === undefined) {
    return import('./wasm.generated.js').then(({ WASM_LATIN1 }) =>
      WebAssembly.compile(decodeLatin1(WASM_LATIN1)).catch((error: unknown) => {
        throw new NotLoadedError(`loadCore: the embedded core does not compile: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }),
    );
  }
  return import('./wasm-source.js').then(({ compileSource }) => compileSource(source, { describeValue, InvalidArgumentError, NotLoadedError, mustBe }));
}

/**
 * A fresh instance of a core module (the embedded release build unless given).
 * A module built with an imported memory (the shared build) is given `memory`.
 */
export function instantiateCore(module: WebAssembly.Module = embeddedModule(), memory?: WebAssembly.Memory): CoreExports {
  const imports = {
    env: {
      ...(memory === undefined ? {} : { memory }),
      // Only the debug build can abort (a failed invariant assertion).
      abort(_message: number, _file: number, line: number, column: number): never {
        throw new Error(`timeslice core: invariant violated at line ${line}:${column}`);
      },
    },
  };
  const instance = new WebAssembly.Instance(module, imports);
  const exports = instance.exports as unknown as CoreExports;
  // An imported memory is not re-exported by every build: keep the field the bindings read.
  return memory === undefined || exports.memory !== undefined ? exports : { ...exports, memory };
}
