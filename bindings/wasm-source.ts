// loadCore(source) with a source given: the core as a compiled module, the
// .wasm file's bytes, a fetch Response of it (or the promise of one), or its
// URL. A module of its own, imported by loadCore() only then, so that a page
// that loads the embedded copy does not fetch this code in its first load.
import { describeValue, InvalidArgumentError, NotLoadedError, mustBe } from './errors.js';
import type { WasmSource } from './load.js';

/** Names the core exports that a module must have to be taken for it. */
const CORE_EXPORTS = ['memory', 'init', 'register', 'pop', 'runBatch'];

function checkedCore(module: WebAssembly.Module, from: string): WebAssembly.Module {
  const names = new Set(WebAssembly.Module.exports(module).map((e) => e.name));
  const missing = CORE_EXPORTS.filter((name) => !names.has(name));
  if (missing.length > 0) throw new InvalidArgumentError(`loadCore: ${from} is not timeslice's core (no export ${missing.join(', ')})`);
  return module;
}

async function compileBytes(bytes: BufferSource, from: string): Promise<WebAssembly.Module> {
  let module: WebAssembly.Module;
  try {
    module = await WebAssembly.compile(bytes);
  } catch (error) {
    throw new NotLoadedError(`loadCore: ${from} does not compile: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return checkedCore(module, from);
}

async function compileResponse(response: Response, from: string): Promise<WebAssembly.Module> {
  if (!response.ok) throw new NotLoadedError(`loadCore: fetching ${from} answered ${response.status} ${response.statusText}`.trimEnd());
  return compileBytes(await response.arrayBuffer(), from);
}

/** The core compiled from `source`, checked to be timeslice's; rejects as loadCore() documents. */
export function compileSource(source: WasmSource): Promise<WebAssembly.Module> {
  if (source instanceof WebAssembly.Module) return Promise.resolve(checkedCore(source, 'the module given'));
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) return compileBytes(source as BufferSource, 'the bytes given');
  if (typeof source === 'string' || source instanceof URL) {
    const url = String(source);
    return fetch(url).then(
      (response) => compileResponse(response, url),
      (error: unknown) => {
        throw new NotLoadedError(`loadCore: fetching ${url} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      },
    );
  }
  if (typeof Response !== 'undefined' && source instanceof Response) return compileResponse(source, source.url || 'the response given');
  if (typeof (source as PromiseLike<Response>)?.then === 'function') {
    return Promise.resolve(source as PromiseLike<Response>).then((response) => {
      if (typeof Response === 'undefined' || !(response instanceof Response)) {
        throw new InvalidArgumentError(`loadCore: the promise given resolved to ${describeValue(response)}, not a Response`);
      }
      return compileResponse(response, response.url || 'the response given');
    });
  }
  return Promise.reject(mustBe('loadCore: source', 'a URL, a Response, the .wasm bytes or a WebAssembly.Module', source));
}
