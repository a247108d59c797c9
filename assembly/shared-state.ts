// The core's variables, kept in linear memory (layout.ts, "shared state").
//
// Why not module-level `let`s: AssemblyScript compiles those to wasm globals,
// and a global belongs to one instance. The worker pool instantiates the core
// once per thread on one shared memory; with globals, each instance would have
// its own free list, sequence counter and policy over the same tables, and the
// first allocation from a second instance would hand out a slot the first
// already had. Words at fixed addresses in static memory are shared by every
// instance, and cost what a global costs: one load or store at a constant
// address.

import { STATE_BYTES } from "./layout";

export const sharedState: usize = memory.data(STATE_BYTES, 8);

@inline export function stateU32(offset: i32): u32 {
  return load<u32>(sharedState + <usize>offset);
}
@inline export function setStateU32(offset: i32, v: u32): void {
  store<u32>(sharedState + <usize>offset, v);
}
@inline export function stateF64(offset: i32): f64 {
  return load<f64>(sharedState + <usize>offset);
}
@inline export function setStateF64(offset: i32, v: f64): void {
  store<f64>(sharedState + <usize>offset, v);
}
