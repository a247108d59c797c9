// `timeslice/core`: the WebAssembly scheduling core with its typed bindings,
// for callers who drive the run loop themselves (and for benchmarks).
export { Core, CoreBatch, POLICIES, slotOfHandle, generationOfHandle, layout, loadCore } from '../bindings/index.js';
export type { BatchHost, CoreCounters, CoreExports, CoreOptions, Policy, TaskKind, TaskSnapshot, TaskState, WasmSource } from '../bindings/index.js';
export * from './errors.js';
