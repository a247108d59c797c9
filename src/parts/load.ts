// The parts of timeslice that a browser build loads on demand, and load(),
// which loads them: the WebAssembly core embedded as a string, croner (cron
// support), the durable layer, and what a basic application does not use
// (slot constraints, calendar intervals with their time zones and windows,
// tracing, describe()), so that its first load carries the scheduler and
// little else (measured by test/dist/size.test.ts). In Node they load with
// the package (`#parts-sync` and `#wasm-sync` resolve to the eager variants,
// see package.json "imports"), so nothing changes there. A browser build
// loads each when asked, once: `await load()` before `new Scheduler()`, with
// `{ cron: true }` before `scheduler.cron()`, with `{ durable: true }` before
// `new Scheduler({ store })`, and so on (LoadOptions). Using one before it is
// loaded throws NotLoadedError at once, synchronously, naming the load() call
// to make: every sync API stays sync, and its errors typed.
//
// One chunk for the first load: each part (./*-part.ts) imports `#timeslice`,
// the package's main entry, for no binding. A bundler that splits per file
// (esbuild) puts a module in the chunk of the set of entries that reach it,
// and the parts share different subsets of the entry's modules (the errors,
// durations, priorities, the task context, options, the core's bindings):
// the first load was seven files, each gzipped alone, 1.5 KB more than as
// one. Reaching the entry, every part reaches all of it, and the entry's
// code is one chunk. Nothing moves in or out of the first load (the import
// binds nothing, and what only a part uses stays in its chunk); a bundler
// that drops an import of a module without side effects (Rollup) is as
// before. In Node only the entry reaches the parts (#parts-sync), so the
// import closes a cycle back to the entry being evaluated, which evaluates
// nothing more. test/dist/size.test.ts measures it.
import { loadCore, type WasmSource } from '../../bindings/load.js';
import { InvalidArgumentError, NotLoadedError, mustBe } from '../../bindings/errors.js';
import { cronLoaded, setCronScheduleClass } from './cron.js';
import type { CronSchedule } from '../time/cron.js';
import type { makeDurable } from './durable-part.js';
import { SYNC_PARTS } from '#parts-sync';

/** The loadable parts, once loaded. */
export interface Parts {
  readonly CronSchedule: typeof CronSchedule;
  readonly makeDurable: typeof makeDurable;
  readonly calendar: typeof import('./calendar-part.js');
  readonly constraints: typeof import('./constraints-part.js');
  readonly describe: typeof import('./describe-part.js');
  readonly tracing: typeof import('./tracing-part.js');
}

/** The parts a scheduler asks for by name (part()); cron and durable have their own accessors. */
export type PartName = 'calendar' | 'constraints' | 'describe' | 'tracing';

/** What each part brings, as NotLoadedError names it. */
const PART_TEXT: Readonly<Record<PartName, string>> = {
  calendar: 'calendar intervals, time zones and startAt/endAt are',
  constraints: 'slot constraints are',
  describe: 'describe() is',
  tracing: 'tracing is',
};

const PART_IMPORTS: { readonly [K in PartName]: () => Promise<Parts[K]> } = {
  calendar: () => import('./calendar-part.js'),
  constraints: () => import('./constraints-part.js'),
  describe: () => import('./describe-part.js'),
  tracing: () => import('./tracing-part.js'),
};

const parts: { [K in PartName]?: Parts[K] } = {};

/**
 * A part, or NotLoadedError naming `operation` and the load() call that
 * brings it, in a browser build before that call. Not on a hot path: asked
 * when a feature is used (a task with constraints, a calendar interval, a
 * tracer, describe()), never per run.
 */
export function part<K extends PartName>(name: K, operation: string): Parts[K] {
  const found = (parts[name] ??= SYNC_PARTS?.[name]);
  if (found === undefined) {
    throw new NotLoadedError(`${operation}: ${PART_TEXT[name]} not loaded yet: in a browser build, await load({ ${name}: true }) once first`);
  }
  return found as Parts[K];
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
  /** Load cron support (croner), for `scheduler.cron()` (the calendar part comes with it). @default false */
  cron?: boolean;
  /**
   * Load the durable layer, for `new Scheduler({ store })` (cron support, the
   * calendar part, slot constraints and tracing come with it). @default false
   */
  durable?: boolean;
  /** Load calendar intervals (`{ days | weeks | months }`), time zones and startAt/endAt, for every() and recurring() with them. @default false */
  calendar?: boolean;
  /** Load slot constraints, for the `constraints` option of every(), recurring() and cron(). @default false */
  constraints?: boolean;
  /** Load describe(). @default false */
  describe?: boolean;
  /** Load tracing, for the scheduler option `tracer`. @default false */
  tracing?: boolean;
}

const LOAD_KEYS = ['wasm', 'cron', 'durable', 'calendar', 'constraints', 'describe', 'tracing'] as const;
const BOOLEAN_KEYS = ['cron', 'durable', 'calendar', 'constraints', 'describe', 'tracing'] as const;

/**
 * Loads what a browser build leaves out of its first bundle: the WebAssembly
 * core (always), and each part asked for (see LoadOptions). Each is loaded
 * once; in Node everything is loaded with the package and this resolves at
 * once. Rejects with NotLoadedError when a part cannot be loaded,
 * InvalidArgumentError for bad options.
 * @example
 * await load({ cron: true }); // once, before the first new Scheduler() and scheduler.cron()
 * const scheduler = new Scheduler();
 */
export async function load(options: LoadOptions = {}): Promise<void> {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw mustBe('load: options', 'an object', options);
  }
  for (const key of Object.keys(options)) {
    if (!(LOAD_KEYS as readonly string[]).includes(key)) throw new InvalidArgumentError(`load: options.${key} is not an option (known: ${LOAD_KEYS.join(', ')})`);
  }
  for (const key of BOOLEAN_KEYS) {
    const value = options[key];
    if (value !== undefined && typeof value !== 'boolean') {
      throw mustBe(`load: options.${key}`, 'a boolean', value);
    }
  }
  durable ??= SYNC_PARTS?.makeDurable;
  const wanted = new Set<PartName>();
  for (const name of ['calendar', 'constraints', 'describe', 'tracing'] as const) if (options[name] === true) wanted.add(name);
  // A cron task's plan is in the calendar part (its windows, time zones).
  if (options.cron === true) wanted.add('calendar');
  await Promise.all([
    loadCore(options.wasm),
    options.durable === true && durable === undefined
      ? importPart(import('./durable-part.js'), 'the durable layer').then((part) => {
          durable ??= part.makeDurable;
          setCronScheduleClass(part.CronSchedule);
          // The durable layer's chunk holds these already (its tasks use them): loaded with it.
          parts.calendar ??= part.calendar;
          parts.constraints ??= part.constraints;
          parts.tracing ??= part.tracing;
        })
      : undefined,
    options.cron === true && !cronLoaded()
      ? importPart(import('./cron-part.js'), 'cron support').then((part) => setCronScheduleClass(part.CronSchedule))
      : undefined,
    ...[...wanted].map(loadPart),
  ]);
}

/** Imports one part, unless this build has it already. */
function loadPart<K extends PartName>(name: K): Promise<void> | undefined {
  if ((parts[name] ??= SYNC_PARTS?.[name]) !== undefined) return undefined;
  return importPart(PART_IMPORTS[name](), PART_TEXT[name].replace(/ (is|are)$/, '')).then((loaded) => {
    parts[name] ??= loaded;
  });
}

/** A failed chunk import (offline, a bundler's chunk missing) as a typed error. */
function importPart<T>(imported: Promise<T>, what: string): Promise<T> {
  return imported.catch((error: unknown) => {
    throw new NotLoadedError(`load: ${what} could not be loaded: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  });
}
