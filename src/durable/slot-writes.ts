// The slot writes of an owned store: attempts' ends and slots' claims,
// committed together (completeAndClaim), a batch per commit.
//
// What must be cheap: a run of a durable task, whose end and the claim of the
// run that takes its place share one commit (one fsync per run at
// concurrency 1, one per k runs at k). The end is added when the body ends;
// the claim that replaces it is added by the run loop in a later host turn.
// A batch holding an end is therefore committed at the end of the turn in
// which a claim joins it (a microtask after the run loop's synchronous part,
// which claims every run it starts in that turn): one host turn per run. A
// batch that no claim joins is committed two host turns after its first
// write, as every other batch: after the run loop's next turn, so the claims
// of one turn always share a commit. Each turn costs the process the event
// loop's own work (a poll, the immediates), measurable at a no-op job:
// bench/ab/durable-ab.mjs.
import type { Clock } from '../time/clock.js';
import type { ClaimRequest, ClaimResult, CompleteRequest, EndResult } from '../store/store.js';
import { WriteBatcher } from '../store/write-batcher.js';
import type { FencedStore } from './fenced-store.js';

/** A write of `slots`: an attempt's end, or a slot's claim. */
type SlotWrite = { readonly end: CompleteRequest; readonly claim?: never } | { readonly claim: ClaimRequest; readonly end?: never };

/**
 * Runs `fn` two host turns from now (the clock's yieldToHost, twice): after
 * whatever the current turn queued for the next one, such as the run loop's
 * next slice, which claims the runs that take the place of those that ended.
 */
function afterNextTurn(clock: Clock): (fn: () => void) => void {
  return (fn) => clock.yieldToHost(() => clock.yieldToHost(fn));
}

/** One completeAndClaim() for a batch of slot writes; each write's result in its place. */
async function writeSlots(store: FencedStore, writes: SlotWrite[]): Promise<Array<EndResult | ClaimResult>> {
  const ends: CompleteRequest[] = [];
  const claims: ClaimRequest[] = [];
  for (const write of writes) {
    if (write.end !== undefined) ends.push(write.end);
    else claims.push(write.claim);
  }
  const { completed, claimed } = await store.completeAndClaim(ends, claims);
  let end = 0;
  let claim = 0;
  return writes.map((write) => (write.end !== undefined ? completed[end++]! : claimed[claim++]!));
}

export class SlotWrites {
  readonly #batcher: WriteBatcher<SlotWrite, EndResult | ClaimResult>;
  /** Ends added since the last batch was handed to the store: a claim joining them commits at the end of its turn. */
  #endsWaiting = 0;
  #commitQueued = false;
  readonly #commit = (): void => {
    this.#commitQueued = false;
    void this.#batcher.flush();
  };

  constructor(store: FencedStore, clock: Clock) {
    this.#batcher = new WriteBatcher({
      write: (writes) => {
        this.#endsWaiting = 0;
        return writeSlots(store, writes);
      },
      schedule: afterNextTurn(clock),
    });
  }

  /** Resolves once the attempt's end is committed (or refused: EndResult). */
  end(request: CompleteRequest): Promise<EndResult> {
    this.#endsWaiting++;
    return this.#batcher.add({ end: request }) as Promise<EndResult>;
  }

  /** Resolves once the slot's claim is committed (or refused: ClaimResult). */
  claim(request: ClaimRequest): Promise<ClaimResult> {
    const claimed = this.#batcher.add({ claim: request }) as Promise<ClaimResult>;
    if (this.#endsWaiting > 0 && !this.#commitQueued) {
      this.#commitQueued = true;
      queueMicrotask(this.#commit);
    }
    return claimed;
  }

  /** Writes what waits now; resolves once everything added so far is written or failed (never rejects). */
  flush(): Promise<void> {
    return this.#batcher.flush();
  }
}
