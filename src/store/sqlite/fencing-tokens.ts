// Fencing tokens for SqliteStore, handed out from blocks reserved in the
// database: every attempt (a claim, a retry) needs a token no other attempt
// ever had. A counter in `meta` written at every claim costs a page in every
// commit; instead each store instance reserves BLOCK tokens at a time (the
// counter in `meta` is the highest token reserved by anyone) inside the write
// transaction that needs the first of them, and takes them from memory
// until they run out.
//
// Why it stays correct: a block is reserved under the database's write lock,
// so two instances (or processes) never reserve the same block, and a new
// instance starts above every block reserved before (the counter only
// grows): tokens are unique per file, and each instance's grow. Fencing
// compares a presented token with the attempt's current one for equality,
// which is all uniqueness needs. A block reserved in a transaction that then
// rolled back was never recorded: the instance forgets it (abandon()) and
// reserves again. Tokens of a block never used (a crash, a close) are skipped.
import type { Statements } from './statements.js';

/** Tokens reserved at once: one counter write per this many attempts. */
const BLOCK = 1024;

export class FencingTokens {
  /** The next token to hand out, and the last one reserved for this instance. */
  #next = 1;
  #last = 0;
  /** A block reserved in the current transaction (not known to be committed yet). */
  #pending = false;

  /** The next token, not yet taken; reserves a block in the open write transaction when none is left. */
  peek(s: Statements): number {
    if (this.#next > this.#last) {
      const reserved = s.getFencingToken.get()!.value;
      s.setFencingToken.run(reserved + BLOCK);
      this.#next = reserved + 1;
      this.#last = reserved + BLOCK;
      this.#pending = true;
    }
    return this.#next;
  }

  /** Takes the next token (peek() it first, in the same transaction). */
  take(s: Statements): number {
    const token = this.peek(s);
    this.#next++;
    return token;
  }

  /** The transaction committed: a block it reserved is this instance's. */
  committed(): void {
    this.#pending = false;
  }

  /** The transaction rolled back: a block it reserved was never recorded, so it is not used. */
  abandon(): void {
    if (!this.#pending) return;
    this.#pending = false;
    this.#next = 1;
    this.#last = 0;
  }
}
