// The Core every timed timeslice run uses, emptied with init() before each
// run. A fresh Core per run would be collected by the gc() before the next
// run, and with it the wasm functions V8 had specialised the loops (and Core's
// methods) for: every run would start from deoptimized code (see
// bench/lib/keep-alive.mjs). init() restores every default and shrinks every
// arena group back to its initial capacity, so growth is still paid; only the
// wasm memory pages, which never shrink, stay allocated. Memory per timer is
// measured on fresh Cores instead (timers-memory.mjs).
import '../../../scripts/current-dist.mjs';
import { Core } from '../../../dist/core.js';
import { keepAlive } from '../../lib/keep-alive.mjs';

let shared;

export function resetSharedCore() {
  shared ??= keepAlive(new Core());
  const status = shared.exports.init();
  if (status !== 0) throw new Error(`Core init() answered ${status}`);
  return shared;
}
