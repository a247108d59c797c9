// The core's bytes for a synchronous first `new Core()`, in builds that have
// them at hand. This is the browser (and default) variant: none, so that a
// bundle of `timeslice` does not carry ~7 KB (gzip) of embedded core up front; the
// core is then compiled asynchronously by loadCore() (bindings/load.ts).
// Node resolves `#wasm-sync` to ./wasm-sync.node.ts instead (package.json
// "imports", the "node" condition), where the embedded copy is at hand.

/** The release core (one char per byte, see bindings/load.ts decodeLatin1), when this build can compile it synchronously. */
export const WASM_SYNC: string | undefined = undefined;
