// Cores for tests: the shipped release build by default; the debug build (with
// its invariant assertions) when a test wants the core to check itself.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Core } from '../../bindings/index.js';

let debugModule: WebAssembly.Module | undefined;

export function releaseCore(): Core {
  return new Core();
}

export function debugCore(): Core {
  debugModule ??= new WebAssembly.Module(readFileSync(fileURLToPath(new URL('../../build/timeslice.debug.wasm', import.meta.url))));
  return new Core({ module: debugModule });
}

/** Pops every ready task (completing each) and returns their handles in order. */
export function drain(core: Core, nowMs: number): number[] {
  const order: number[] = [];
  for (let h = core.pop(nowMs); h !== 0; h = core.pop(nowMs)) {
    order.push(h);
    core.complete(h, nowMs);
  }
  return order;
}
