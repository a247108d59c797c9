// The ends of the rows a process claimed, written through its batched writes
// (cluster-writes.ts): an attempt's end with the task's skipped slots and
// next slot, and the end of a row that never ran here (used-up attempts, a
// skipped slot, a row given back), retried while the store fails. A refused
// end (fenced, C3) is a `writefenced` event; skipped slots are `slotskip`s.
import type { FinishRequest, FinishResult } from '../../store/cluster.js';
import { isManualSlot } from '../../store/records.js';
import type { EndResult } from '../../store/store.js';
import type { Clock } from '../../time/clock.js';
import type { PriorityName } from '../../tasks/priorities.js';
import { StaleAttemptError } from '../durable-context.js';
import type { DurableEventDetails, DurableEventType } from '../durable-events.js';
import type { AttemptEnd } from '../slot-attempt.js';
import type { StoreBackoff } from '../store-backoff.js';
import { followUpRequest, type Held, type HeldSlots } from './claimed-slots.js';
import type { ClusterWrites } from './cluster-writes.js';
import { followUpOfEnd } from './next-slots.js';

export interface SlotEndsHost {
  readonly held: HeldSlots;
  readonly writes: ClusterWrites;
  readonly backoff: StoreBackoff;
  readonly clock: Clock;
  readonly deadlinesMs: ReadonlyMap<PriorityName, number>;
  stopped(): boolean;
  /** A claim round now: an end made room. */
  claimNow(): void;
  /** A held row's body ended (its room is free: a queued row may start). */
  bodyEnded(held: Held): void;
  emit<Type extends DurableEventType>(type: Type, detail: DurableEventDetails[Type]): void;
}

export class SlotEnds {
  readonly #host: SlotEndsHost;

  constructor(host: SlotEndsHost) {
    this.#host = host;
  }

  /** SlotAttempt's end of an attempt: finishClaimed with the task's skipped slots and next slot. */
  end(request: AttemptEnd): Promise<EndResult> {
    const host = this.#host;
    const held = host.held.get(request.executionId);
    let finish: FinishRequest = request;
    // A task that goes on (pending) has its missed and next slots with this end; one that ended (a one-off's end) has none.
    if (held !== undefined && request.retryAtMs === undefined && request.taskUpdate?.status === 'pending' && !isManualSlot(held.claimed.execution)) {
      const followUp = followUpOfEnd(held.task, held.claimed.execution.nominalMs, request.taskUpdate, request.endedAtMs, host.deadlinesMs);
      finish = { ...request, ...followUpRequest(followUp) };
    }
    if (held !== undefined) {
      host.held.markEnding(held);
      host.bodyEnded(held);
    }
    const finished = host.writes.finish(finish);
    // The room this run made is claimed in the end's batch.
    host.claimNow();
    return finished.then((result) => {
      this.#report(finish, result);
      return result.status === 'completed' ? { status: 'completed', execution: result.execution } : result;
    });
  }

  /** A finish of a row that never ran here, retried while the store fails (the row stays ours meanwhile). */
  async aside(request: FinishRequest): Promise<void> {
    const host = this.#host;
    while (!host.stopped()) {
      try {
        this.#report(request, await host.writes.finish(request));
        host.backoff.reset();
        host.claimNow();
        return;
      } catch (error) {
        const retryInMs = host.backoff.next();
        host.emit('storeerror', { operation: 'finishClaimed', error, retryInMs });
        await new Promise<void>((resolve) => host.clock.setTimer(resolve, retryInMs));
      }
    }
  }

  #report(request: FinishRequest, result: FinishResult): void {
    const host = this.#host;
    if (result.status !== 'completed') {
      // Fenced (C3): the row was rescued, and maybe claimed again, while this process held it. (The same end sent
      // again after an unknown outcome is answered as stored, not refused: docs/design/cluster.md.)
      const error = new StaleAttemptError(`finishClaimed: ${request.executionId} is no longer this process's (${result.status}); this end was refused and nothing of it stored`);
      host.emit('writefenced', { operation: 'finishClaimed', error });
      return;
    }
    for (const skip of result.skipped) {
      if (skip.status === 'recorded') host.emit('slotskip', { taskId: skip.execution.taskId, nominalMs: skip.execution.nominalMs, reason: skip.execution.skipReason ?? '', count: 1 });
    }
    const { execution } = result;
    if (execution.outcome === 'skipped') host.emit('slotskip', { taskId: execution.taskId, nominalMs: execution.nominalMs, reason: execution.skipReason ?? '', count: 1 });
  }
}
