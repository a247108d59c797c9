export { Core, POLICIES, type CoreCounters, type CoreOptions, type Policy, type TaskKind, type TaskSnapshot, type TaskState } from './core.js';
export { CoreBatch, type BatchHost } from './batch.js';
export { coreLoaded, embeddedModule, instantiateCore, loadCore, type CoreExports, type WasmSource } from './load.js';
export { slotOfHandle, generationOfHandle } from './handles.js';
export * from './errors.js';
export { LAYOUT as layout } from './layout.generated.js';
