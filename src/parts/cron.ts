// Cron support as a loadable part (croner): CronSchedule for whoever reads a
// cron expression (scheduler.cron(), cron blackouts of slot constraints). In
// Node it is at hand with the package (`#cron-sync`); in a browser build,
// load({ cron: true }) (./load.ts) sets it. No import of the durable layer
// here: the durable layer and the constraints import this module.
import { NotLoadedError } from '../../bindings/errors.js';
import type { CronSchedule } from '../time/cron.js';
import { SYNC_CRON } from '#cron-sync';

let cron: typeof CronSchedule | undefined;

/** CronSchedule, or NotLoadedError naming `operation` in a browser build before load({ cron: true }). */
export function cronScheduleClass(operation: string): typeof CronSchedule {
  cron ??= SYNC_CRON;
  if (cron === undefined) {
    throw new NotLoadedError(`${operation}: cron support is not loaded yet: in a browser build, await load({ cron: true }) once first`);
  }
  return cron;
}

/** Whether cron support is at hand. */
export function cronLoaded(): boolean {
  cron ??= SYNC_CRON;
  return cron !== undefined;
}

/** Called by load() once croner is imported. */
export function setCronScheduleClass(loaded: typeof CronSchedule): void {
  cron ??= loaded;
}
