// A durable registration's `constraints` option: resolved to the record the
// task keeps (slot-constraints.ts), and refused at the call when its calendar
// admits nothing the task could run (checkAdmitsSome), rather than skipping
// every slot for ever. Recurring tasks only: a one-off's single slot has
// nowhere to be deferred to across a restart, and nothing to skip in favour of.
import { describeValue, InvalidArgumentError } from '../../bindings/errors.js';
import { Admission, checkAdmitsSome } from '../constraints/admission.js';
import { type ConstraintsRecord, resolveConstraints } from '../constraints/slot-constraints.js';
import { CronSchedule } from '../time/cron.js';
import type { TaskRecord } from '../store/records.js';
import { firstSlotAfter } from './slots.js';

type Timing = Pick<TaskRecord, 'scheduleKind' | 'atMs' | 'periodMs' | 'nextExecutionMs' | 'cronExpression' | 'timeZone' | 'dstGap' | 'dstOverlap'>;

/** The stored constraints of a registration (null without the option); InvalidArgumentError, SlotConstraintsError. */
export function durableConstraints(value: unknown, path: string, timing: Timing): ConstraintsRecord | null {
  if (value === undefined) return null;
  if (timing.scheduleKind === 'once') {
    throw new InvalidArgumentError(`${path} applies only to recurring tasks (every, recurring, cron), received it with a one-off (${describeValue(value)})`);
  }
  const record = resolveConstraints(value, path, timing.timeZone, 'name');
  if (record === null || timing.nextExecutionMs === null) return record;
  const cron = timing.cronExpression === null ? undefined : new CronSchedule(timing.cronExpression, {
    timezone: timing.timeZone ?? undefined, dst: { gap: timing.dstGap ?? undefined, overlap: timing.dstOverlap ?? undefined },
  });
  // A fixed-delay task's later slots depend on its runs: checked as a fixed-rate grid of its period (as often as it could run).
  const kind = timing.scheduleKind === 'fixed-delay' ? 'fixed-rate' : timing.scheduleKind;
  const source = { record: { ...timing, scheduleKind: kind }, cron };
  checkAdmitsSome(new Admission(record), path, timing.nextExecutionMs, (afterMs) => firstSlotAfter(source, afterMs));
  return record;
}
