// The lease (C6) in PostgreSQL, inside the store's lease transactions: the
// bodies of PostgresStore's acquireLease, renewLease and releaseLease, moved
// here from postgres-store.ts to keep that file to the store's shape. The
// store keeps which lease it holds (its fence) and runs these in call order.
//
// The lease's times are the database's: the store's now is read in the
// transaction (now(), or the test-only clock's), never the caller's nowMs, so
// machines whose clocks disagree cannot both think they hold it. Two
// acquirers queue on a table lock: the first to commit decides what the
// second reads (a missing row cannot be inserted twice).
import { type AcquireResult, decideAcquire, decideRenew, type HeldLease, holds, type LeaseHolder, type LeaseRequest, type RenewResult } from '../lease.js';
import { quoteIdent } from './migrate.js';
import type { Session, Statement } from './session.js';
import type { Statements } from './statements.js';

/** Reads the store's now in `session` (see storeNowMs). */
type NowIn = (session: Session) => Promise<number>;

/** The lease's time: the database's now() (the transaction's start), or the test-only clock's. */
export async function storeNowMs(session: Session, now: Statement, clock: { wallNow(): number } | undefined): Promise<number> {
  return (await session.row<{ nowMs: number }>(now, [clock === undefined ? null : Math.floor(clock.wallNow())]))!.nowMs;
}

/** acquireLease's transaction: the decision, and the lease written when acquired. */
export async function acquireIn(session: Session, s: Statements, schema: string, request: LeaseRequest, nowIn: NowIn): Promise<AcquireResult> {
  // Two acquirers queue here: the first to commit decides what the second reads (a missing row cannot be inserted twice).
  await session.exec(`LOCK TABLE ${quoteIdent(schema)}.lease IN SHARE ROW EXCLUSIVE MODE`);
  const result = decideAcquire(await session.row<LeaseHolder>(s.lockLease), { ...request, nowMs: await nowIn(session) });
  if (result.status === 'acquired') await putLease(session, s, result.lease);
  return result;
}

/** renewLease's transaction (`mine`: the lease this instance holds, if any). */
export async function renewIn(session: Session, s: Statements, mine: HeldLease | 'released' | undefined, ttlMs: number, nowIn: NowIn): Promise<RenewResult> {
  const current = await session.row<LeaseHolder>(s.lockLease);
  if (mine === undefined || mine === 'released') return { status: 'lost', holder: current };
  const result = decideRenew(current, mine, await nowIn(session), ttlMs);
  if (result.status === 'renewed') await putLease(session, s, result.lease);
  return result;
}

/** releaseLease's transaction: the lease expired now, if `mine` still holds it. */
export async function releaseIn(session: Session, s: Statements, mine: HeldLease): Promise<void> {
  const current = await session.row<LeaseHolder>(s.lockLease);
  if (holds(current, mine)) await putLease(session, s, { ...current, expiresAtMs: 0 });
}

function putLease(session: Session, s: Statements, l: LeaseHolder): Promise<number> {
  return session.run(s.putLease, [l.ownerId, l.host, l.pid, l.epoch, l.sinceMs, l.expiresAtMs]);
}
