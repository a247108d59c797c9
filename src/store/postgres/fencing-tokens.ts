// Fencing tokens for PostgresStore: every attempt (a claim, a retry) needs a
// token no other attempt ever had. They come from a sequence that steps by
// FENCING_BLOCK: each value v it gives reserves the block (v - FENCING_BLOCK,
// v] for the instance that drew it, which hands its tokens out from memory, so
// a claim reads the sequence once per FENCING_BLOCK attempts.
//
// Why it stays correct: nextval() never gives a value twice, to any session
// or process, and is never rolled back, so a block belongs to one instance
// for good (even when the transaction that drew it rolled back: unlike
// SQLite's counter row, nothing needs forgetting). Tokens are unique per
// schema, and each instance's grow; fencing compares a presented token with
// the attempt's current one for equality, which is all uniqueness needs. A
// block's tokens never used (a crash, a close) are skipped.
import { FENCING_BLOCK } from './schema.js';
import type { Session } from './session.js';
import type { Statements } from './statements.js';

export class FencingTokens {
  /** The next token to hand out, and the last one reserved for this instance. */
  #next = 1;
  #last = 0;
  readonly #statements: Statements;

  constructor(statements: Statements) {
    this.#statements = statements;
  }

  /** Takes `count` tokens, in order, reserving blocks as needed. */
  async take(session: Session, count = 1): Promise<number[]> {
    const tokens: number[] = [];
    while (tokens.length < count) {
      if (this.#next > this.#last) {
        const row = await session.row<{ last: number }>(this.#statements.nextTokenBlock);
        this.#last = row!.last;
        this.#next = this.#last - FENCING_BLOCK + 1;
      }
      tokens.push(this.#next++);
    }
    return tokens;
  }
}
