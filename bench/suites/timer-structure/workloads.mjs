// The workloads, each a function (exports, data) -> samples that runs on a
// fresh instance and checks what it measured before returning. Every
// structure gets the same data (seeded), the same calls in the same order,
// through the same code; only the module differs.
//
// Time is integer ms here, so a tick of the wheel is exactly one due time and
// both structures must release the same ids at every advance.
import { mulberry32 } from '../../lib/random.mjs';
import { nowMs } from '../../lib/measure.mjs';
import { hashId, instantiate, loggedIds } from './modules.mjs';

/** Delays are whole ms in [1, MAX_DELAY_MS]. */
export const MAX_DELAY_MS = 60000;
/** timeout-mix: the share of timers cancelled before they fire. */
const CANCEL_SHARE = 0.9;
/** timeout-mix: mean lifetime of a timer in ms, 0.1 * 30000 + 0.9 * 15000 (uniform delays, uniform cancel times). */
const MEAN_LIFETIME_MS = 16500;

function expect(ok, label, what) {
  if (!ok) throw new Error(`timer-structure ${label}: ${what}`);
}

/** Checks the release counters of a structure against an expected count and checksum. */
function expectReleased(x, label, count, hashSum, ordered) {
  expect(x.released() === count, label, `released ${x.released()} timers, expected ${count}`);
  expect(x.checksum() >>> 0 === hashSum, label, `release checksum ${x.checksum() >>> 0}, expected ${hashSum}: wrong ids released`);
  expect(x.dueOrderViolations() === 0, label, `${x.dueOrderViolations()} releases came before an earlier due time`);
  if (ordered) expect(x.seqOrderViolations() === 0, label, `${x.seqOrderViolations()} equal due times released out of arrival order`);
}

function randomDelays(random, n) {
  const delays = new Float64Array(n);
  for (let i = 0; i < n; i++) delays[i] = 1 + Math.floor(random() * MAX_DELAY_MS);
  return delays;
}

function shuffled(random, n) {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}

function hashAll(ids) {
  let sum = 0;
  for (const id of ids) sum = (sum + hashId(id)) >>> 0;
  return sum;
}

function minOf(values) {
  let best = Number.POSITIVE_INFINITY;
  for (const v of values) if (v < best) best = v;
  return best;
}

// ---- (a) insert n, then cancel all; (d) memory per pending timer ----

export function insertCancelData(seed, n) {
  const random = mulberry32(seed);
  const dues = randomDelays(random, n);
  return { n, dues, cancelOrder: shuffled(random, n), earliest: minOf(dues) };
}

export function insertCancel(impl, { n, dues, cancelOrder, earliest }) {
  const x = instantiate(impl.module, { capacity: n, ordered: impl.ordered, levelBits: impl.levelBits });
  let bad = 0;
  const t0 = nowMs();
  for (let i = 0; i < n; i++) bad |= x.insert(i, dues[i]);
  const t1 = nowMs();
  expect(bad === 0 && x.pending() === n, 'insert-cancel', `inserts refused or lost (pending ${x.pending()} of ${n})`);
  expect(x.nextDue() === earliest, 'insert-cancel', `nextDue ${x.nextDue()}, expected ${earliest}`);
  const bytesPerPending = x.structureBytes() / x.pending();
  const t2 = nowMs();
  for (let i = 0; i < n; i++) bad |= x.cancel(cancelOrder[i]);
  const t3 = nowMs();
  expect(bad === 0 && x.pending() === 0 && x.released() === 0, 'insert-cancel', 'a cancel was refused or a timer fired');
  expect(x.nextDue() === Number.POSITIVE_INFINITY, 'insert-cancel', 'nextDue not +Infinity when empty');
  return { insert: ((t1 - t0) * 1e6) / n, cancel: ((t3 - t2) * 1e6) / n, bytesPerPending };
}

/**
 * The same insert-then-cancel through the shipped core (dist/, raw exports:
 * register + cancel, one crossing each): what a whole timer costs there, so
 * the structure's share can be read off. delayMs = due (registered at t = 0).
 * Like the structures, the core is grown to n first (untimed): growing its
 * arena while registering costs several times a register.
 */
export function coreInsertCancel(Core, { n, dues, cancelOrder }) {
  const ex = new Core().exports;
  const handles = new Float64Array(n);
  for (let i = 0; i < n; i++) handles[i] = ex.register(0, 2, 0, 0, dues[i], 0);
  for (let i = 0; i < n; i++) ex.cancel(handles[i]);
  const t0 = nowMs();
  for (let i = 0; i < n; i++) handles[i] = ex.register(0, 2, 0, 0, dues[i], 0);
  const t1 = nowMs();
  let bad = 0;
  for (let i = 0; i < n; i++) bad |= ex.cancel(handles[cancelOrder[i]]);
  const t2 = nowMs();
  expect(handles.every((h) => h > 0) && bad === 0, 'insert-cancel (core)', 'a register or a cancel was refused');
  expect(ex.nextDue() === Number.POSITIVE_INFINITY, 'insert-cancel (core)', 'timers left after cancelling all');
  return { insert: ((t1 - t0) * 1e6) / n, cancel: ((t2 - t1) * 1e6) / n };
}

// ---- (b) insert n, then advance in fixed steps until all have fired ----

export function drainData(seed, n) {
  const random = mulberry32(seed);
  const dues = randomDelays(random, n);
  const ids = new Uint32Array(n);
  for (let i = 0; i < n; i++) ids[i] = i;
  return { n, dues, hashSum: hashAll(ids) };
}

function filled(impl, { n, dues }, logCapacity = 0) {
  const x = instantiate(impl.module, { capacity: n, ordered: impl.ordered, levelBits: impl.levelBits, logCapacity });
  let bad = 0;
  for (let i = 0; i < n; i++) bad |= x.insert(i, dues[i]);
  expect(bad === 0, 'drain', 'an insert was refused');
  return x;
}

/** Advances from stepMs to MAX_DELAY_MS (inclusive) in steps of stepMs: every timer fires. */
export function drain(impl, data, stepMs) {
  const x = filled(impl, data);
  let fired = 0;
  const t0 = nowMs();
  for (let now = stepMs; now < MAX_DELAY_MS + stepMs; now += stepMs) fired += x.advance(now);
  const t1 = nowMs();
  const label = `drain ${stepMs} ms`;
  expect(fired === data.n && x.pending() === 0, label, `${fired} of ${data.n} fired`);
  expectReleased(x, label, data.n, data.hashSum, impl.ordered);
  return { drain: ((t1 - t0) * 1e6) / data.n };
}

/**
 * The same drain, timing every call (a frame's worth of time per call at
 * 16 ms). Answers each call's time in us; see worstCall for the summary.
 */
export function drainCallTimes(impl, data, stepMs) {
  const x = filled(impl, data);
  const calls = Math.ceil(MAX_DELAY_MS / stepMs);
  const callUs = new Float64Array(calls);
  let fired = 0;
  for (let k = 0; k < calls; k++) {
    const t0 = nowMs();
    fired += x.advance((k + 1) * stepMs);
    callUs[k] = (nowMs() - t0) * 1000;
  }
  expect(fired === data.n, `drain ${stepMs} ms`, `${fired} of ${data.n} fired`);
  return { callUs };
}

/**
 * The slowest advance of a drain, robust to a shared machine: each call's
 * fastest time over all repetitions, then the slowest of those. A cascade or
 * a big release is slow in every repetition; a preempted call rarely twice.
 */
export function worstCall(callUsPerRep) {
  const fastest = Float64Array.from(callUsPerRep[0]);
  for (const callUs of callUsPerRep) for (let k = 0; k < fastest.length; k++) fastest[k] = Math.min(fastest[k], callUs[k]);
  return Math.max(...fastest);
}

/**
 * Untimed: every id released exactly once, and (ordered structures) in
 * (due, arrival) order, checked id by id from the release log. Answers how
 * many equal due times left out of arrival order (the FIFO wheel's count).
 */
export function drainStrict(impl, data, stepMs) {
  const { n, dues } = data;
  const x = filled(impl, data, n);
  for (let now = stepMs; now < MAX_DELAY_MS + stepMs; now += stepMs) x.advance(now);
  const ids = loggedIds(x);
  const label = `drain ${stepMs} ms (strict)`;
  expect(ids.length === n, label, `${ids.length} of ${n} released`);
  const seen = new Uint8Array(n);
  let disorder = 0;
  for (let k = 0; k < n; k++) {
    const id = ids[k];
    expect(seen[id] === 0, label, `id ${id} released twice`);
    seen[id] = 1;
    if (k === 0) continue;
    const prev = ids[k - 1];
    expect(dues[id] >= dues[prev], label, `id ${id} (due ${dues[id]}) released after id ${prev} (due ${dues[prev]})`);
    // Inserted in id order, so the id is the arrival order.
    if (dues[id] === dues[prev] && id < prev) disorder++;
  }
  if (impl.ordered) expect(disorder === 0, label, `${disorder} equal due times out of arrival order`);
  return disorder;
}

// ---- (c) timeouts: ~n pending, 90% cancelled before they fire, time advancing ----

/**
 * n timers inserted at t = 0, then arrivals at n / 16500 per ms (the rate
 * that keeps ~n pending) for durationMs. Each timer has a delay in [1, 60000]
 * ms; 90% are cancelled at a uniform time before their due time. Events are
 * bucketed per ms: inserts, then cancels, then advance(t), then nextDue() (a
 * run loop re-arming its one host timer). The sum of the nextDue answers must
 * be the same for every structure.
 */
export function timeoutMixData(seed, n, durationMs) {
  const random = mulberry32(seed);
  const arrivals = Math.round((n / MEAN_LIFETIME_MS) * durationMs);
  const total = n + arrivals;
  const insertAt = new Float64Array(total);
  const dues = new Float64Array(total);
  const cancelAt = new Float64Array(total).fill(-1);
  for (let i = n; i < total; i++) insertAt[i] = 1 + Math.floor(((i - n) * durationMs) / arrivals);
  const cancelsPerMs = new Uint32Array(durationMs + 2);
  const fired = [];
  for (let i = 0; i < total; i++) {
    const delayMs = 1 + Math.floor(random() * MAX_DELAY_MS);
    dues[i] = insertAt[i] + delayMs;
    if (random() < CANCEL_SHARE) {
      const at = insertAt[i] + Math.floor(random() * delayMs);
      if (at <= durationMs) {
        cancelAt[i] = at;
        cancelsPerMs[at + 1]++;
      }
    } else if (dues[i] <= durationMs) {
      fired.push(i);
    }
  }
  // Cancels bucketed by ms (counting sort): ids of ms t are cancelIds[start[t] .. start[t+1]).
  const start = new Uint32Array(durationMs + 2);
  for (let t = 1; t < start.length; t++) start[t] = start[t - 1] + cancelsPerMs[t];
  const cursor = start.slice();
  const cancelIds = new Uint32Array(start[start.length - 1]);
  for (let i = 0; i < total; i++) if (cancelAt[i] >= 0) cancelIds[cursor[cancelAt[i]]++] = i;
  return { n, total, durationMs, insertAt, dues, start, cancelIds, fired: fired.length, hashSum: hashAll(fired) };
}

export function timeoutMix(impl, data) {
  const { n, total, durationMs, insertAt, dues, start, cancelIds } = data;
  const x = instantiate(impl.module, { capacity: total, ordered: impl.ordered, levelBits: impl.levelBits });
  let bad = 0;
  // Untimed set-up: the initial n and the cancels of t = 0.
  for (let i = 0; i < n; i++) bad |= x.insert(i, dues[i]);
  for (let k = start[0]; k < start[1]; k++) bad |= x.cancel(cancelIds[k]);
  const pendingAtStart = x.pending();
  let next = n;
  let fired = 0;
  let nextDueSum = 0;
  const t0 = nowMs();
  for (let t = 1; t <= durationMs; t++) {
    for (; next < total && insertAt[next] === t; next++) bad |= x.insert(next, dues[next]);
    for (let k = start[t]; k < start[t + 1]; k++) bad |= x.cancel(cancelIds[k]);
    fired += x.advance(t);
    nextDueSum += x.nextDue();
  }
  const t1 = nowMs();
  const cancels = start[durationMs + 1] - start[1];
  const ops = total - n + cancels + fired;
  expect(bad === 0, 'timeout-mix', 'an insert or a cancel was refused');
  expect(fired === data.fired, 'timeout-mix', `${fired} fired, expected ${data.fired}`);
  expectReleased(x, 'timeout-mix', data.fired, data.hashSum, impl.ordered);
  expect(x.pending() === total - start[durationMs + 1] - fired, 'timeout-mix', `pending ${x.pending()} at the end`);
  return { op: ((t1 - t0) * 1e6) / ops, pendingAtStart, pendingAtEnd: x.pending(), ops, nextDueSum, seqBreaks: x.seqOrderViolations() };
}

// ---- advance (and nextDue) when nothing is due: the run loop's common call ----

/** Idle calls per ms of the window: a busy run loop calls advance many times a ms. */
const IDLE_CALLS_PER_MS = 10;

/** n timers due in (windowMs, windowMs + 60000]; the loop runs t = 1..windowMs, so nothing fires. */
export function idleData(seed, n, windowMs) {
  const random = mulberry32(seed);
  const dues = randomDelays(random, n);
  for (let i = 0; i < n; i++) dues[i] += windowMs;
  return { n, dues, windowMs, earliest: minOf(dues) };
}

export function idleAdvance(impl, data, withNextDue) {
  const x = filled(impl, data);
  const { windowMs, earliest } = data;
  const calls = windowMs * IDLE_CALLS_PER_MS;
  let fired = 0;
  let wrong = 0;
  const t0 = nowMs();
  if (withNextDue) {
    for (let k = 0; k < calls; k++) {
      fired += x.advance(1 + Math.floor(k / IDLE_CALLS_PER_MS));
      if (x.nextDue() !== earliest) wrong++;
    }
  } else {
    for (let k = 0; k < calls; k++) fired += x.advance(1 + Math.floor(k / IDLE_CALLS_PER_MS));
  }
  const t1 = nowMs();
  expect(fired === 0 && x.pending() === data.n, 'idle', `${fired} fired while nothing was due`);
  expect(wrong === 0 && x.nextDue() === earliest, 'idle', `nextDue wrong ${wrong} times`);
  if (withNextDue) return { advanceNextDue: ((t1 - t0) * 1e6) / calls };
  // The first advance with something due, after the idle window: whatever
  // work the idle calls did not do is done here.
  const t2 = nowMs();
  const woke = x.advance(earliest);
  const t3 = nowMs();
  expect(woke >= 1 && x.released() === woke, 'idle', `the first due advance released ${woke}`);
  return { advance: ((t1 - t0) * 1e6) / calls, firstDue: (t3 - t2) * 1000 };
}

/** One JS-to-wasm call that does nothing, through the same loop shape. */
export function crossing(impl, calls) {
  const x = instantiate(impl.module, { capacity: 1, levelBits: impl.levelBits });
  const t0 = nowMs();
  for (let i = 0; i < calls; i++) x.noop();
  return { noop: ((nowMs() - t0) * 1e6) / calls };
}
