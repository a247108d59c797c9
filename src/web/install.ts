// install(): puts the API on globalThis where the host has none, as a polyfill.
import { mustBe } from '../../bindings/errors.js';
import { scheduler } from './shared-scheduler.js';
import { TaskController } from './task-controller.js';
import { TaskPriorityChangeEvent } from './task-priority-change-event.js';
import { TaskSignal } from './task-signal.js';
import type { WebScheduler } from './web-scheduler.js';

export interface InstallOptions {
  /** Install even where the host has a native `scheduler.postTask` (replacing it). @default false */
  force?: boolean;
}

/** The globals install() set: all four, or none. */
export interface InstalledGlobals {
  readonly scheduler?: WebScheduler;
  readonly TaskController?: typeof TaskController;
  readonly TaskSignal?: typeof TaskSignal;
  readonly TaskPriorityChangeEvent?: typeof TaskPriorityChangeEvent;
}

/** True where globalThis.scheduler has a postTask method (native, or installed before). */
function hasPostTask(global: Record<string, unknown>): boolean {
  const existing = global.scheduler;
  return typeof existing === 'object' && existing !== null && typeof (existing as { postTask?: unknown }).postTask === 'function';
}

/**
 * Sets globalThis.scheduler, TaskController, TaskSignal and
 * TaskPriorityChangeEvent, unless the host already has `scheduler.postTask`
 * (pass `force: true` to replace it). Returns what it set. Importing
 * `timeslice/web` installs nothing: only this does.
 *
 * @example
 * import { install } from 'timeslice/web';
 * install(); // a no-op in Chromium, the polyfill in Node, Safari, ...
 * await globalThis.scheduler.postTask(() => work(), { priority: 'background' });
 */
export function install(options: InstallOptions = {}): InstalledGlobals {
  if (typeof options !== 'object' || options === null) {
    throw mustBe('install: options', 'an object', options);
  }
  const force = options.force ?? false;
  if (typeof force !== 'boolean') throw mustBe('install: options.force', 'a boolean', force);
  const global = globalThis as unknown as Record<string, unknown>;
  if (hasPostTask(global) && !force) return Object.freeze({});
  const installed = { scheduler, TaskController, TaskSignal, TaskPriorityChangeEvent };
  for (const [name, value] of Object.entries(installed)) {
    // As browsers define interface objects: writable, configurable, not enumerable.
    Object.defineProperty(global, name, { value, writable: true, configurable: true, enumerable: false });
  }
  return Object.freeze(installed);
}
