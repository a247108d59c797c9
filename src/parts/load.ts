// The parts of timeslice that a browser build loads on demand, and load(),
// which loads them. Three parts weigh most of a browser bundle (measured by
// test/dist/size.test.ts): the WebAssembly core embedded as base64, croner
// (cron support) and the durable layer. In Node they load with the package
// (`#parts-sync` and `#wasm-sync` resolve to the eager variants, see
// package.json "imports"), so nothing changes there. A browser build loads
// each when asked, once: `await load()` before `new Scheduler()`, with
// `{ cron: true }` before `scheduler.cron()`, with `{ durable: true }` before
// `new Scheduler({ store })`. Using one before it is loaded throws
// NotLoadedError at once, synchronously, saying what to load: every sync API
// stays sync, and its errors typed.
import { loadCore, type WasmSource } from '../../bindings/load.js';
import { describeValue, InvalidArgumentError, NotLoadedError } from '../../bindings/errors.js';
import { cronLoaded, setCronScheduleClass } from './cron.js';
import type { CronSchedule } from '../time/cron.js';
import type { makeDurable } from './durable-part.js';
import { SYNC_PARTS } from '#parts-sync';

/** The loadable parts, once loaded. */
export interface Parts {
  readonly CronSchedule: typeof CronSchedule;
  readonly makeDurable: typeof makeDurable;
}

// Loaded by load(). SYNC_PARTS is read at call time, never while modules are being
// evaluated (an import cycle must not decide what is defined).
let durable: typeof makeDurable | undefined;

export { cronScheduleClass } from './cron.js';

/** The durable layer's factory, or undefined before load({ durable: true }) in a browser build. */
export function durableFactory(): typeof makeDurable | undefined {
  durable ??= SYNC_PARTS?.makeDurable;
  return durable;
}

export interface LoadOptions {
  /**
   * Where the WebAssembly core comes from: the package's `timeslice.wasm`
   * (`timeslice/timeslice.wasm`) as a URL, a Response or bytes, or a compiled
   * module. @default the copy embedded in the package, imported on demand
   * @example { wasm: wasmUrl } // with Vite: import wasmUrl from 'timeslice/timeslice.wasm?url'
   */
  wasm?: WasmSource;
  /** Load cron support (croner), for `scheduler.cron()`. @default false */
  cron?: boolean;
  /** Load the durable layer, for `new Scheduler({ store })` (cron support comes with it). @default false */
  durable?: boolean;
}

const LOAD_KEYS = ['wasm', 'cron', 'durable'];

/**
 * Loads what a browser build leaves out of its first bundle: the WebAssembly
 * core (always), cron support and the durable layer when asked. Each is
 * loaded once; in Node everything is loaded with the package and this
 * resolves at once. Rejects with NotLoadedError when a part cannot be
 * loaded, InvalidArgumentError for bad options.
 * @example
 * await load({ cron: true }); // once, before the first new Scheduler() and scheduler.cron()
 * const scheduler = new Scheduler();
 */
export async function load(options: LoadOptions = {}): Promise<void> {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidArgumentError(`load: options must be an object, received ${describeValue(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!LOAD_KEYS.includes(key)) throw new InvalidArgumentError(`load: options.${key} is not an option (known: ${LOAD_KEYS.join(', ')})`);
  }
  for (const key of ['cron', 'durable'] as const) {
    const value = options[key];
    if (value !== undefined && typeof value !== 'boolean') {
      throw new InvalidArgumentError(`load: options.${key} must be a boolean, received ${describeValue(value)}`);
    }
  }
  durable ??= SYNC_PARTS?.makeDurable;
  await Promise.all([
    loadCore(options.wasm),
    options.durable === true && durable === undefined
      ? importPart(import('./durable-part.js'), 'the durable layer').then((part) => {
          durable ??= part.makeDurable;
          setCronScheduleClass(part.CronSchedule);
        })
      : undefined,
    options.cron === true && !cronLoaded()
      ? importPart(import('../time/cron.js'), 'cron support').then((part) => setCronScheduleClass(part.CronSchedule))
      : undefined,
  ]);
}

/** A failed chunk import (offline, a bundler's chunk missing) as a typed error. */
function importPart<T>(imported: Promise<T>, what: string): Promise<T> {
  return imported.catch((error: unknown) => {
    throw new NotLoadedError(`load: ${what} could not be loaded: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  });
}
