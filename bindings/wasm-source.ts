// loadCore(source) with a source given: the core as a compiled module, the
// .wasm file's bytes, a fetch Response of it (or the promise of one), or its
// URL. A module of its own, imported by loadCore() only then, so that a page
// that loads the embedded copy does not fetch this code in its first load.
// It imports no code either: the error helpers come from loadCore(), whose
// module has them already. A module this one imported would be shared with
// the first load, and in a bundler that splits per file (esbuild), a chunk of
// its own there (test/dist/size.test.ts).
import type * as errors from './errors.js';
import type { WasmSource } from './load.js';

/** What this module throws with: bindings/errors.ts's, given by loadCore(). */
export type SourceErrors = Pick<typeof errors, 'describeValue' | 'InvalidArgumentError' | 'NotLoadedError' | 'mustBe'>;

/** Names the core exports that a module must have to be taken for it. */
const CORE_EXPORTS = ['memory', 'init', 'register', 'pop', 'runBatch'];

function checkedCore(module: WebAssembly.Module, from: string, e: SourceErrors): WebAssembly.Module {
  const names = new Set(WebAssembly.Module.exports(module).map((e) => e.name));
  const missing = CORE_EXPORTS.filter((name) => !names.has(name));
  if (missing.length > 0) throw new e.InvalidArgumentError(`loadCore: ${from} is not timeslice's core (no export ${missing.join(', ')})`);
  return module;
}

async function compileBytes(bytes: BufferSource, from: string, e: SourceErrors): Promise<WebAssembly.Module> {
  let module: WebAssembly.Module;
  try {
    module = await WebAssembly.compile(bytes);
  } catch (error) {
    throw new e.NotLoadedError(`loadCore: ${from} does not compile: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return checkedCore(module, from, e);
}

async function compileResponse(response: Response, from: string, e: SourceErrors): Promise<WebAssembly.Module> {
  if (!response.ok) throw new e.NotLoadedError(`loadCore: fetching ${from} answered ${response.status} ${response.statusText}`.trimEnd());
  return compileBytes(await response.arrayBuffer(), from, e);
}

/** The core compiled from `source`, checked to be timeslice's; rejects as loadCore() documents. */
export function compileSource(source: WasmSource, e: SourceErrors): Promise<WebAssembly.Module> {
  if (source instanceof WebAssembly.Module) return Promise.resolve(checkedCore(source, 'the module given', e));
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) return compileBytes(source as BufferSource, 'the bytes given', e);
  if (typeof source === 'string' || source instanceof URL) {
    const url = String(source);
    return fetch(url).then(
      (response) => compileResponse(response, url, e),
      (error: unknown) => {
        throw new e.NotLoadedError(`loadCore: fetching ${url} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      },
    );
  }
  if (typeof Response !== 'undefined' && source instanceof Response) return compileResponse(source, source.url || 'the response given', e);
  if (typeof (source as PromiseLike<Response>)?.then === 'function') {
    return Promise.resolve(source as PromiseLike<Response>).then((response) => {
      if (typeof Response === 'undefined' || !(response instanceof Response)) {
        throw new e.InvalidArgumentError(`loadCore: the promise given resolved to ${e.describeValue(response)}, not a Response`);
      }
      return compileResponse(response, response.url || 'the response given', e);
    });
  }
  return Promise.reject(e.mustBe('loadCore: source', 'a URL, a Response, the .wasm bytes or a WebAssembly.Module', source));
}
