// How PostgresStore runs a call on the pool: a write as one transaction on
// one connection, a read as one statement (or one REPEATABLE READ
// transaction for a read of several), each with the server's errors typed.
//
// A call runs again, from the start and on another connection, when it
// certainly changed nothing: the server aborted its transaction (a deadlock,
// a serialization failure), or its connection was lost before COMMIT was sent
// (a server restart leaves the pool's idle connections dead: the first call
// on each would fail). A connection lost during COMMIT leaves the outcome
// unknown: that rejects with StoreOutcomeUnknownError (the write may be
// stored), never run again. A lost connection is destroyed, not returned to
// the pool.
import type { CustomTypesConfig, Pool } from 'pg';
import { StoreOutcomeUnknownError } from '../errors.js';
import type { LeaseHolder } from '../lease.js';
import { isConnectionError, isRetryable, Session, type Statement, translateError } from './session.js';

/** How many times a call runs at most. */
const MAX_RUNS = 5;

export interface PoolAccess {
  pool: Pool;
  types: CustomTypesConfig;
  /** Which store, for messages. */
  where: string;
}

async function checkOut(access: PoolAccess): Promise<{ session: Session; release: (broken: boolean) => void }> {
  const client = await access.pool.connect().catch((error: unknown) => {
    throw translateError(error, access.where);
  });
  // A connection the server ends while this call holds it, between two of its statements (a restart in fast
  // mode, pg_terminate_backend), is reported as an 'error' event on the client, not on a query: unheard, it
  // would throw and end the process (the pool listens only while the client is idle). Heard, the client's next
  // statement fails as a lost connection, and the call runs again on another one or rejects as usual.
  let lost = false;
  const onError = (): void => {
    lost = true;
  };
  client.on('error', onError);
  return {
    session: new Session(client, access.types),
    release: (broken) => {
      client.removeListener('error', onError);
      client.release(broken || lost);
    },
  };
}

/**
 * `fn` in one transaction: committed when it resolves, rolled back when it
 * throws. With `fence`, the lease row is read `FOR SHARE` in the same round
 * trip as BEGIN (`shareLease`) and handed to it, which throws to refuse the
 * write; the row lock then holds off a takeover until the commit. Without
 * one, `first` (a statement without parameters) runs in BEGIN's round trip
 * and `fn` gets its first row, as a promise: `fn` is called at once, so the
 * statements it sends before awaiting it go in that round trip too.
 */
export async function inTransaction<T>(
  access: PoolAccess, fence: { shareLease: Statement; check: (lease: LeaseHolder | undefined) => void } | undefined,
  fn: (session: Session, firstRow: Promise<unknown>) => Promise<T>, first?: Statement,
): Promise<T> {
  for (let run = 1; ; run++) {
    const { session, release } = await checkOut(access);
    let broken = false;
    let committing = false;
    try {
      let firstRow: Promise<unknown> = Promise.resolve(undefined);
      if (fence !== undefined) fence.check(await session.begin<LeaseHolder>(fence.shareLease));
      else if (first !== undefined) {
        firstRow = session.begin(first);
        // Its error, if any, is also the error of every statement fn sends: fn need not await it to fail.
        firstRow.catch(() => {});
      } else await session.exec('BEGIN');
      const result = await fn(session, firstRow);
      committing = true;
      await session.commit();
      return result;
    } catch (error) {
      broken = isConnectionError(error);
      if (!broken) {
        await session.rollback().catch(() => {
          broken = true;
        });
      }
      if (run < MAX_RUNS && (isRetryable(error) || (broken && !committing))) continue;
      if (broken && committing) {
        const message = error instanceof Error ? error.message : String(error);
        throw new StoreOutcomeUnknownError(`${access.where}: the connection was lost during COMMIT (${message}): the write may or may not be stored`, { cause: error });
      }
      throw translateError(error, access.where);
    } finally {
      release(broken);
    }
  }
}

/** A read: one statement (one committed state), or with `snapshot` several in one REPEATABLE READ READ ONLY transaction. */
export async function inRead<T>(access: PoolAccess, snapshot: boolean, fn: (session: Session) => Promise<T>): Promise<T> {
  for (let run = 1; ; run++) {
    const { session, release } = await checkOut(access);
    let broken = false;
    try {
      if (!snapshot) return await fn(session);
      await session.exec('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const result = await fn(session);
      await session.exec('COMMIT');
      return result;
    } catch (error) {
      broken = isConnectionError(error);
      if (snapshot && !broken) {
        await session.rollback().catch(() => {
          broken = true;
        });
      }
      // A read changes nothing: on a lost connection it simply runs again on another.
      if (run < MAX_RUNS && broken) continue;
      throw translateError(error, access.where);
    } finally {
      release(broken);
    }
  }
}
