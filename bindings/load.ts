// Finds and compiles the core. The release wasm is embedded (base64, ~13 KB)
// so that `import 'timeslice'` works in Node, in browsers and in every bundler
// with no loader plug-in and no file to serve. It is compiled once per process
// and instantiated once per Core. The exports are plain numeric functions, so
// no glue library sits between a call and the wasm: a call is one crossing.
import { WASM_BASE64 } from './wasm.generated.js';

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

/** The bytes of a base64 text (an embedded wasm build). */
export function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** The embedded release module, compiled on first use. */
export function embeddedModule(): WebAssembly.Module {
  embedded ??= new WebAssembly.Module(decodeBase64(WASM_BASE64));
  return embedded;
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
