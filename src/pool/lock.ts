// The lock every core call of the pool is made under.
//
// One Int32 word of the control block: 0 when free, else the owner's id
// (OWNER_MAIN for the main thread, OWNER_WORKER0 + w for worker w), so that a
// lock left held by a thread that died can be recognised and released (pool.ts,
// when a worker exits). Held for the length of a few core calls (well under a
// microsecond each, a take of up to 64 tasks a few microseconds): waiters spin
// on a load, then sleep 20 us at a time in Atomics.wait, which Node allows on
// the main thread too. Acquire is a compareExchange, release a store: each is
// a full barrier, so everything written under the lock (the core's tables, the
// side table) is seen by the next owner.
import { I_LOCK } from './protocol.js';

export const OWNER_MAIN = 1;
export const OWNER_WORKER0 = 2;

const SPINS_BEFORE_SLEEP = 200;

export function lock(i32: Int32Array, owner: number): void {
  if (Atomics.compareExchange(i32, I_LOCK, 0, owner) === 0) return;
  let spins = 0;
  for (;;) {
    const held = Atomics.load(i32, I_LOCK);
    if (held === 0) {
      if (Atomics.compareExchange(i32, I_LOCK, 0, owner) === 0) return;
    } else if (++spins > SPINS_BEFORE_SLEEP) {
      Atomics.wait(i32, I_LOCK, held, 0.02);
    }
  }
}

export function unlock(i32: Int32Array): void {
  Atomics.store(i32, I_LOCK, 0);
}
