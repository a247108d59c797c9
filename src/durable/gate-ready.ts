// Whether a live task's slot constraints can judge its slots now, before it is
// planned (live-tasks.ts continueTask): its admit hook must be defined (else
// it waits for defineAdmit(), admit-hooks.ts), and with maxPerDay, today's
// runs must have been read from the store's history (admit-slots.ts
// loadDayRuns; a restart counts what already ran). Apart from the live tasks
// because it is the one place where planning waits on the store: a failed
// read is retried after the store backoff, through a wake-up.
import type { Store } from '../store/store.js';
import type { AdmitHooks } from './admit-hooks.js';
import { loadDayRuns } from './admit-slots.js';
import type { DurableEventDetails, DurableEventType } from './durable-events.js';
import { isFenced } from './fenced-store.js';
import type { LiveTask } from './live-task.js';
import type { StoreBackoff } from './store-backoff.js';

export interface GateHost {
  readonly admitHooks: AdmitHooks;
  readonly backoff: StoreBackoff;
  /** The owned store (StoreSession.owned). */
  owned(): Promise<Store>;
  wallNowMs(): number;
  emit<Type extends DurableEventType>(type: Type, detail: DurableEventDetails[Type]): void;
  continueTask(task: LiveTask): void;
  /** Enters the task's next core task, a wake-up due in delayMs. */
  enter(task: LiveTask, delayMs: number): void;
}

/**
 * Whether the task's constraints can judge its slots now: its admit hook is
 * defined (else it waits for defineAdmit()), and with maxPerDay, today's
 * runs are read from the history (else they are, then the task continues).
 */
export function gateReady(task: LiveTask, host: GateHost): boolean {
  const gate = task.gate!;
  const admit = gate.admission.record.admit;
  if (admit !== null && host.admitHooks.get(admit) === undefined) {
    host.admitHooks.wait(task, admit);
    return false;
  }
  if (gate.loaded) return true;
  gate.loading ??= host
    .owned()
    .then((store) => loadDayRuns(store, task.record.id, gate, host.wallNowMs()))
    .then(
      () => host.continueTask(task),
      (error: unknown) => {
        gate.loading = undefined;
        const retryInMs = host.backoff.next();
        if (!isFenced(error)) host.emit('storeerror', { operation: 'history', error, retryInMs });
        host.enter(task, retryInMs);
      },
    );
  return false;
}
