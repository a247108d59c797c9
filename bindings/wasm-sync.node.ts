// `#wasm-sync` under the "node" condition (Node, Deno, Bun, bundlers targeting
// Node): the embedded release core, so `new Core()` and `new Scheduler()` work
// at once, with no loadCore(), as they always have there. See ./wasm-sync.ts.
export { WASM_LATIN1 as WASM_SYNC } from './wasm.generated.js';
